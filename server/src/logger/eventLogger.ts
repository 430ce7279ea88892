import { encodeEvent } from '../codec/encode';
import type { JobEvent } from '../model/event';
import { JobEvents } from '../model/factories';
import type { NatsSession } from '../storage/session';
import { SubjectShape, subjectForEvent } from '../subjects/subject';
import { TimeoutError } from '../util/timeout';
import { AckPublisher, PublisherClosedError, PublishFailure } from './ackPublisher';
import { duplicateWindowOf, findStoredByMsgId } from './findStored';
import { PayloadSlab } from './payloadSlab';
import type { PubAck } from './pubAck';

/**
 * The seed's `AsyncJobEventLogger`, fixed (seed errata 6 and 7):
 * - publishes through {@link AckPublisher}: a bounded window of acknowledged publishes, each with a
 *   stable `Nats-Msg-Id`, instead of one awaited request after another;
 * - never drops: a full buffer makes `log()` wait (back-pressure) instead of growing without limit,
 *   and events logged while NATS is down wait in the buffer until it is back;
 * - never duplicates: retries and resends after a reconnect reuse the message id, which the stream's
 *   duplicate window drops;
 * - sets `nats_subject` before encoding, so the stored payload carries it;
 * - accounts for every event: `stop()` says how many were stored and exactly which were not, and why.
 */

export interface EventLoggerOptions {
  /** When false every call is a no-op, as in the seed. Default true. */
  enabled?: boolean;
  /** Hand the buffer to the publisher once this many events wait. Default 100. */
  batchSize?: number;
  /** ... or this often, whatever the count. Default 5000. */
  flushIntervalMs?: number;
  /** Events logged and not yet stored or failed, at most; `log()` waits beyond it. Default 10000. */
  maxBufferSize?: number;
  /** Publishes in flight without an acknowledgement, at most (see {@link AckPublisher}). */
  window?: number;
  /** How long to wait for one acknowledgement, while connected, before resending. */
  ackTimeoutMs?: number;
  /** While connected, how long JetStream may store nothing before the waiting events fail. */
  giveUpAfterMs?: number;
  /** Failures kept for `flush()` and `stop()` to name; beyond this only counted. Default 10000. */
  maxFailuresKept?: number;
  /** Called once per stored event, after `event.nats_sequence` is set. */
  onStored?: (event: JobEvent, ack: PubAck) => void;
  /** Called once per event that will not be stored. */
  onFailed?: (failure: NotStored) => void;
}

export interface NotStored {
  event: JobEvent;
  reason: string;
  /** An attempt reached the server but its outcome is unknown: the event may be in the stream after all. */
  maybeStored: boolean;
}

export interface StopReport {
  /** Events stored over the logger's life. */
  stored: number;
  /** Events not stored over the logger's life (the first `maxFailuresKept`), with the reason. */
  notStored: NotStored[];
  /** Failures beyond `maxFailuresKept`, counted but not listed. */
  notStoredOmitted: number;
}

export interface LoggerStats {
  /** Events accepted by `log()` (waiting callers not included). */
  logged: number;
  stored: number;
  failed: number;
  /** Resends by the publisher (ack timeouts, reconnects, retryable errors). */
  retries: number;
  /** Events in doubt past the duplicate window found already stored (so not resent). */
  reconciled: number;
  /** Events in doubt past the duplicate window resent without a successful look-up: possible duplicates. */
  unverifiedResends: number;
  /** Acknowledgements that reported a duplicate: a resend of something already stored. */
  duplicates: number;
  /** Sent, waiting for the acknowledgement. */
  inFlight: number;
  /** Accepted and not yet stored or failed: waiting for a flush, for the window, or in flight. */
  buffered: number;
  /** `log()` calls waiting for buffer space. */
  waiting: number;
  connected: boolean;
  /** Why events are not being stored right now; empty when all is well. */
  trouble: string;
}

/** Every event named in a failed `flush()`. */
export class FlushError extends Error {
  override name = 'FlushError';
  constructor(readonly notStored: NotStored[]) {
    const first = notStored[0];
    super(
      `${notStored.length} event${notStored.length === 1 ? ' was' : 's were'} not stored` +
        (first ? `; first: ${first.event.event_type} of job ${first.event.job_id}: ${first.reason}` : ''),
    );
  }
}

