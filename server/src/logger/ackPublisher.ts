import { ErrorCode, Events, Msg, NatsConnection, NatsError, Status, Subscription, nuid } from 'nats';
import { acceptRisk, AtRisk, atRisk, readLookup } from './inDoubt';
import { EncodedHeaders, headerPrefix, idToken, msgIdHeader } from './msgIdHeader';
import { AckVerdict, PubAck, readAck } from './pubAck';
import { SENT, SendWindow, WindowEntry } from './sendWindow';

/**
 * A JetStream publisher that keeps a bounded window of publishes in flight.
 *
 * Why not `js.publish()`: it awaits one request per message (the seed's 4k events/s), and with many
 * promises in flight it still pays a timer and a promise per message. Here each message is a plain
 * `nc.publish(subject, data, {reply, headers})`; ONE wildcard subscription collects every PubAck.
 *
 * What makes it lossless and duplicate-free:
 * - every message carries a `Nats-Msg-Id` fixed when it is enqueued, so any resend inside the stream's
 *   duplicate window is dropped by the server and acknowledged with `duplicate: true`;
 * - nats.js 2.29 throws away whatever it buffered while the connection was down, so nothing is
 *   "sent" until acknowledged: on disconnect every unacknowledged message goes back to waiting, and on
 *   reconnect all of them are sent again, in their original order;
 * - after a reconnect or any failed attempt only ONE message is sent until the server stores something
 *   again (a probe), so a stream that is still recovering cannot store later messages before earlier ones;
 * - the duplicate window only protects a resend that reaches the server within the window of the first
 *   store. A message whose fate has been unknown for longer (an outage longer than the window) is
 *   looked up in the stream by its message id first (`findStored`), and resent only if it is not there.
 *
 * Beside it: the window's bookkeeping (`sendWindow.ts`), the header bytes (`msgIdHeader.ts`) and the
 * choice of what to look up and how to read the answer (`inDoubt.ts`). This file holds the decisions
 * that need the connection and the clock.
 *
 * Per message it keeps only the window entry around the caller's own message object: the header is
 * written when a message is sent (it dies with the outbound buffer instead of living until the ack),
 * and an ack's reply subject is read from the bytes nats.js received, not decoded into a string.
 */

export interface AckPublisherOptions {
  /** Messages sent and not yet acknowledged, at most. */
  window?: number;
  /** How long to wait for one acknowledgement, while connected, before sending it again. */
  ackTimeoutMs?: number;
  /**
   * While connected, how long the server may refuse or ignore every publish ("no responders",
   * 5xx errors, missing acks) before the waiting messages fail. A disconnected period does not count:
   * messages wait for the connection as long as it takes. Keep this below the stream's duplicate window.
   */
  giveUpAfterMs?: number;
  /** The connection's `inboxPrefix`, when it has one (permissions often allow only that). */
  inboxPrefix?: string;
  /** The stream's duplicate window (its `duplicate_window`); can be corrected later with `setDuplicateWindow`. */
  duplicateWindowMs?: number;
  /**
   * Finds the messages with ids starting `msgIdPrefix` stored at or after stream sequence `fromSeq`.
   * Without it, a message in doubt for longer than the duplicate window is resent blindly, and may be
   * stored twice (counted in `unverifiedResends`).
   */
  findStored?: (fromSeq: number, msgIdPrefix: string) => Promise<Map<string, PubAck>>;
  /**
   * Reads the stream's duplicate window again. Called after every reconnect, before anything is resent:
   * the operator may have shortened it meanwhile. When it fails, the window counts as unknown (zero),
   * so every message in doubt is looked up before it is resent.
   */
  readDuplicateWindow?: () => Promise<number>;
}

/**
 * 8,192, in the 4,000-16,000 range where the acknowledged pipeline peaked (nats-facts.md): with 4,096 the
 * window refilled 2,048 at a time and the server went idle between refills. Paired bench runs on one
 * server: the logger's median ratio to the pipeline 0.79-0.84 with 4,096, 0.87-0.93 with 8,192.
 */
