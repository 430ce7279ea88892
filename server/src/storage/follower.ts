import { ConsumerConfig, ConsumerEvents, Events, JsMsg, ConsumerMessages } from 'nats';
import { delay, withTimeout } from '../util/timeout';
import { deliverPolicy } from './boundedRead';
import { ephemeralConfig } from './ephemeral';
import type { StartPosition } from './readResult';
import type { NatsSession } from './session';

export interface FollowOptions {
  /** Default: the session's stream. */
  stream?: string;
  /** One subject filter (a string: 2.9 servers take one per consumer); none follows the whole stream. */
  filter?: string;
  start: StartPosition;
  signal?: AbortSignal;
  /** Messages asked for by one pull request. */
  batch?: number;
  /** Only the headers of each message: for lookups by message id. */
  headersOnly?: boolean;
  /** Called once the first consumer exists on the server: anything stored from then on is delivered. */
  onReady?: () => void;
  /**
   * Called when a consumer answers a pull again after failed attempts (a message, or a pull that ran to its
   * end): made is not enough, a consumer whose pulls all fail has not recovered.
   */
  onRecovered?: () => void;
  /**
   * Told why a consumer is being replaced after the first (a reconnect, a gap, the consumer gone); when a
   * failure caused it, also that failure, how many attempts in a row failed (more than one: a replacement
   * failed too), and how long the follower waits before it tries again.
   */
  onReplace?: (reason: string, failure?: { error: unknown; failures: number; retryInMs: number }) => void;
}

/**
 * Pull requests expire after this; the server sends idle heartbeats every half of it, and nats.js checks
 * the consumer after two missed ones. (Its default of 30 s would leave a follower blind for a minute.)
 */
export const PULL_EXPIRES_MS = 10_000;

/** After a failed attempt to replace a consumer, how long to wait before the next one. */
export const FOLLOW_RETRY_MS = 1_000;

class Resync extends Error {
  override name = 'Resync';
}

/**
 * Follows the stream in order, without gaps or repeats, until `signal` aborts or the caller stops
 * iterating. What nats.js's ordered consumer does, but with the consumer made here: its ordered consumer
 * gives every consumer after the first (and a first one that does not start at sequence 1) a hard-coded
 * 5-minute inactive threshold, so a crashed owner left them behind for minutes; these carry
 * {@link ephemeralConfig}'s. Every server call is bounded by the session's timeout.
 *
 * Each consumer is read by bounded pulls (fetch). The sequence after the last message handed out is kept;
 * whenever deliveries may have been lost (a reconnect, a jump in the delivery sequence, the consumer gone
 * after a server restart, a failed pull) the consumer is deleted and a new one starts from that sequence.
 * The first consumer's creation failing is the caller's to see, and so is any failure once the connection
 * is closed for good (nothing could ever be delivered again); other failures are retried until aborted.
 */
export async function* follow(session: NatsSession, options: FollowOptions): AsyncGenerator<JsMsg> {
  const { signal } = options;
  const streamName = options.stream ?? session.streamName;
  let next = options.start;
  let resync: string | undefined;
  let ready = false;
  let failures = 0;
  const answered = (): void => {
    if (failures === 0) return;
    failures = 0;
    options.onRecovered?.();
  };
  // Deletions of replaced consumers: a lost consumer cannot answer, and its replacement must not wait for that.
  const removals: Promise<void>[] = [];
  let batch: ConsumerMessages | undefined;
  const interrupt = (): void => batch?.stop();
  signal?.addEventListener('abort', interrupt, { once: true });
  // A pull answered while the client was away is lost with everything in it, and without acks the server
  // never sends it again: after a reconnect, start over from the last sequence handed out.
  const status = session.nc.status();
  void (async () => {
    for await (const s of status) {
      if (s.type !== Events.Reconnect) continue;
      resync = 'the connection was re-established';
      interrupt();
    }
  })().catch(() => undefined);
  try {
    for (let attempt = 0; !signal?.aborted; attempt++) {
      let name: string | undefined;
      try {
        const { jsm, js, timeoutMs } = session;
        const config: Partial<ConsumerConfig> = {
          ...ephemeralConfig(),
          ...(options.filter === undefined ? {} : { filter_subject: options.filter }),
          ...(options.headersOnly ? { headers_only: true } : {}),
          ...deliverPolicy(next),
        };
        resync = undefined;
        const info = await withTimeout(jsm.consumers.add(streamName, config), timeoutMs, 'creating the stream consumer');
        name = info.name;
        // Where the consumer starts, whatever the policy: a replacement continues from here.
        next = { from: 'sequence', seq: info.delivered.stream_seq + 1 };
        // Bound from the info its creation answered, not by `consumers.get`, which asks the server for it
        // again: on a 2.9 server that counts the consumer's pending messages once more (1.7–2 s for a
        // filtered consumer over 10,000,000 events), and until its first pull an ephemeral consumer counts
        // as inactive against its 15 s threshold. (A read at 10M once failed with "consumer not found" on
        // a slow machine; this delay before its first pull is the likely cause.)
        const consumer = js.consumers.getPullConsumerFor(info);
        if (!ready) options.onReady?.();
        ready = true;
        let expected = 1;
        while (!signal?.aborted && resync === undefined) {
          batch = await consumer.fetch({ max_messages: options.batch ?? 500, expires: PULL_EXPIRES_MS });
          watchHeartbeats(batch, () => {
            // The consumer went with the server (or cluster node) that held it, or the server restarted.
            resync = 'the server sent no heartbeats';
            interrupt();
          });
          for await (const msg of batch) {
            if (msg.info.deliverySequence !== expected) throw new Resync(`delivery ${msg.info.deliverySequence} arrived where ${expected} was due`);
            expected++;
            next = { from: 'sequence', seq: msg.seq + 1 };
            answered();
            yield msg;
          }
          if (resync === undefined) answered();
        }
        if (resync !== undefined) options.onReplace?.(resync);
      } catch (error) {
        if (!ready && attempt === 0) throw error;
        if (signal?.aborted) return;
        if (session.nc.isClosed()) throw error;
        if (error instanceof Resync) {
          options.onReplace?.(error.message);
        } else {
          failures++;
          options.onReplace?.((error as Error).message, { error, failures, retryInMs: FOLLOW_RETRY_MS });
          await delay(FOLLOW_RETRY_MS, signal);
        }
      } finally {
        batch?.stop();
        batch = undefined;
        if (name !== undefined) removals.push(remove(session, streamName, name));
      }
    }
  } finally {
    await Promise.all(removals);
    signal?.removeEventListener('abort', interrupt);
    (status as { stop?: () => void }).stop?.();
  }
}

/** Calls `lost` when the pull's idle heartbeats stop coming (nats.js pauses that count while disconnected). */
function watchHeartbeats(batch: ConsumerMessages, lost: () => void): void {
  void (async () => {
    for await (const s of await batch.status()) {
      if (s.type === ConsumerEvents.HeartbeatsMissed) lost();
    }
  })().catch(() => undefined);
}

/** Best effort: after a server restart the consumer is gone already, and its threshold removes it otherwise. */
async function remove(session: NatsSession, streamName: string, name: string): Promise<void> {
  if (session.nc.isClosed()) return;
  await withTimeout(session.jsm.consumers.delete(streamName, name), session.timeoutMs, `deleting consumer ${name}`).catch(() => undefined);
}
