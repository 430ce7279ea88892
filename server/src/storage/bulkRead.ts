import { AckPolicy, createInbox, DeliverPolicy, nanos } from 'nats';
import { EPHEMERAL_INACTIVE_THRESHOLD_MS } from './ephemeral';
import { AckReply, readAckReply } from '../wire/ackReply';
import { clip, type Frame } from '../wire/frameParser';
import { WireConnection } from '../wire/wireConnection';
import { withTimeout } from '../util/timeout';
import type { NatsSession } from './session';

export interface BulkReadOptions {
  /** The first stream sequence to deliver. */
  fromSeq: number;
  /** Done once this sequence was delivered, or nothing is left before it. */
  untilSeq: number;
  /** Absent: every subject of the stream. */
  filter?: string;
  /** Every stored message in order; `data` is valid only during the call. */
  message(subject: string, seq: number, data: Buffer, storedAt: number): void;
}

export interface BulkOutcome {
  /** The last sequence delivered (fromSeq - 1 when none was). */
  lastSeq: number;
  /** Why it ended before `untilSeq`; the caller reads the rest another way. */
  incomplete?: string;
}

/** Idle heartbeats every second; three missed ones mean the delivery stalled. */
const HEARTBEAT_MS = 1_000;
const STALLED_MS = 3 * HEARTBEAT_MS;
const FLOW_CONTROL = Buffer.from('$JS.FC.');
const STALLED_HEADER = Buffer.from('Nats-Consumer-Stalled:');

/**
 * Reads a range of the stream as fast as the server delivers it: a push consumer without acks and
 * with flow control, delivered to a bare connection of its own (`WireConnection`) so no per-message
 * objects are made. nats.js's own message path costs about as much CPU per message again as reading
 * the index needs, which kept a cold build of a large stream far below what the server can send.
 *
 * Delivery is checked as it goes: a skipped delivery sequence, a stall or a lost connection ends the
 * read early with the last sequence that was delivered, and the caller continues from there.
 */
export class BulkRead {
  private lastSeq: number;
  private expectedDelivery = 1;
  private finished = false;
  private lastActivity = Date.now();
  private readonly reply: AckReply = { streamSequence: 0, deliverySequence: 0, storedAt: 0, pending: 0 };
  private resolveDone!: (outcome: BulkOutcome) => void;
  /** Settles once the read ended, for whatever reason; never rejects. */
  readonly done = new Promise<BulkOutcome>((resolve) => (this.resolveDone = resolve));
  private wire: WireConnection | undefined;
  private consumerName: string | undefined;
  private watchdog: NodeJS.Timeout | undefined;

  private constructor(
    private readonly session: NatsSession,
    private readonly options: BulkReadOptions,
  ) {
    this.lastSeq = options.fromSeq - 1;
  }

  /** Rejects when the read cannot start (no connection, refused subscription or consumer). */
  static async start(session: NatsSession, options: BulkReadOptions): Promise<BulkRead> {
    const read = new BulkRead(session, options);
    try {
      await read.begin();
    } catch (error) {
      await read.finish(`it could not start: ${(error as Error).message}`);
      throw error;
    }
    return read;
  }

  /** Ends the read now; `done` then tells how far it got. */
  stop(): Promise<void> {
    return this.finish('it was stopped');
  }

  private async begin(): Promise<void> {
    const { session } = this;
    const connection = session.options.connection;
    const deliverTo = createInbox(connection.inboxPrefix);
    this.wire = await WireConnection.open({
      hostPort: session.nc.getServer(),
      connection,
      timeoutMs: session.timeoutMs,
      name: `${connection.name ?? 'naq'} bulk read`,
      message: (frame) => this.frame(frame),
      closed: (error) => void this.finish(`the connection ended: ${error.message}`),
    });
    this.wire.subscribe(deliverTo);
    await this.wire.ping();
    const consumer = await session.jsm.consumers.add(session.streamName, {
      deliver_subject: deliverTo,
      ack_policy: AckPolicy.None,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: this.options.fromSeq,
      flow_control: true,
      idle_heartbeat: nanos(HEARTBEAT_MS),
      inactive_threshold: nanos(EPHEMERAL_INACTIVE_THRESHOLD_MS),
      mem_storage: true,
      num_replicas: 1,
      ...(this.options.filter === undefined ? {} : { filter_subject: this.options.filter }),
    });
    this.consumerName = consumer.name;
    // Messages flow before the consumer's creation is confirmed: the read may be over already.
    if (this.finished) return this.deleteConsumer();
    this.lastActivity = Date.now();
    this.watchdog = setInterval(() => {
      if (Date.now() - this.lastActivity > STALLED_MS) void this.finish(`nothing arrived for ${STALLED_MS} ms`);
    }, HEARTBEAT_MS);
  }

  private frame(frame: Frame): void {
    if (this.finished) return;
    this.lastActivity = Date.now();
    const { buf, replyStart, replyEnd } = frame;
    const { reply } = this;
    if (replyStart < 0) return this.status(frame);
    if (!readAckReply(buf, replyStart, replyEnd, reply)) {
      if (startsWith(buf, replyStart, replyEnd, FLOW_CONTROL)) return this.status(frame);
      // The whole line, quoted: a reply that is empty or holds control characters shows as such.
      return void this.finish(`a message whose reply subject is not a JetStream ack: ${JSON.stringify(clip(buf.toString('latin1', frame.lineStart, frame.lineEnd)))}`);
    }
    if (reply.deliverySequence !== this.expectedDelivery) return void this.finish(`delivery ${this.expectedDelivery} was skipped`);
    this.expectedDelivery++;
    this.lastSeq = reply.streamSequence;
    this.options.message(buf.toString('utf8', frame.subjectStart, frame.subjectEnd), reply.streamSequence, buf.subarray(frame.payloadStart, frame.payloadEnd), reply.storedAt);
    if (this.lastSeq >= this.options.untilSeq || reply.pending === 0) void this.finish(undefined);
  }

  /** Flow control asks for an empty reply; a heartbeat may name a stalled flow control to answer. */
  private status(frame: Frame): void {
    const { buf } = frame;
    if (frame.replyStart >= 0) {
      this.wire?.publishEmpty(buf.toString('utf8', frame.replyStart, frame.replyEnd));
      return;
    }
    const at = buf.indexOf(STALLED_HEADER, frame.headersStart);
    if (at >= 0 && at < frame.headersEnd) {
      const eol = buf.indexOf('\r\n', at);
      this.wire?.publishEmpty(buf.toString('utf8', at + STALLED_HEADER.length, eol).trim());
    }
    // An idle heartbeat: the consumer has nothing more to deliver.
    else void this.finish(undefined);
  }

  private async deleteConsumer(): Promise<void> {
    const name = this.consumerName;
    if (name === undefined) return;
    this.consumerName = undefined;
    const { jsm, streamName, timeoutMs } = this.session;
    await withTimeout(jsm.consumers.delete(streamName, name), timeoutMs, 'deleting the bulk read consumer').catch(() => undefined);
  }

  private async finish(incomplete: string | undefined): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    clearInterval(this.watchdog);
    this.wire?.close();
    await this.deleteConsumer();
    const reachedEnd = this.lastSeq >= this.options.untilSeq;
    this.resolveDone(incomplete === undefined || reachedEnd ? { lastSeq: this.lastSeq } : { lastSeq: this.lastSeq, incomplete });
  }
}

function startsWith(buf: Buffer, start: number, end: number, prefix: Buffer): boolean {
  return end - start >= prefix.length && buf.compare(prefix, 0, prefix.length, start, start + prefix.length) === 0;
}