export class LoggerStateError extends Error {
  override name = 'LoggerStateError';
}

/** One logged event: it is also the message the publisher sends (its subject and encoded payload). */
interface Item {
  readonly seq: number;
  readonly event: JobEvent;
  readonly subject: string;
  readonly data: Uint8Array;
  settled: boolean;
}

interface Waiter {
  readonly item: Item;
  resolve(): void;
}

interface FlushWaiter {
  readonly target: number;
  resolve(): void;
  reject(error: Error): void;
}

interface FailureRecord {
  readonly seq: number;
  readonly failure: NotStored;
  /** Already named by a `flush()` rejection (`stop()` still lists it). */
  reported: boolean;
}

type LoggerState = 'new' | 'running' | 'stopping' | 'stopped';

const RESOLVED: Promise<void> = Promise.resolve();

export class AsyncJobEventLogger {
  readonly enabled: boolean;
  readonly batchSize: number;
  readonly flushIntervalMs: number;
  readonly maxBufferSize: number;
  private readonly maxFailuresKept: number;

  private state: LoggerState = 'new';
  private publisher: AckPublisher<Item> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopping: Promise<StopReport> | undefined;

  /** Sequence of the last event given to `log()`, in call order (waiting callers included). */
  private seq = 0;
  /** Accepted, not yet handed to the publisher. */
  private pending: Item[] = [];
  /** Handed to the publisher, in order; `sentHead` is the first one possibly unsettled. */
  private sent: Item[] = [];
  private sentHead = 0;
  private inPublisher = 0;
  /** `log()` calls waiting for buffer space, in call order. */
  private waiters: Waiter[] = [];
  private waitersHead = 0;
  private flushWaiters: FlushWaiter[] = [];
  /** Highest target of a waiting `flush()`: events up to it go to the publisher at once. */
  private flushTarget = 0;

  private readonly payloads = new PayloadSlab();

  private logged = 0;
  private stored = 0;
  private failed = 0;
  private failures: FailureRecord[] = [];
  private failuresOmitted = 0;

  constructor(
    private readonly session: NatsSession,
    private readonly options: EventLoggerOptions = {},
  ) {
    this.enabled = options.enabled ?? true;
    this.batchSize = positive('batchSize', options.batchSize ?? 100);
    this.flushIntervalMs = positive('flushIntervalMs', options.flushIntervalMs ?? 5_000);
    this.maxBufferSize = positive('maxBufferSize', options.maxBufferSize ?? 10_000);
    this.maxFailuresKept = Math.max(0, options.maxFailuresKept ?? 10_000);
  }

  /** Subscribes for acknowledgements and starts the interval flush. Idempotent. */
  start(): void {
    if (!this.enabled || this.state === 'running') return;
    if (this.state !== 'new') throw new LoggerStateError('a stopped logger cannot be started again; create a new one');
    this.publisher = new AckPublisher<Item>(
      this.session.nc,
      { stored: (item, ack) => this.onStored(item, ack), failed: (item, failure) => this.onFailed(item, failure) },
      {
        window: this.options.window,
        ackTimeoutMs: this.options.ackTimeoutMs,
        giveUpAfterMs: this.options.giveUpAfterMs,
        inboxPrefix: this.session.options.connection.inboxPrefix,
        duplicateWindowMs: this.session.options.limits?.duplicateWindowMs,
        findStored: (fromSeq, msgIdPrefix) => findStoredByMsgId(this.session, fromSeq, msgIdPrefix),
        readDuplicateWindow: () => duplicateWindowOf(this.session),
      },
    );
    // The stream may predate us with another window than the one we would have configured.
    const publisher = this.publisher;
    duplicateWindowOf(this.session).then(
      (ms) => publisher.setDuplicateWindow(ms),
      () => undefined, // keep the configured value
    );
    this.timer = setInterval(() => this.flushPending(), this.flushIntervalMs);
    // Buffered events must not keep a process alive on their own; `stop()` is how to wait for them.
    this.timer.unref();
    this.state = 'running';
  }

