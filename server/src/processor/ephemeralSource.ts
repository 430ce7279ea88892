import type { JsMsg } from 'nats';
import { EventDecodeError } from '../codec/decode';
import { decodeMessage } from '../storage/boundedRead';
import { follow } from '../storage/follower';
import type { StartPosition } from '../storage/readResult';
import type { NatsSession } from '../storage/session';
import { withTimeout } from '../util/timeout';
import { ProcessorStreamError } from './errors';
import type { Deliver, Delivery, EventSource, ReportStreamError } from './source';

/**
 * Follows the stream for a processor without a consumer group through storage/follower, the one follow
 * path the index, the tails and the failure sources take too: in order, gap-checked, its consumer replaced
 * from the sequence after the last one handed out whenever deliveries may have been lost (a reconnect, a
 * jump in the delivery sequence, the consumer gone after a server restart). Nothing is repeated, nothing
 * skipped. Failures are reported and retried; a connection closed for good ends the loop with a last report.
 */
export class EphemeralSource implements EventSource {
  private start: StartPosition;
  private readonly following = new AbortController();
  private messages: AsyncGenerator<JsMsg> | undefined;
  /** The follower's first answer, asked for by open() (which is when it makes its consumer), read by run(). */
  private first: Promise<IteratorResult<JsMsg>> | undefined;
  /** Failures since a message last came through: the attempt number in reports. */
  private failures = 0;

  constructor(
    private readonly session: NatsSession,
    private readonly filter: string,
    start: StartPosition | undefined,
    private readonly batchSize: number,
    private readonly report: ReportStreamError,
  ) {
    this.start = start ?? { from: 'new' };
  }

  get description(): string {
    return `live stream of ${this.filter} on ${this.session.streamName}`;
  }

  async open(): Promise<void> {
    if (this.start.from === 'new') {
      // "New" would mean new when the consumer is made, and every recreation would skip what came in
      // between. Pinning the sequence now makes start() a clean cut: everything stored after it resolves is seen.
      const { jsm, streamName, timeoutMs } = this.session;
      const info = await withTimeout(jsm.streams.info(streamName), timeoutMs, `reading the state of stream ${streamName}`);
      this.start = { from: 'sequence', seq: info.state.last_seq + 1 };
    }
    let ready!: () => void;
    const created = new Promise<void>((resolve) => (ready = resolve));
    const messages = follow(this.session, {
      filter: this.filter,
      start: this.start,
      signal: this.following.signal,
      batch: this.batchSize,
      onReady: ready,
      onReplace: (_reason, failure) => {
        if (failure) this.report(new ProcessorStreamError(this.description, ++this.failures, failure.retryInMs, failure.error));
      },
    });
    this.messages = messages;
    this.first = messages.next();
    // The first consumer failing to appear rejects here (and ends the follower): start() fails with it.
    await Promise.race([created, this.first]);
  }

  async run(deliver: Deliver, signal: AbortSignal): Promise<void> {
    const { messages, first } = this;
    if (!messages || !first) throw new Error('run() before open()');
    const stop = (): void => this.following.abort();
    signal.addEventListener('abort', stop, { once: true });
    try {
      for (let next = await first; !next.done && !signal.aborted; next = await messages.next()) {
        this.failures = 0;
        await deliver(delivery(next.value));
      }
    } catch (error) {
      if (!signal.aborted) this.report(new ProcessorStreamError(this.description, this.failures + 1, null, error));
    } finally {
      signal.removeEventListener('abort', stop);
      await messages.return(undefined);
    }
  }

  async release(): Promise<void> {
    // Reached with the consumer still in place only when a handler outlived stop(): ending the follower
    // (it waits at the message that handler got) deletes its consumer now instead of at the inactivity threshold.
    this.following.abort();
    await this.messages?.return(undefined);
  }
}

function delivery(msg: JsMsg): Delivery {
  try {
    return { kind: 'event', event: decodeMessage(msg), redelivered: false };
  } catch (error) {
    if (!(error instanceof EventDecodeError)) throw error;
    return { kind: 'error', error };
  }
}
