import { ConsumerMessages, DeliverPolicy, OrderedConsumerOptions } from 'nats';
import { EventDecodeError } from '../codec/decode';
import type { JobEvent } from '../model/event';
import { delay, withTimeout } from '../util/timeout';
import { consumeWithin, watchConsumer } from './consumerWatch';
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
  /** Called once the first consumer exists on the server: anything stored from then on is delivered. */
  onReady?: () => void;
}

/** The server forgets a consumer left behind by a crashed client after this. */
const INACTIVE_THRESHOLD_MS = 30_000;
/**
 * Pull requests expire after this; idle heartbeats come every half of it, and two missed ones start the
 * check for a lost consumer. (The nats.js default of 30 s would leave a tail blind for a minute.)
 */
export const PULL_EXPIRES_MS = 10_000;

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

/** After losing its consumer, how long a live stream waits between attempts to create a new one. */
const RECREATE_RETRY_MS = 1_000;

/**
 * Follows the stream with an ordered consumer, which recreates itself after gaps and reconnects,
 * until `signal` aborts or the caller stops iterating; the consumer is deleted either way. A consumer
 * lost with the cluster node that held it (see {@link watchConsumer}) is replaced by a new one that
 * starts right after the last message seen, so nothing is skipped or repeated.
 */
export async function* liveStream(session: NatsSession, options: LiveStreamOptions): AsyncGenerator<StreamItem> {
  let start = options.start ?? { from: 'new' };
  for (let attempt = 0; !options.signal?.aborted; attempt++) {
    let next: StartPosition | undefined;
    try {
      next = yield* followOnce(session, options, start, attempt > 0);
    } catch (error) {
      // The first consumer's failure is the caller's to see; replacing a lost one is retried until aborted.
      if (attempt === 0) throw error;
      await delay(RECREATE_RETRY_MS, options.signal);
      continue;
    }
    if (next === undefined) return;
    start = next;
  }
}

/** One ordered consumer's life; returns where a replacement must start when the consumer was lost. */
async function* followOnce(session: NatsSession, options: LiveStreamOptions, start: StartPosition, replacing: boolean): AsyncGenerator<StreamItem, StartPosition | undefined> {
  if (options.signal?.aborted) return undefined;
  const consumer = await session.js.consumers.get(session.streamName, orderedOptions(options.filter, start));
  let messages: ConsumerMessages | undefined;
  let lost: string | undefined;
  let unwatch: (() => void) | undefined;
  const stop = (): void => messages?.stop();
  options.signal?.addEventListener('abort', stop, { once: true });
  try {
    // nats.js retries a failing consumer creation inside consume() for minutes; an abort must not wait for it.
    const consumeOptions = { max_messages: 500, expires: PULL_EXPIRES_MS };
    // A replacement may be placed on the node that is down: give it one creation attempt, then try another.
    const consuming = replacing ? consumeWithin(consumer, consumeOptions, 2 * session.timeoutMs) : consumer.consume(consumeOptions);
    const started = await Promise.race([consuming, aborted(options.signal)]);
    if (started === undefined) {
      void consuming.then((late) => late.stop(), () => undefined);
      return undefined;
    }
    messages = started;
    // The last stream sequence handled: where the consumer started, then each message's.
    let position = (await consumer.info(true)).delivered.stream_seq;
    if (!replacing) options.onReady?.();
    unwatch = watchConsumer(session.nc, consumer, messages, session.timeoutMs, (reason) => {
      lost = reason;
      messages?.stop();
    });
    for await (const msg of messages) {
      position = msg.seq;
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
    return lost === undefined || options.signal?.aborted ? undefined : { from: 'sequence', seq: position + 1 };
  } finally {
    unwatch?.();
    options.signal?.removeEventListener('abort', stop);
    messages?.stop();
    const removing = withTimeout(consumer.delete(), session.timeoutMs, 'deleting the stream consumer').catch(() => undefined);
    // A lost consumer cannot answer: its replacement must not wait for the delete to time out.
    if (lost === undefined) await removing;
  }
}
