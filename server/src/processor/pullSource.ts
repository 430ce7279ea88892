import type { Consumer, ConsumerMessages, JsMsg } from 'nats';
import type { NatsSession } from '../storage/session';
import { delay } from '../util/timeout';
import { Deliver, EventSource, ReportStreamError, reportFailure } from './source';

/** How long one pull request stays open on the server; nats.js refuses less than 1 s. */
export const FETCH_EXPIRES_MS = 5_000;

/**
 * Thrown by a source to get a fresh consumer at once, without reporting an error or backing off:
 * the stream is fine, the consumer just has to be recreated (deliveries were lost on a reconnect).
 */
export class Resync extends Error {
  override name = 'Resync';
}

/**
 * The loop both sources share: bounded pulls (fetch) on a consumer, one message at a time, until stopped.
 *
 * Bounded pulls rather than consume(): every request ends by itself after FETCH_EXPIRES_MS, a failure
 * (consumer deleted, server restarted, timeout) surfaces here as an exception instead of a status
 * notification, and the source simply gets a new consumer. (nats.js's ordered consumer retries a failed
 * consumer creation internally, 30 times with 15-45 s pauses, inside consume(): neither an abort signal
 * nor closing the connection ends that, and its timers keep the process alive. storage/follower pulls
 * the same way for the same reason.)
 */
export abstract class PullSource implements EventSource {
  private batch: ConsumerMessages | undefined;
  private signal: AbortSignal | undefined;

  protected constructor(
    protected readonly session: NatsSession,
    protected readonly batchSize: number,
    private readonly report: ReportStreamError,
  ) {}

  abstract get description(): string;
  abstract open(): Promise<void>;
  /** The consumer to pull from, created or bound when there is none. */
  protected abstract acquire(): Promise<Consumer>;
  /** Forget the consumer after a failure, so that acquire() makes a new one. */
  protected abstract discard(): Promise<void>;
  /** Hands one message to the handlers and settles it with the server. */
  protected abstract handle(msg: JsMsg, deliver: Deliver): Promise<void>;
  /** A message that arrived after stop() began. */
  protected abstract leftover(msg: JsMsg): void;
  /** Called once when run() ends, whatever the reason. */
  protected abstract finish(): Promise<void>;

  /** True once stop() has begun. */
  protected get stopping(): boolean {
    return this.signal?.aborted ?? false;
  }

  /** Ends the pull in progress now instead of when its request expires. */
  protected interrupt(): void {
    this.batch?.stop();
  }

  async run(deliver: Deliver, signal: AbortSignal): Promise<void> {
    this.signal = signal;
    const interrupt = (): void => this.interrupt();
    signal.addEventListener('abort', interrupt, { once: true });
    let attempt = 0;
    try {
      while (!signal.aborted) {
        try {
          const consumer = await this.acquire();
          if (signal.aborted) return;
          const batch = await consumer.fetch({ max_messages: this.batchSize, expires: FETCH_EXPIRES_MS });
          this.batch = batch;
          for await (const msg of batch) {
            if (signal.aborted) this.leftover(msg);
            else await this.handle(msg, deliver);
          }
          attempt = 0;
        } catch (error) {
          await this.discard();
          if (signal.aborted) return;
          if (error instanceof Resync) continue;
          const wait = reportFailure(this.session, this.description, ++attempt, error, this.report);
          if (wait === undefined) return;
          await delay(wait, signal);
        } finally {
          this.batch = undefined;
        }
      }
    } finally {
      signal.removeEventListener('abort', interrupt);
      await this.finish();
    }
  }

  abstract release(): Promise<void>;
}
