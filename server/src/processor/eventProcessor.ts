import type { JobEvent } from '../model/event';
import type { EventType } from '../model/eventType';
import type { StartPosition } from '../storage/readResult';
import type { NatsSession } from '../storage/session';
import { allFilter, patternProblem } from '../subjects/subject';
import { TokenRule, tokenProblem } from '../subjects/tokens';
import { withTimeout } from '../util/timeout';
import { deleteDurable, DurableSource } from './durableSource';
import { HandlerError, HandlerScope, ProcessorConfigError, ProcessorError, ProcessorStreamError } from './errors';
import { Disposer, HandlerRegistry, JobEventHandler } from './handlers';
import { EphemeralSource } from './ephemeralSource';
import type { Delivery, EventSource } from './source';

export interface EventProcessorOptions {
  /** When false, start() and processEvent() do nothing (the seed's switch). Default true. */
  enabled?: boolean;
  /**
   * Name of a durable consumer group. Processors sharing it split the events (each is handled by one of
   * them) and a restarted group resumes where it stopped. Without it, each processor follows the stream
   * on its own ephemeral consumer, from start() on, deleted by stop().
   */
  consumerName?: string;
  /** Subject filter; default the whole event space `{prefix}.>`. One subject: 2.9 servers take one. */
  filter?: string;
  /** Default: events stored after start(). For a durable group, used only when its consumer is created. */
  start?: StartPosition;
  /** Handler failures, undecodable payloads and stream failures. Default: written to stderr. */
  onError?: (error: ProcessorError) => void;
  /** A handler still running after this counts as failed and the next one runs; 0 = no limit. Default 30 s. */
  handlerTimeoutMs?: number;
  /** stop() waits this long for the handler in progress. Default: the session's timeout. */
  stopTimeoutMs?: number;
  /** Durable only: the server redelivers an event not acked within this. Default 30 s. */
  ackWaitMs?: number;
  /** Durable only: events handed out and not yet acked, across the whole group. Default 1000. */
  maxAckPending?: number;
  /**
   * Events asked for per pull. Default 50 for a durable group (members share better, and fewer events wait
   * in a batch while ack_wait runs), 250 live (fewer round trips).
   */
  batchSize?: number;
}

export interface ProcessorStats {
  /** Events that went through processEvent (from the stream or handed in directly). */
  processed: number;
  /** Handler calls that threw, rejected or timed out. */
  handlerFailures: number;
  /** Stream messages that were not job events. */
  decodeErrors: number;
  /** Failed reads of the stream: retried, except once the connection is closed for good. */
  streamErrors: number;
  /** Events the server delivered again (durable only): an earlier holder did not ack in time. */
  redelivered: number;
  /** Stream sequence of the last event or payload taken from the stream. */
  lastSequence: number | null;
  running: boolean;
}

const DEFAULT_HANDLER_TIMEOUT_MS = 30_000;
const DEFAULT_ACK_WAIT_MS = 30_000;
const DEFAULT_MAX_ACK_PENDING = 1_000;
const DEFAULT_DURABLE_BATCH = 50;
const DEFAULT_LIVE_BATCH = 250;
const MAX_TIMER_MS = 2_147_483_647;

interface Running {
  source: EventSource;
  abort: AbortController;
  loop: Promise<void>;
  ended: boolean;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function handlerName(handler: JobEventHandler): string {
  return handler.name || 'anonymous';
}

function atLeast(name: string, value: number | undefined, fallback: number, min = 1): number {
  const chosen = value ?? fallback;
  if (!Number.isFinite(chosen) || chosen < min) throw new ProcessorConfigError(`${name} must be a number of at least ${min}, got ${value}`);
  return chosen;
}

const NAME_RULES: Record<TokenRule, string> = {
  empty: 'must not be empty',
  'too-long': 'is too long',
  dot: "must not contain '.'",
  wildcard: "must not contain '*' or '>'",
  whitespace: 'must not contain whitespace',
  control: 'must not contain control characters',
  reserved: 'is reserved',
};

function defaultOnError(error: ProcessorError): void {
  console.error(`[naq event processor] ${error.message}`);
}

/**
 * Calls handlers for job events, either handed in (processEvent) or read from the stream by a
 * background loop (start/stop). The seed's AsyncJobEventProcessor, with removal, error reporting,
 * durable consumer groups and a loop that outlives server restarts.
 */
export class EventProcessor {
  readonly enabled: boolean;
  readonly consumerName: string | undefined;
  readonly filter: string;
  private readonly handlers = new HandlerRegistry();
  private readonly onError: (error: ProcessorError) => void;
  private readonly handlerTimeoutMs: number;
  private readonly stopTimeoutMs: number;
  private readonly counts = { processed: 0, handlerFailures: 0, decodeErrors: 0, streamErrors: 0, redelivered: 0 };
  private lastSequence: number | null = null;
  private running: Running | undefined;
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;

