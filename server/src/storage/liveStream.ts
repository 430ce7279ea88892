import { ConsumerMessages, DeliverPolicy, OrderedConsumerOptions } from 'nats';
import { EventDecodeError } from '../codec/decode';
import type { JobEvent } from '../model/event';
import { withTimeout } from '../util/timeout';
import { decodeMessage } from './boundedRead';
import type { StartPosition } from './readResult';
import type { NatsSession } from './session';

export type StreamItem = { kind: 'event'; event: JobEvent } | { kind: 'error'; error: EventDecodeError };

export interface LiveStreamOptions {
  filter: string;
  /** Default: only events stored from now on. */
  start?: StartPosition;
  accept?: (event: JobEvent) => boolean;
  signal?: AbortSignal;
}

/** The server forgets a consumer left behind by a crashed client after this. */
const INACTIVE_THRESHOLD_MS = 30_000;

function orderedOptions(filter: string, start: StartPosition): Partial<OrderedConsumerOptions> {
  // One filter as a string: nats.js 2.29 hangs against 2.9 servers when given an array.
  const base = { filterSubjects: filter, inactive_threshold: INACTIVE_THRESHOLD_MS };
  switch (start.from) {
    case 'all':
      // An ordered consumer starts at sequence 1 by default; DeliverPolicy.All next to its start sequence is refused.
      return base;
    case 'new':
      return { ...base, deliver_policy: DeliverPolicy.New };
    case 'sequence':
      return { ...base, deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: start.seq };
    case 'time':
      return { ...base, deliver_policy: DeliverPolicy.StartTime, opt_start_time: start.time.toISOString() };
  }
}

/** Resolves with undefined when the signal aborts; never settles without one. */
function aborted(signal: AbortSignal | undefined): Promise<undefined> {
  return new Promise((resolve) => {
    if (signal?.aborted) resolve(undefined);
    signal?.addEventListener('abort', () => resolve(undefined), { once: true });
  });
}

/**
 * Follows the stream with an ordered consumer, which recreates itself after gaps and reconnects,
 * until `signal` aborts or the caller stops iterating; the consumer is deleted either way.
 */
export async function* liveStream(session: NatsSession, options: LiveStreamOptions): AsyncGenerator<StreamItem> {
  if (options.signal?.aborted) return;
  const consumer = await session.js.consumers.get(session.streamName, orderedOptions(options.filter, options.start ?? { from: 'new' }));
  let messages: ConsumerMessages | undefined;
  const stop = (): void => messages?.stop();
  options.signal?.addEventListener('abort', stop, { once: true });
  try {
    // nats.js retries a failing consumer creation inside consume() for minutes; an abort must not wait for it.
    const consuming = consumer.consume({ max_messages: 500 });
    const started = await Promise.race([consuming, aborted(options.signal)]);
    if (started === undefined) {
      void consuming.then((late) => late.stop(), () => undefined);
      return;
    }
    messages = started;
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
  } finally {
    options.signal?.removeEventListener('abort', stop);
    messages?.stop();
    await withTimeout(consumer.delete(), session.timeoutMs, 'deleting the stream consumer').catch(() => undefined);
  }
}