export const DEFAULT_WINDOW = 8192;
export const DEFAULT_ACK_TIMEOUT_MS = 5_000;
export const DEFAULT_GIVE_UP_AFTER_MS = 60_000;
export const DEFAULT_DUPLICATE_WINDOW_MS = 120_000;

/** Why a message was not stored. */
export interface PublishFailure {
  reason: string;
  /**
   * True when an attempt reached the server and its outcome is unknown (no acknowledgement, or the
   * connection dropped first): the message may be in the stream after all.
   */
  maybeStored: boolean;
}

export interface AckPublisherHandlers<T extends PublishMessage> {
  stored(message: T, ack: PubAck): void;
  failed(message: T, failure: PublishFailure): void;
}

export interface AckPublisherStats {
  /** Messages acknowledged as stored (duplicates included: they are stored). */
  stored: number;
  /** Acknowledgements that said "duplicate": a resend of something already stored. */
  duplicates: number;
  failed: number;
  /** Sends after the first one of a message. */
  retries: number;
  /** Messages in doubt past the duplicate window that `findStored` found in the stream (not resent). */
  reconciled: number;
  /** Messages in doubt past the duplicate window resent without a look-up (none, or it failed): possible duplicates. */
  unverifiedResends: number;
  /** Sent, waiting for the acknowledgement. */
  inFlight: number;
  /** Neither stored nor failed yet (in flight included). */
  unsettled: number;
  connected: boolean;
}

/** What the caller enqueues: the publisher sends it as it is and hands the same object back to the handlers. */
export interface PublishMessage {
  readonly subject: string;
  /** Never changed once enqueued: every resend sends these bytes, and nats.js holds them, not a copy, until it flushes. */
  readonly data: Uint8Array;
}

type Entry<T> = WindowEntry<T>;

/**
 * The entry id at the end of a reply subject `${replyBase}${id in base 36}`, read from the subject's
 * bytes as nats.js parsed them (a string decode per ack was a visible share of the ack's cost); from
 * the decoded subject when those bytes are not where nats.js 2.29 keeps them. NaN when not an id.
 */
function replyId(msg: Msg, baseLength: number): number {
  const raw = (msg as Msg & { _msg?: { subject?: unknown } })._msg?.subject;
  if (!(raw instanceof Uint8Array)) return parseInt(msg.subject.slice(baseLength), 36);
  if (raw.length <= baseLength) return Number.NaN;
  let id = 0;
  for (let i = baseLength; i < raw.length; i++) {
    const c = raw[i] as number;
    const digit = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x7a ? c - 0x57 : -1;
    if (digit < 0) return Number.NaN;
    id = id * 36 + digit;
  }
  return id;
}

/** Back-off after a failed probe: short first (a stream recovering), capped (a stream gone). */
function backoffMs(failures: number): number {
  return Math.min(2_000, 25 * 2 ** Math.min(failures, 10));
}

function stoppable(value: object): value is { stop(): void } {
  return 'stop' in value && typeof value.stop === 'function';
}

export class PublisherClosedError extends Error {
  override name = 'PublisherClosedError';
}

export class AckPublisher<T extends PublishMessage> {
  readonly window: number;
  readonly ackTimeoutMs: number;
  readonly giveUpAfterMs: number;
  /**
   * Refill the window only once it has drained to this. Refilling on every acknowledgement sent a few
   * messages per socket write (and per server read): `writeBuffer` was 16% of the client's CPU profile.
   * Refilling half a window at a time keeps writes at nats.js's 32 KB frames (8% in the profile).
   */
  private readonly lowWater: number;
  /** Reply subjects are `${replyBase}${id in base 36}`; the id finds the entry without a map. */
  private readonly replyBase: string;
  /** `NATS/1.0\r\nNats-Msg-Id: <nuid>-`: message ids are this publisher's nuid plus the entry id. */
  private readonly headerPrefix: Uint8Array;
  private readonly headers = new EncodedHeaders();
  private readonly sub: Subscription;
  private readonly statusIterable: AsyncIterable<Status>;