  constructor(
    readonly session: NatsSession,
    private readonly options: EventProcessorOptions = {},
  ) {
    this.enabled = options.enabled ?? true;
    this.onError = options.onError ?? defaultOnError;
    this.filter = options.filter ?? allFilter(session.prefix);
    const filterProblem = patternProblem(this.filter);
    if (filterProblem) throw new ProcessorConfigError(`invalid filter ${JSON.stringify(this.filter)}: ${filterProblem.reason}`);
    if (options.consumerName !== undefined) {
      // Durable names become API subject tokens: the server refuses '.', '*' and '>' ("invalid durable name").
      const rule = tokenProblem(options.consumerName);
      if (rule) throw new ProcessorConfigError(`invalid consumer name ${JSON.stringify(options.consumerName)}: ${NAME_RULES[rule]}`);
    }
    this.consumerName = options.consumerName;
    this.handlerTimeoutMs = atLeast('handlerTimeoutMs', options.handlerTimeoutMs, DEFAULT_HANDLER_TIMEOUT_MS, 0);
    this.stopTimeoutMs = atLeast('stopTimeoutMs', options.stopTimeoutMs, session.timeoutMs);
    atLeast('ackWaitMs', options.ackWaitMs, DEFAULT_ACK_WAIT_MS, 1_000);
    atLeast('maxAckPending', options.maxAckPending, DEFAULT_MAX_ACK_PENDING);
    atLeast('batchSize', options.batchSize, DEFAULT_DURABLE_BATCH);
  }

  // ---- handlers -------------------------------------------------------------------------------

  addHandler(type: EventType, handler: JobEventHandler): Disposer {
    return this.handlers.add(type, handler);
  }

  removeHandler(type: EventType, handler: JobEventHandler): boolean {
    return this.handlers.remove(type, handler);
  }

  addGlobalHandler(handler: JobEventHandler): Disposer {
    return this.handlers.addGlobal(handler);
  }

  removeGlobalHandler(handler: JobEventHandler): boolean {
    return this.handlers.removeGlobal(handler);
  }

  /** Registered handlers: for one type (global ones not included), or all of them. */
  handlerCount(type?: EventType): number {
    return this.handlers.count(type);
  }

  /**
   * Runs the handlers of the event's type, then the global ones, one after another in registration
   * order. A handler that throws, rejects or outruns `handlerTimeoutMs` is reported and the next one
   * runs; this never rejects.
   */
  async processEvent(event: JobEvent): Promise<void> {
    if (!this.enabled) return;
    for (const { handler, scope } of this.handlers.forEvent(event.event_type)) {
      try {
        await this.call(handler, event);
      } catch (error) {
        this.failed(event, scope, handler, error);
      }
    }
    this.counts.processed++;
  }

  private async call(handler: JobEventHandler, event: JobEvent): Promise<void> {
    const result = handler(event);
    if (!isThenable(result)) return;
    const settled = Promise.resolve(result);
    if (this.handlerTimeoutMs === 0) {
      await settled;
      return;
    }
    // The handler keeps running after a timeout; race() has subscribed to it, so a late rejection is not unhandled.
    await withTimeout(settled, this.handlerTimeoutMs, `handler ${handlerName(handler)}`);
  }

  private failed(event: JobEvent, scope: HandlerScope, handler: JobEventHandler, error: unknown): void {
    this.counts.handlerFailures++;
    this.report(new HandlerError(event, scope, handlerName(handler), error));
  }

  private report(error: ProcessorError): void {
    try {
      this.onError(error);
    } catch {
      // A broken error callback must not take the loop (and the acks behind it) down with it.
    }
  }

  /** Calls `handler` for the events of one job, optionally only of some types. */
  monitorJob(jobId: string, handler: JobEventHandler, eventTypes?: readonly EventType[]): Disposer {
    const types = eventTypes ? new Set<EventType>(eventTypes) : undefined;
    const monitor: JobEventHandler = (event) => {
      if (event.job_id !== jobId || (types && !types.has(event.event_type))) return;
      return handler(event);
    };
    // Failures are reported under this name, which says whose monitor it was.
    Object.defineProperty(monitor, 'name', { value: `monitorJob(${JSON.stringify(jobId)}):${handlerName(handler)}` });
    return this.handlers.addGlobal(monitor);
  }