  /**
   * Accepts one event for storage. The event's subject is derived (and its ids checked) now:
   * a bad id rejects with the `InvalidIdError` and nothing is buffered. `nats_subject` is set on the
   * event before it is encoded; `nats_sequence` once the stream acknowledges it.
   *
   * Resolves as soon as the event is buffered, or, when the buffer is full, once there is room:
   * await it to be slowed down to what NATS can take. Events are stored in the order of `log()` calls.
   */
  log(event: JobEvent, shape?: SubjectShape): Promise<void> {
    if (!this.enabled) return RESOLVED;
    if (this.state !== 'running') {
      return Promise.reject(new LoggerStateError(this.state === 'new' ? 'call start() before log()' : 'the logger is stopped'));
    }
    let item: Item;
    try {
      const subject = subjectForEvent(this.session.prefix, event, shape);
      event.nats_subject = subject;
      // Encoded now: the payload is what the caller logged, even if the object changes later.
      item = { seq: this.seq + 1, event, subject, data: encodeEvent(event, this.payloads.take), settled: false };
    } catch (error) {
      return Promise.reject(error);
    }
    this.seq = item.seq;
    if (this.waitersHead === this.waiters.length && this.buffered() < this.maxBufferSize) {
      this.accept(item);
      return RESOLVED;
    }
    return new Promise<void>((resolve) => this.waiters.push({ item, resolve }));
  }

