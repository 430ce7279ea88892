import { ConsumerConfig, ConsumerInfo, DeliverPolicy, JsMsg } from 'nats';
import { decodeEvent, EventDecodeError } from '../codec/decode';
import type { JobEvent } from '../model/event';
import { isTimeout, withTimeout } from '../util/timeout';
import { ephemeralConfig } from './ephemeral';
import type { ReadResult, StartPosition } from './readResult';
import { SCAN_TIMEOUT_MS, type NatsSession } from './session';

export interface BoundedReadOptions {
  filter: string;
  start?: StartPosition;
  /** Skip this many matching events. */
  offset?: number;
  /** Stop after this many matching events. */
  limit?: number;
  /** Applied after decoding; offset and limit count only events that pass. */
  accept?: (event: JobEvent) => boolean;
}

const BATCH = 1000;

/** A start position as consumer settings. */
export function deliverPolicy(start: StartPosition): Partial<ConsumerConfig> {
  switch (start.from) {
    case 'all':
      return { deliver_policy: DeliverPolicy.All };
    case 'new':
      return { deliver_policy: DeliverPolicy.New };
    case 'sequence':
      return { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: start.seq };
    case 'time':
      return { deliver_policy: DeliverPolicy.StartTime, opt_start_time: start.time.toISOString() };
  }
}

/**
 * nats.js refuses a fetch that expires sooner. The expiry bounds the wait for counted messages purged before
 * delivery, not the server's scan for the first match: a 1.5 s pull whose scan of 1M events took 2.5 s still
 * got every event (measured on 2.9.10).
 */
const MIN_FETCH_EXPIRES_MS = 1_000;

export function decodeMessage(msg: Pick<JsMsg, 'data' | 'subject' | 'seq' | 'info'>): JobEvent {
  return decodeEvent(msg.data, { seq: msg.seq, subject: msg.subject }, msg.info.timestampNanos / 1e9);
}

/**
 * Consumers a read replaces before it gives up. The server deletes a consumer that scanned past its 15 s
 * inactive threshold, and delivers to a pull that its client has just ended by its own timer; each replacement
 * starts after the last event received.
 */
const MAX_REPLACEMENTS = 3;

/** nats.js's words for a consumer the server no longer has: the API's, a pull's 409, a pull nobody answers. */
function isConsumerGone(error: unknown): boolean {
  return error instanceof Error && /^(consumer not found|consumer deleted|no responders)$/.test(error.message);
}

/**
 * Reads what matches `filter` at this moment and stops: an ephemeral consumer tells how many
 * messages are pending, exactly that many are fetched, and the consumer is deleted afterwards.
 *
 * A pull that comes back empty does not end the read by itself: the consumer's own count says whether the
 * counted messages are gone (expired, purged), still being looked for, or were delivered to a pull that had
 * already ended (the client's timer runs out as the server answers); in the last case, and when the server
 * dropped the consumer, a new one continues after the last event received.
 */
export async function boundedRead(session: NatsSession, options: BoundedReadOptions): Promise<ReadResult> {
  const { jsm, scanningJsm, js, streamName, timeoutMs } = session;
  const result: ReadResult = { events: [], errors: [] };
  let next: StartPosition = options.start ?? { from: 'all' };
  const open = (): Promise<ConsumerInfo> =>
    scanningJsm.consumers.add(streamName, { ...ephemeralConfig(), filter_subject: options.filter, ...deliverPolicy(next) });
  const close = (name: string): Promise<unknown> =>
    withTimeout(jsm.consumers.delete(streamName, name), timeoutMs, 'deleting the read consumer').catch(() => undefined);
  let info = await open();
  try {
    let remaining = info.num_pending;
    let skip = options.offset ?? 0;
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    let delivered = 0;
    let replacements = 0;
    let waitingSince: number | undefined;
    const replace = async (why: string): Promise<void> => {
      if (++replacements > MAX_REPLACEMENTS) {
        throw new Error(`reading ${options.filter}: the read's consumer failed ${MAX_REPLACEMENTS + 1} times (last: ${why}) before it delivered the ${remaining} events it counted`);
      }
      await close(info.name);
      info = await open();
      remaining = Math.min(remaining, info.num_pending);
      delivered = 0;
    };
    /** Keeps what a received message holds, if the options want it; true once the limit is reached. */
    const take = (msg: JsMsg): boolean => {
      let event: JobEvent;
      try {
        event = decodeMessage(msg);
      } catch (error) {
        if (error instanceof EventDecodeError) {
          result.errors.push(error);
          return false;
        }
        throw error;
      }
      if (options.accept && !options.accept(event)) return false;
      if (skip > 0) {
        skip--;
        return false;
      }
      result.events.push(event);
      return result.events.length >= limit;
    };
    while (remaining > 0 && result.events.length < limit) {
      let received = 0;
      try {
        // From the info its creation answered: `consumers.get` would ask for it again (see follow()).
        const batch = await js.consumers.getPullConsumerFor(info).fetch({ max_messages: Math.min(BATCH, remaining), expires: Math.max(timeoutMs, MIN_FETCH_EXPIRES_MS) });
        for await (const msg of batch) {
          received++;
          delivered++;
          remaining--;
          next = { from: 'sequence', seq: msg.seq + 1 };
          if (take(msg)) {
            batch.stop();
            break;
          }
        }
      } catch (error) {
        if (!isConsumerGone(error)) throw error;
        await replace('the server no longer had it');
        continue;
      }
      if (received > 0) {
        waitingSince = undefined;
        continue;
      }
      waitingSince ??= Date.now();
      const state = await consumerState(session, info.name);
      if (state === 'gone') {
        await replace('the server no longer had it');
      } else if (state !== 'busy' && state.delivered.consumer_seq > delivered) {
        await replace('it delivered to a pull that had already ended');
      } else if (state !== 'busy' && state.num_pending === 0) {
        break;
      } else if (Date.now() - waitingSince > SCAN_TIMEOUT_MS) {
        // A filtered consumer finds its next message by scanning the stream: 14 s at 10,000,000 messages here.
        throw new Error(`reading ${options.filter}: the server delivered none of the ${remaining} events it counted within ${SCAN_TIMEOUT_MS / 1000} s`);
      }
    }
  } finally {
    await close(info.name);
  }
  return result;
}

/** The consumer as the server sees it now; 'busy' when it did not answer in time (it answers after a scan). */
async function consumerState(session: NatsSession, name: string): Promise<ConsumerInfo | 'gone' | 'busy'> {
  try {
    return await withTimeout(session.jsm.consumers.info(session.streamName, name), session.timeoutMs, 'asking for the read consumer');
  } catch (error) {
    if (isConsumerGone(error)) return 'gone';
    if (isTimeout(error)) return 'busy';
    throw error;
  }
}