  private readonly sendWindow = new SendWindow<T>();
  /** > 0 while inside `enqueue()`. */
  private depth = 0;

  private connected = true;
  private disconnectedAt = 0;
  private closed = false;
  private closeReason = '';
  /** Send one message at a time until the server stores something (after a reconnect or a failed attempt). */
  private probing = false;
  private retryAt = 0;
  private failuresInRow = 0;
  /** When the server, while connected, last started refusing or ignoring publishes; 0 when it stores. */
  private troubleSince = 0;
  private lastTrouble = '';
  /** Subjects the server refused with a permissions violation on this connection. */
  private readonly denied = new Set<string>();

  private duplicateWindowMs: number;
  private readonly findStored: AckPublisherOptions['findStored'];
  private readonly msgIdPrefix: string;
  /** Highest stream sequence acknowledged so far. */
  private lastSeq = 0;
  /** Sending is paused while the stream is searched for messages in doubt past the duplicate window. */
  private reconciling = false;
  private readonly readDuplicateWindow?: () => Promise<number>;
  /** Bumped on every disconnect: a look-up started before it no longer describes what was sent. */
  private generation = 0;

  private readonly counters = { stored: 0, duplicates: 0, failed: 0, retries: 0, reconciled: 0, unverifiedResends: 0 };
  private readonly timer: NodeJS.Timeout;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly handlers: AckPublisherHandlers<T>,
    options: AckPublisherOptions = {},
  ) {
    this.window = Math.max(1, options.window ?? DEFAULT_WINDOW);
    this.lowWater = Math.floor(this.window / 2);
    this.duplicateWindowMs = options.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS;
    this.findStored = options.findStored;
    this.readDuplicateWindow = options.readDuplicateWindow;
    this.ackTimeoutMs = Math.max(1, options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS);
    this.giveUpAfterMs = Math.max(0, options.giveUpAfterMs ?? DEFAULT_GIVE_UP_AFTER_MS);
    const id = nuid.next();
    this.replyBase = `${options.inboxPrefix ?? '_INBOX'}.${id}.`;
    this.msgIdPrefix = `${id}-`;
    this.headerPrefix = headerPrefix(this.msgIdPrefix);
    if (nc.isClosed()) throw new PublisherClosedError('the NATS connection is closed');
    this.sub = nc.subscribe(`${this.replyBase}*`, { callback: (err, msg) => this.onReply(err, msg) });
    this.statusIterable = nc.status();
    void this.watchStatus();
    nc.closed().then(
      (err) => this.shutdown(`the NATS connection closed${err ? `: ${err.message}` : ''}`),
      () => undefined,
    );
    // One coarse timer instead of one per message: acks only need to be checked a few times per timeout.
    this.timer = setInterval(() => this.checkAckTimeout(), Math.max(10, Math.min(250, this.ackTimeoutMs / 4)));
    this.timer.unref();
  }

  /**
   * Queues one message; it is sent as soon as the window and the connection allow.
   * Exactly one of the handlers is called for it, later: never from inside this call.
   */
  enqueue(message: T): void {
    if (this.closed) throw new PublisherClosedError(`the publisher is closed: ${this.closeReason}`);
    this.sendWindow.push(message);
    this.depth++;
    try {
      this.pump();
    } finally {
      this.depth--;
    }
  }

  stats(): AckPublisherStats {
    return { ...this.counters, inFlight: this.sendWindow.inFlight, unsettled: this.sendWindow.unsettled, connected: this.connected };
  }

  /** The stream's actual duplicate window, once known. */
  setDuplicateWindow(ms: number): void {
    this.duplicateWindowMs = ms;
  }

  /** Why messages are not being stored right now, for reports; empty when nothing is wrong. */
  trouble(): string {
    if (this.closed) return this.closeReason;
    if (!this.connected) return `NATS disconnected for ${((Date.now() - this.disconnectedAt) / 1000).toFixed(1)} s`;
    if (this.reconciling) return 'looking up messages in doubt in the stream';
    if (this.troubleSince) return `${this.lastTrouble} (for ${((Date.now() - this.troubleSince) / 1000).toFixed(1)} s)`;
    return '';
  }

  /** Fails every unsettled message with `reason` and stops: nothing is sent or settled afterwards. */
  close(reason = 'the publisher was closed'): void {
    this.shutdown(reason);
  }

  private shutdown(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    clearInterval(this.timer);
    clearTimeout(this.retryTimer);
    if (stoppable(this.statusIterable)) this.statusIterable.stop();
    if (!this.nc.isClosed()) {
      try {
        this.sub.unsubscribe();
      } catch {
        // The connection is closing under us; the subscription goes with it.
      }
    }
    this.failWhere(() => true, reason);
  }

  private async watchStatus(): Promise<void> {
    try {
      for await (const status of this.statusIterable) {
        if (this.closed) return;
        this.onStatus(status);
      }
    } catch {
      // The iterator only ends with the connection, which `closed()` reports.
    }
  }

  private onStatus(status: Status): void {
    switch (status.type) {
      case Events.Disconnect:
        if (!this.connected) return;
        this.connected = false;
        this.disconnectedAt = Date.now();
        this.generation++;
        this.reconciling = false;
        // The client drops its outbound buffer when it dials again: nothing unacknowledged got out for sure.
        this.sendWindow.goBack();
        return;
      case Events.Reconnect:
        this.connected = true;
        this.denied.clear();
        // Resend from the oldest unacknowledged message even if the disconnect was never seen:
        // what was published in between went into a buffer that the reconnect dropped.
        this.sendWindow.goBack();
        this.probing = true;
        this.failuresInRow = 0;
        this.retryAt = 0;
        // Time spent disconnected does not count against giveUpAfterMs.
        this.troubleSince = 0;
        this.generation++;
        this.reconciling = false;
        this.recheckWindowThenResend();
        return;
      case Events.Error:
        if (status.permissionContext?.operation === 'publish') {
          const subject = status.permissionContext.subject;
          this.denied.add(subject);
          this.failWhere((e) => e.message.subject === subject, `permissions violation: this connection may not publish to ${subject}`);
        }
        return;
      default:
        return;
    }
  }

  private onReply(err: NatsError | null, msg: Msg): void {
    if (this.closed) return;
    if (err) {
      // The server refused or closed our reply subscription (typically: may not subscribe to the inbox):
      // no acknowledgement can ever arrive, so nothing can be confirmed.
      this.shutdown(`cannot receive JetStream acknowledgements on ${this.replyBase}*: ${err.message}`);
      return;
    }
    const entry = this.sendWindow.unsettledById(replyId(msg, this.replyBase.length));
    if (!entry) return; // settled already
    let verdict: AckVerdict;
    if (msg.data.length === 0 && msg.headers) verdict = readAck(msg.data, msg.headers.code);
    else verdict = readAck(msg.data);
    switch (verdict.kind) {
      case 'stored':
        this.troubleSince = 0;
        this.failuresInRow = 0;
        this.probing = false;
        this.counters.stored++;
        if (verdict.ack.duplicate) this.counters.duplicates++;
        if (verdict.ack.seq > this.lastSeq) this.lastSeq = verdict.ack.seq;
        this.sendWindow.settle(entry);
        this.handlers.stored(entry.message, verdict.ack);
        this.pump();
        return;
      case 'refused':
        this.sendWindow.settle(entry);
        this.counters.failed++;
        this.handlers.failed(entry.message, { reason: verdict.reason, maybeStored: entry.uncertain });
        this.pump();
        return;
      case 'retry':
        // A refusal of an attempt made before the latest go-back: that attempt is moot, a new one comes.
        // This attempt certainly did not store it; go-back must not mark it "maybe stored".
        if (!this.sendWindow.refused(entry)) return;
        this.onTrouble(verdict.reason);
        return;
    }
  }

  private checkAckTimeout(): void {
    if (this.closed || !this.connected) return;
    const oldest = this.sendWindow.oldestSent();
    if (oldest && Date.now() - oldest.sentAt >= this.ackTimeoutMs) {
      this.onTrouble(`no acknowledgement within ${this.ackTimeoutMs} ms`);
    }
  }

  /**
   * Something was not stored while connected. Resend everything unacknowledged from the oldest, one
   * message at a time, after a back-off; give up on all of it once the server has stored nothing for
   * `giveUpAfterMs`.
   */
  private onTrouble(reason: string): void {
    const now = Date.now();
    if (!this.troubleSince) this.troubleSince = now;
    this.lastTrouble = reason;
    if (now - this.troubleSince >= this.giveUpAfterMs) {
      const seconds = ((now - this.troubleSince) / 1000).toFixed(1);
      this.failWhere(() => true, `${reason}; JetStream has stored nothing from this connection for ${seconds} s`);
      return;
    }
    this.sendWindow.goBack();
    this.probing = true;
    this.failuresInRow++;
    this.retryAt = now + backoffMs(this.failuresInRow);
    this.reconcileIfNeeded();
    this.pump();
  }

  /** After a reconnect: the window as the stream has it now decides which resends need a look-up first. */
  private recheckWindowThenResend(): void {
    const read = this.readDuplicateWindow;
    if (!read) {
      this.reconcileIfNeeded();
      this.pump();
      return;
    }
    // Sending stays paused (as during a look-up) until the window is known.
    this.reconciling = true;
    const generation = this.generation;
    const resume = (windowMs: number): void => {
      if (generation !== this.generation || this.closed) return; // disconnected again: redone on reconnect
      this.duplicateWindowMs = windowMs;
      this.reconciling = false;
      this.reconcileIfNeeded();
      this.pump();
    };
    read().then(resume, () => resume(0));
  }

  /**
   * Before anything is resent: is a message in doubt for so long that the server's duplicate window
   * may have forgotten its first store? Then look the doubtful ones up in the stream and settle those
   * found, instead of storing them a second time. Sending pauses meanwhile. Returns true when a look-up
   * started.
   */
  private reconcileIfNeeded(): boolean {
    if (this.reconciling) return true;
    const risk = atRisk(this.sendWindow, Date.now(), this.duplicateWindowMs);
    if (!risk) return false;
    const findStored = this.findStored;
    if (!findStored) {
      this.acceptRisk(risk);
      return false;
    }
    this.reconciling = true;
    const generation = this.generation;
    findStored(risk.fromSeq, this.msgIdPrefix).then(
      (found) => {
        if (generation !== this.generation || this.closed) return; // disconnected meanwhile: redone on reconnect
        // Still paused while settling: a stored handler may enqueue, and the pump it triggers must not
        // resend an entry this loop is about to settle.
        this.applyFound(found, risk);
        this.reconciling = false;
        this.pump();
      },
      (error: unknown) => {
        if (generation !== this.generation || this.closed) return;
        this.reconciling = false;
        this.lastTrouble = `could not look up messages in doubt (${error instanceof Error ? error.message : String(error)}); resent them, duplicates possible`;
        this.acceptRisk(risk);
        this.pump();
      },
    );
    return true;
  }

  private applyFound(found: Map<string, PubAck>, risk: AtRisk<T>): void {
    const stored = readLookup(this.sendWindow, this.msgIdPrefix, found, risk);
    for (const [entry, ack] of stored) {
      this.counters.reconciled++;
      this.counters.stored++;
      if (ack.seq > this.lastSeq) this.lastSeq = ack.seq;
      this.sendWindow.settle(entry);
    }
    // Handlers only once everything found is settled (see failWhere).
    for (const [entry, ack] of stored) this.handlers.stored(entry.message, ack);
  }

  /** No look-up possible: resend anyway (a possible duplicate), counted as such. */
  private acceptRisk(risk: AtRisk<T>): void {
    this.counters.unverifiedResends += risk.entries.length;
    acceptRisk(risk);
  }

  private pump(): void {
    if (this.closed || !this.connected || this.reconciling) return;
    const window = this.sendWindow;
    // Called for every ack and every enqueue: most calls stop here, before reading the clock.
    if (window.inFlight > this.lowWater) return;
    const now = Date.now();
    if (now < this.retryAt) {
      if (!this.retryTimer) {
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          this.pump();
        }, this.retryAt - now);
        this.retryTimer.unref();
      }
      return;
    }
    const limit = this.probing ? 1 : this.window;
    while (window.inFlight < limit) {
      const entry = window.nextToSend();
      if (!entry) return;
      this.send(entry, now);
      if (this.closed) return;
    }
  }

  private send(entry: Entry<T>, now: number): void {
    const { subject, data } = entry.message;
    if (this.denied.size > 0 && this.denied.has(subject)) {
      this.fail(entry, { reason: `permissions violation: this connection may not publish to ${subject}`, maybeStored: entry.uncertain });
      return;
    }
    try {
      // The id names the message twice: its reply subject (to find the entry) and its Nats-Msg-Id (for the
      // stream's duplicate window). Fresh header bytes per send: nats.js keeps them, not a copy, until it flushes.
      const id = idToken(entry.id);
      this.headers.bytes = msgIdHeader(this.headerPrefix, id);
      this.nc.publish(subject, data, { reply: this.replyBase + id, headers: this.headers });
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      const code = err instanceof NatsError ? err.code : '';
      if (code === ErrorCode.ConnectionClosed || code === ErrorCode.ConnectionDraining) {
        this.shutdown(`the NATS connection is ${code === ErrorCode.ConnectionClosed ? 'closed' : 'draining'}`);
        return;
      }
      const reason =
        code === ErrorCode.MaxPayloadExceeded
          ? `message of ${data.length} bytes exceeds the server's max_payload of ${this.nc.info?.max_payload ?? '?'} bytes`
          : `publish failed: ${err.message}`;
      this.fail(entry, { reason, maybeStored: entry.uncertain });
      return;
    }
    if (entry.attempts > 0) this.counters.retries++;
    this.sendWindow.markSent(entry, now, this.lastSeq);
  }

  private fail(entry: Entry<T>, failure: PublishFailure): void {
    this.sendWindow.settle(entry);
    this.counters.failed++;
    this.notifyFailed(entry.message, failure);
  }

  /**
   * Handlers never run inside `enqueue()`: a caller that enqueues from a loop would otherwise see its
   * own handler (and whatever that enqueues) interleave with the loop and reorder its messages.
   */
  private notifyFailed(message: T, failure: PublishFailure): void {
    if (this.depth > 0) queueMicrotask(() => this.handlers.failed(message, failure));
    else this.handlers.failed(message, failure);
  }

  private failWhere(match: (entry: Entry<T>) => boolean, reason: string): void {
    const victims = this.sendWindow.pending().filter(match);
    const failures = victims.map((entry): [T, PublishFailure] => [entry.message, { reason, maybeStored: entry.uncertain || entry.state === SENT }]);
    // Settle every victim before any handler runs: a handler may enqueue, and the pump that triggers
    // must not send a victim that is about to be reported as failed.
    for (const entry of victims) {
      this.sendWindow.settle(entry);
      this.counters.failed++;
    }
    for (const [message, failure] of failures) this.notifyFailed(message, failure);
    this.pump();
  }
}