  /**
   * Resolves once every event logged before this call is stored; rejects with a {@link FlushError}
   * naming those that will not be (each failure is named by one flush only). With `timeoutMs`, rejects
   * with a `TimeoutError` when that takes longer; the events stay buffered.
   */
  flush(timeoutMs?: number): Promise<void> {
    if (!this.enabled || this.state === 'new') return RESOLVED;
    const target = this.seq;
    this.flushTarget = Math.max(this.flushTarget, target);
    this.flushPending();
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter: FlushWaiter = {
        target,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.flushWaiters.push(waiter);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.flushWaiters = this.flushWaiters.filter((w) => w !== waiter);
          const left = target - this.floor() + 1;
          reject(new TimeoutError(`flush timed out after ${timeoutMs} ms with up to ${left} events not yet stored${this.troubleSuffix()}`));
        }, timeoutMs);
      }
      this.checkFlushes();
    });
  }

  /**
   * Flushes everything, waits up to `timeoutMs` for it to be stored, then gives up on the rest and
   * releases the subscription. `log()` calls still waiting for room are included; later ones reject.
   * The report covers the logger's whole life. Idempotent: a second call returns the same report.
   */
  stop(timeoutMs = 10_000): Promise<StopReport> {
    if (!this.enabled || this.state === 'new') {
      this.state = 'stopped';
      return Promise.resolve({ stored: this.stored, notStored: [], notStoredOmitted: 0 });
    }
    this.stopping ??= this.doStop(timeoutMs);
    return this.stopping;
  }

  stats(): LoggerStats {
    const p = this.publisher?.stats();
    return {
      logged: this.logged,
      stored: this.stored,
      failed: this.failed,
      retries: p?.retries ?? 0,
      reconciled: p?.reconciled ?? 0,
      unverifiedResends: p?.unverifiedResends ?? 0,
      duplicates: p?.duplicates ?? 0,
      inFlight: p?.inFlight ?? 0,
      buffered: this.buffered(),
      waiting: this.waiters.length - this.waitersHead,
      connected: p?.connected ?? false,
      trouble: this.publisher?.trouble() ?? '',
    };
  }

  // Helpers mirroring the seed's log_* methods: one per JobEvents factory, same parameters.

  logJobEnqueued(...args: Parameters<typeof JobEvents.enqueued>): Promise<void> {
    return this.log(JobEvents.enqueued(...args));
  }
  logJobDequeued(...args: Parameters<typeof JobEvents.dequeued>): Promise<void> {
    return this.log(JobEvents.dequeued(...args));
  }
  logJobStarted(...args: Parameters<typeof JobEvents.started>): Promise<void> {
    return this.log(JobEvents.started(...args));
  }
  logJobCompleted(...args: Parameters<typeof JobEvents.completed>): Promise<void> {
    return this.log(JobEvents.completed(...args));
  }
  logJobFailed(...args: Parameters<typeof JobEvents.failed>): Promise<void> {
    return this.log(JobEvents.failed(...args));
  }
  logJobCancelled(...args: Parameters<typeof JobEvents.cancelled>): Promise<void> {
    return this.log(JobEvents.cancelled(...args));
  }
  logJobTimeout(...args: Parameters<typeof JobEvents.timeout>): Promise<void> {
    return this.log(JobEvents.timeout(...args));
  }
  logRetryScheduled(...args: Parameters<typeof JobEvents.retryScheduled>): Promise<void> {
    return this.log(JobEvents.retryScheduled(...args));
  }
  logRetryStarted(...args: Parameters<typeof JobEvents.retryStarted>): Promise<void> {
    return this.log(JobEvents.retryStarted(...args));
  }
  logMaxRetriesExceeded(...args: Parameters<typeof JobEvents.maxRetriesExceeded>): Promise<void> {
    return this.log(JobEvents.maxRetriesExceeded(...args));
  }
  logDependencySatisfied(...args: Parameters<typeof JobEvents.dependencySatisfied>): Promise<void> {
    return this.log(JobEvents.dependencySatisfied(...args));
  }
  logDependencyFailed(...args: Parameters<typeof JobEvents.dependencyFailed>): Promise<void> {
    return this.log(JobEvents.dependencyFailed(...args));
  }
  logWaitingForDependencies(...args: Parameters<typeof JobEvents.waitingForDependencies>): Promise<void> {
    return this.log(JobEvents.waitingForDependencies(...args));
  }
  logJobScheduled(...args: Parameters<typeof JobEvents.scheduled>): Promise<void> {
    return this.log(JobEvents.scheduled(...args));
  }
  logScheduleChanged(...args: Parameters<typeof JobEvents.scheduleChanged>): Promise<void> {
    return this.log(JobEvents.scheduleChanged(...args));
  }
  logWorkerAssigned(...args: Parameters<typeof JobEvents.workerAssigned>): Promise<void> {
    return this.log(JobEvents.workerAssigned(...args));
  }
  logWorkerReleased(...args: Parameters<typeof JobEvents.workerReleased>): Promise<void> {
    return this.log(JobEvents.workerReleased(...args));
  }
  logQueuePriorityChanged(...args: Parameters<typeof JobEvents.queuePriorityChanged>): Promise<void> {
    return this.log(JobEvents.queuePriorityChanged(...args));
  }
  logQueueMoved(...args: Parameters<typeof JobEvents.queueMoved>): Promise<void> {
    return this.log(JobEvents.queueMoved(...args));
  }
  logTtlExpired(...args: Parameters<typeof JobEvents.ttlExpired>): Promise<void> {
    return this.log(JobEvents.ttlExpired(...args));
  }
  logTtlExtended(...args: Parameters<typeof JobEvents.ttlExtended>): Promise<void> {
    return this.log(JobEvents.ttlExtended(...args));
  }
  logWorkerLifecycle(...args: Parameters<typeof JobEvents.workerLifecycle>): Promise<void> {
    return this.log(JobEvents.workerLifecycle(...args));
  }

  // Internals.

  private buffered(): number {
    return this.pending.length + this.inPublisher;
  }

  private accept(item: Item): void {
    this.pending.push(item);
    this.logged++;
    if (this.pending.length >= this.batchSize || this.buffered() >= this.maxBufferSize || item.seq <= this.flushTarget || this.state !== 'running') {
      this.flushPending();
    }
  }

  /** Hands every pending event to the publisher, in order. */
  private flushPending(): void {
    if (this.pending.length === 0 || !this.publisher) return;
    const batch = this.pending;
    this.pending = [];
    for (const item of batch) {
      this.sent.push(item);
      this.inPublisher++;
      try {
        this.publisher.enqueue(item);
      } catch (error) {
        // Closed under us (the connection closed for good): the event cannot be stored any more.
        const reason = error instanceof PublisherClosedError ? error.message : `cannot publish: ${String(error)}`;
        this.onFailed(item, { reason, maybeStored: false });
      }
    }
  }

  private onStored(item: Item, ack: PubAck): void {
    item.event.nats_sequence = ack.seq;
    this.settle(item);
    this.stored++;
    if (this.options.onStored) this.callHook(() => this.options.onStored?.(item.event, ack));
    this.afterSettle();
  }

  private onFailed(item: Item, failure: PublishFailure): void {
    if (item.settled) return;
    this.settle(item);
    this.failed++;
    const notStored: NotStored = { event: item.event, reason: failure.reason, maybeStored: failure.maybeStored };
    if (this.failures.length < this.maxFailuresKept) this.failures.push({ seq: item.seq, failure: notStored, reported: false });
    else this.failuresOmitted++;
    if (this.options.onFailed) this.callHook(() => this.options.onFailed?.(notStored));
    this.afterSettle();
  }

  /**
   * A throwing hook must not leave the logger half-way through an acknowledgement: its error is
   * rethrown asynchronously instead (an uncaught exception, as from an EventEmitter listener).
   */
  private callHook(hook: () => void): void {
    try {
      hook();
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }

  private settle(item: Item): void {
    item.settled = true;
    this.inPublisher--;
  }

  private afterSettle(): void {
    this.trimSent();
    if (this.waitersHead < this.waiters.length) this.admitWaiters();
    if (this.flushWaiters.length > 0) this.checkFlushes();
  }

  /** Lets waiting `log()` calls in, oldest first, as far as there is room. */
  private admitWaiters(): void {
    while (this.waitersHead < this.waiters.length && (this.buffered() < this.maxBufferSize || this.state !== 'running')) {
      const waiter = this.waiters[this.waitersHead] as Waiter;
      this.waitersHead++;
      this.accept(waiter.item);
      waiter.resolve();
    }
    if (this.waitersHead === this.waiters.length) {
      this.waiters = [];
      this.waitersHead = 0;
    } else if (this.waitersHead > 1024 && this.waitersHead * 2 > this.waiters.length) {
      this.waiters = this.waiters.slice(this.waitersHead);
      this.waitersHead = 0;
    }
  }

  /** Drops settled events from the front of `sent`, so stored events are not kept alive. */
  private trimSent(): void {
    while (this.sentHead < this.sent.length && (this.sent[this.sentHead] as Item).settled) this.sentHead++;
    if (this.sentHead === this.sent.length) {
      this.sent = [];
      this.sentHead = 0;
    } else if (this.sentHead > 4096 && this.sentHead * 2 > this.sent.length) {
      // Amortised: one copy per many settles, instead of a shift() per settle.
      this.sent = this.sent.slice(this.sentHead);
      this.sentHead = 0;
    }
  }

  /** The oldest event not yet stored or failed; every event before it is settled. */
  private floor(): number {
    this.trimSent();
    const oldest = this.sent[this.sentHead] ?? this.pending[0] ?? this.waiters[this.waitersHead]?.item;
    return oldest ? oldest.seq : this.seq + 1;
  }

  private checkFlushes(): void {
    const floor = this.floor();
    const done = this.flushWaiters.filter((w) => w.target < floor);
    if (done.length === 0) return;
    this.flushWaiters = this.flushWaiters.filter((w) => w.target >= floor);
    for (const waiter of done) {
      const failed = this.failures.filter((f) => !f.reported && f.seq <= waiter.target);
      for (const f of failed) f.reported = true;
      if (failed.length === 0) waiter.resolve();
      else waiter.reject(new FlushError(failed.map((f) => f.failure)));
    }
  }

  private troubleSuffix(): string {
    const trouble = this.publisher?.trouble();
    return trouble ? ` (${trouble})` : '';
  }

  private async doStop(timeoutMs: number): Promise<StopReport> {
    this.state = 'stopping';
    clearInterval(this.timer);
    // Callers already waiting for room logged before stop(): they are part of "everything".
    this.admitWaiters();
    const target = this.seq;
    this.flushTarget = Math.max(this.flushTarget, target);
    this.flushPending();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.flushWaiters = this.flushWaiters.filter((w) => w !== waiter);
        resolve();
      }, timeoutMs);
      const waiter: FlushWaiter = {
        target,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        // Failures are listed in the report instead.
        reject: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.flushWaiters.push(waiter);
      this.checkFlushes();
    });
    const publisher = this.publisher as AckPublisher<Item>;
    if (this.floor() <= target) {
      const trouble = publisher.trouble();
      publisher.close(`not stored within stop()'s ${timeoutMs} ms${trouble ? `: ${trouble}` : ''}`);
    } else {
      publisher.close();
    }
    this.state = 'stopped';
    // Anything that was waiting on a flush now has its answer (stored or failed).
    this.checkFlushes();
    return { stored: this.stored, notStored: this.failures.map((f) => f.failure), notStoredOmitted: this.failuresOmitted };
  }
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number, got ${value}`);
  return value;
}