  /**
   * The next event of `eventType` for `jobId` that the processor handles, or null after `timeoutMs`.
   * Only events processed after the call count: a job that already logged it waits in vain. The
   * handler is removed on both outcomes (the seed called a remove method that did not exist).
   */
  waitForJobEvent(jobId: string, eventType: EventType, timeoutMs: number): Promise<JobEvent | null> {
    return new Promise((resolve) => {
      let dispose: Disposer = () => undefined;
      const finish = (event: JobEvent | null): void => {
        clearTimeout(timer);
        dispose();
        resolve(event);
      };
      // Node fires at once for delays past 2^31-1 ms (about 24.8 days): clamp rather than time out immediately.
      const timer = setTimeout(() => finish(null), Math.min(timeoutMs, MAX_TIMER_MS));
      dispose = this.handlers.add(eventType, function waitForJobEvent(event) {
        if (event.job_id === jobId) finish(event);
      });
    });
  }

  // ---- background loop ------------------------------------------------------------------------

  /** True from start() until stop(), unless the loop gave up because the connection closed for good. */
  get isRunning(): boolean {
    return this.running !== undefined && !this.running.ended;
  }

  stats(): ProcessorStats {
    return { ...this.counts, lastSequence: this.lastSequence, running: this.isRunning };
  }

  /**
   * Starts feeding stream events to the handlers. Resolves once the consumer is in place (events stored
   * from then on are seen); rejects when it cannot be set up (no stream, a durable consumer of the same
   * name set up differently, server unreachable). Later stream failures are reported and retried.
   */
  async start(): Promise<void> {
    if (!this.enabled) return;
    if (this.stopping) await this.stopping;
    if (this.isRunning) return;
    // A loop that ended by itself still holds a source to release before a new one starts.
    if (this.running) await this.stop();
    this.starting ??= this.launch().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async launch(): Promise<void> {
    const source = this.createSource();
    await source.open();
    const abort = new AbortController();
    const running: Running = { source, abort, loop: Promise.resolve(), ended: false };
    running.loop = source
      .run((delivery) => this.deliver(delivery), abort.signal)
      // Sources catch stream failures themselves; this is for a bug, which must not become an unhandled rejection.
      .catch((error: unknown) => this.reportStream(new ProcessorStreamError(source.description, 0, null, error)))
      .finally(() => {
        // The loop also ends on its own when the connection is closed for good.
        running.ended = true;
      });
    this.running = running;
  }

  private readonly reportStream = (error: ProcessorError): void => {
    this.counts.streamErrors++;
    this.report(error);
  };

  private createSource(): EventSource {
    const reportStream = this.reportStream;
    const batchSize = this.options.batchSize ?? (this.consumerName === undefined ? DEFAULT_LIVE_BATCH : DEFAULT_DURABLE_BATCH);
    if (this.consumerName === undefined) return new EphemeralSource(this.session, this.filter, this.options.start, batchSize, reportStream);
    return new DurableSource(
      this.session,
      {
        name: this.consumerName,
        filter: this.filter,
        start: this.options.start ?? { from: 'new' },
        ackWaitMs: this.options.ackWaitMs ?? DEFAULT_ACK_WAIT_MS,
        maxAckPending: this.options.maxAckPending ?? DEFAULT_MAX_ACK_PENDING,
        batchSize,
      },
      reportStream,
    );
  }

  private async deliver(delivery: Delivery): Promise<void> {
    if (delivery.kind === 'error') {
      this.counts.decodeErrors++;
      if (delivery.error.seq !== undefined) this.lastSequence = delivery.error.seq;
      this.report(delivery.error);
      return;
    }
    if (delivery.redelivered) this.counts.redelivered++;
    if (delivery.event.nats_sequence !== null) this.lastSequence = delivery.event.nats_sequence;
    await this.processEvent(delivery.event);
  }

  /**
   * Stops the loop: waits up to `stopTimeoutMs` for the handler in progress, then deletes the ephemeral
   * consumer (live mode) or gives unhandled messages back to the group and flushes acks (durable mode;
   * the durable consumer stays, see deleteDurable). A handler still running after the wait finishes in
   * the background.
   */
  async stop(): Promise<void> {
    if (this.starting) await this.starting.catch(() => undefined);
    this.stopping ??= this.halt().finally(() => {
      this.stopping = undefined;
    });
    return this.stopping;
  }

  private async halt(): Promise<void> {
    const running = this.running;
    if (!running) return;
    this.running = undefined;
    running.abort.abort();
    await withTimeout(running.loop, this.stopTimeoutMs, 'stopping the event processor').catch(() => undefined);
    await withTimeout(running.source.release(), this.session.timeoutMs, 'releasing the event consumer').catch(() => undefined);
  }

  /** Stops, then deletes the group's durable consumer (every member loses its place). False when there was none. */
  async deleteDurable(): Promise<boolean> {
    if (this.consumerName === undefined) throw new ProcessorConfigError('this processor has no consumerName: there is no durable consumer to delete');
    await this.stop();
    return deleteDurable(this.session, this.consumerName);
  }
}
