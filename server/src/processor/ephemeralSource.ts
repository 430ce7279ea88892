import { Consumer, ConsumerConfig, Events, JsMsg, Status } from 'nats';
import { EventDecodeError } from '../codec/decode';
import { decodeMessage, deliverPolicy } from '../storage/boundedRead';
import { ephemeralConfig } from '../storage/ephemeral';
import type { StartPosition } from '../storage/readResult';
import type { NatsSession } from '../storage/session';
import { withTimeout } from '../util/timeout';
import { PullSource, Resync } from './pullSource';
import { Deliver, Delivery, ReportStreamError } from './source';

/** What nats.js really returns from status(): an iterator that can be stopped, which unregisters it. */
type StatusFeed = AsyncIterable<Status> & { stop?: () => void };

/**
 * Follows the stream on an ephemeral, memory-stored, no-ack consumer, the way an ordered consumer does,
 * but with the consumer managed here so that every step is bounded and stop() can always clean up.
 *
 * The source remembers the sequence after the last message handed out. Whenever deliveries may have been
 * lost (a reconnect, a jump in the consumer's delivery sequence, the consumer gone after a server restart)
 * it deletes the consumer and creates a new one from that sequence: nothing is repeated, nothing skipped.
 */
export class EphemeralSource extends PullSource {
  private next: StartPosition;
  private consumer: Consumer | undefined;
  private consumerName: string | undefined;
  private expectedDelivery = 1;
  private resync = false;
  private status: StatusFeed | undefined;

  constructor(
    session: NatsSession,
    private readonly filter: string,
    start: StartPosition | undefined,
    batchSize: number,
    report: ReportStreamError,
  ) {
    super(session, batchSize, report);
    this.next = start ?? { from: 'new' };
  }

  get description(): string {
    return `live stream of ${this.filter} on ${this.session.streamName}`;
  }

  async open(): Promise<void> {
    if (this.next.from === 'new') {
      // "New" would mean new when the consumer is made, and every recreation would skip what came in
      // between. Pinning the sequence now makes start() a clean cut: everything stored after it resolves is seen.
      const { jsm, streamName, timeoutMs } = this.session;
      const info = await withTimeout(jsm.streams.info(streamName), timeoutMs, `reading the state of stream ${streamName}`);
      this.next = { from: 'sequence', seq: info.state.last_seq + 1 };
    }
    try {
      await this.acquire();
    } catch (error) {
      // The consumer may exist even though binding to it timed out; start() fails, so nobody would delete it.
      await this.finish();
      throw error;
    }
    this.watchReconnects();
  }

  /**
   * A pull request answered while the client was away is lost with everything in it; with no acks the
   * server will not send it again. After a reconnect, start over from the last sequence handed out.
   */
  private watchReconnects(): void {
    const status: StatusFeed = this.session.nc.status();
    this.status = status;
    void (async () => {
      for await (const s of status) {
        if (s.type !== Events.Reconnect) continue;
        // The pull in progress ends; the loop then finds `resync` set and gets a fresh consumer.
        this.resync = true;
        this.interrupt();
      }
    })().catch(() => undefined);
  }

  protected async acquire(): Promise<Consumer> {
    if (this.consumer && !this.resync) return this.consumer;
    if (this.consumer) await this.discard();
    const { jsm, js, streamName, timeoutMs } = this.session;
    const config: Partial<ConsumerConfig> = {
      ...ephemeralConfig(),
      filter_subject: this.filter,
      // Built here rather than by nats.js's ordered consumer, which adds opt_start_seq to deliver policy
      // "all" and so is refused by 2.9 ("... deliver all, but optional start sequence is also set").
      ...deliverPolicy(this.next),
    };
    const info = await withTimeout(jsm.consumers.add(streamName, config), timeoutMs, 'creating the live consumer');
    this.consumerName = info.name;
    this.expectedDelivery = 1;
    this.resync = false;
    this.consumer = await withTimeout(js.consumers.get(streamName, info.name), timeoutMs, 'binding to the live consumer');
    return this.consumer;
  }

  protected async discard(): Promise<void> {
    this.consumer = undefined;
    await this.deleteConsumer();
  }

  protected async handle(msg: JsMsg, deliver: Deliver): Promise<void> {
    if (msg.info.deliverySequence !== this.expectedDelivery) {
      throw new Resync(`delivery ${msg.info.deliverySequence} arrived, ${this.expectedDelivery} was expected`);
    }
    this.expectedDelivery++;
    let delivery: Delivery;
    try {
      delivery = { kind: 'event', event: decodeMessage(msg), redelivered: false };
    } catch (error) {
      if (!(error instanceof EventDecodeError)) throw error;
      delivery = { kind: 'error', error };
    }
    await deliver(delivery);
    this.next = { from: 'sequence', seq: msg.seq + 1 };
  }

  protected leftover(): void {
    // No acks: a message nobody handles needs nothing.
  }

  protected async finish(): Promise<void> {
    this.status?.stop?.();
    this.consumer = undefined;
    await this.deleteConsumer();
  }

  async release(): Promise<void> {
    // Reached with a consumer still in place only when a handler outlived stop(): delete it now instead
    // of leaving it to the inactivity threshold.
    this.interrupt();
    await this.deleteConsumer();
  }

  private async deleteConsumer(): Promise<void> {
    const name = this.consumerName;
    this.consumerName = undefined;
    if (name === undefined || this.session.nc.isClosed()) return;
    const { jsm, streamName, timeoutMs } = this.session;
    // Best effort: after a server restart it is already gone, and the threshold removes it otherwise.
    await withTimeout(jsm.consumers.delete(streamName, name), timeoutMs, `deleting consumer ${name}`).catch(() => undefined);
  }
}
