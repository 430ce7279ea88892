import { EventDecodeError } from '../codec/decode';
import type { JobEvent } from '../model/event';
import { decodeMessage } from './boundedRead';
import { follow } from './follower';
import type { StartPosition } from './readResult';
import type { NatsSession } from './session';

export type StreamItem = { kind: 'event'; event: JobEvent } | { kind: 'error'; error: EventDecodeError };

export interface LiveStreamOptions {
  filter: string;
  /** Default: only events stored from now on. */
  start?: StartPosition;
  accept?: (event: JobEvent) => boolean;
  signal?: AbortSignal;
  /** Called once the first consumer exists on the server: anything stored from then on is delivered. */
  onReady?: () => void;
}

/**
 * Follows the stream's events matching `filter` in order, without gaps or repeats, until `signal` aborts
 * or the caller stops iterating (see {@link follow}: consumers are replaced after reconnects, gaps and
 * losses, and one left behind by a crash is gone within the promised 30 s). Payloads that are not events
 * come as errors, never fatal.
 */
export async function* liveStream(session: NatsSession, options: LiveStreamOptions): AsyncGenerator<StreamItem> {
  const messages = follow(session, {
    filter: options.filter,
    start: options.start ?? { from: 'new' },
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onReady ? { onReady: options.onReady } : {}),
  });
  for await (const msg of messages) {
    let event: JobEvent;
    try {
      event = decodeMessage(msg);
    } catch (error) {
      if (error instanceof EventDecodeError) {
        yield { kind: 'error', error };
        continue;
      }
      throw error;
    }
    if (!options.accept || options.accept(event)) yield { kind: 'event', event };
  }
}
