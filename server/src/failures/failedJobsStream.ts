/**
 * NAQ's failed-jobs stream (`naq_failed_jobs`, one pickled dict per failed job on `naq.failed.<queue>`): the third
 * traceback source, and the only one that names the function a job ran with the repr of its arguments. Its
 * subjects are per queue, not per job, so it is read once from the start and followed (storage/follower);
 * a stream that does not exist is not used and never created. Only read: no configuration is touched.
 *
 * Each entry is kept as compactly as the failure store keeps a failure: its traceback's frames are the store's
 * shared list for that code path (`FailureStore.holdTraceback`), so 100,000 entries over a few hundred code paths
 * keep a few hundred frame lists, not 100,000 parsed tracebacks.
 */
import { follow } from '../storage/follower';
import type { NatsSession } from '../storage/session';
import { withTimeout } from '../util/timeout';
import type { HeldTraceback } from './failureStore';
import { ownCopy, StringPool } from './interner';
import { decodeFailedJobValue, NaqValueError } from './naqValues';
import { parseTraceback, type RaisedTraceback } from './traceback';

export const FAILED_JOBS_STREAM = 'naq_failed_jobs';

/** What a failed job was asked to do, as NAQ recorded it. */
export interface FailedCall {
  readonly function: string;
  readonly args: string | null;
  readonly kwargs: string | null;
}

export interface FailedJobEntry {
  readonly call?: FailedCall;
  readonly traceback?: HeldTraceback;
}

/** Where entries keep their tracebacks: the failure store. */
export interface TracebackKeeper {
  holdTraceback(traceback: RaisedTraceback): HeldTraceback;
  releaseTraceback(held: HeldTraceback): void;
}

export interface FailedJobsListener {
  /** An entry arrived for a job after the stream was caught up with. */
  written(jobId: string): void;
  /** An entry naming the job's call was read, while catching up or live. */
  called(jobId: string, call: FailedCall): void;
  log(message: string): void;
}

/** The newest entries kept; older jobs' entries are dropped first (a failed-jobs stream can grow without limit). */
export const MAX_FAILED_ENTRIES = 100_000;

function isNotFound(error: unknown): boolean {
  return /stream not found|404/i.test((error as Error).message ?? '');
}

export class FailedJobsStream {
  private started: Promise<boolean> | undefined;
  private readonly entries = new Map<string, FailedJobEntry>();
  /** Function names: a few per code base, shared by every entry. */
  private readonly functions = new StringPool();
  private readonly following = new AbortController();
  private closed = false;
  private caughtUp!: () => void;
  private readonly ready = new Promise<void>((resolve) => (this.caughtUp = resolve));

  constructor(
    private readonly session: NatsSession,
    private readonly keeper: TracebackKeeper,
    private readonly listener: FailedJobsListener,
    readonly stream = FAILED_JOBS_STREAM,
  ) {}

  /** The job's entry once everything stored before the call has been read; undefined when there is none. */
  async entry(jobId: string): Promise<FailedJobEntry | undefined> {
    if (!(await this.available())) return undefined;
    await withTimeout(this.ready, this.session.timeoutMs, `reading ${this.stream}`);
    return this.entries.get(jobId);
  }

  /** Starts following the stream, if it exists, without waiting: the calls of jobs then come to `called`. */
  start(): void {
    void this.available();
  }

  /** The job's call as read so far, without waiting for the stream. */
  call(jobId: string): FailedCall | undefined {
    return this.entries.get(jobId)?.call;
  }

  /** Stops following and lets go of every entry's traceback. */
  async close(): Promise<void> {
    this.closed = true;
    this.caughtUp();
    this.following.abort();
    for (const jobId of [...this.entries.keys()]) this.drop(jobId);
  }

  private available(): Promise<boolean> {
    this.started ??= withTimeout(this.session.jsm.streams.info(this.stream), this.session.timeoutMs, `reading the state of stream ${this.stream}`).then(
      async (info) => {
        await this.follow(info.state.messages);
        return true;
      },
      (error: unknown) => {
        if (!isNotFound(error)) this.listener.log(`failures: failed-jobs stream ${this.stream} not usable: ${(error as Error).message}`);
        return false;
      },
    );
    return this.started;
  }

  private async follow(stored: number): Promise<void> {
    if (this.closed) return;
    let ready!: () => void;
    const started = new Promise<void>((resolve) => (ready = resolve));
    const messages = follow(this.session, { stream: this.stream, filter: 'naq.failed.>', start: { from: 'all' }, signal: this.following.signal, onReady: ready });
    if (stored === 0) this.caughtUp();
    let live = stored === 0;
    const reading = (async () => {
      for await (const msg of messages) {
        const jobId = this.add(msg.subject, msg.data);
        if (live && jobId) this.listener.written(jobId);
        if (!live && msg.info.pending === 0) {
          live = true;
          this.caughtUp();
        }
      }
    })()
      .catch((error: unknown) => this.listener.log(`failures: following ${this.stream} stopped: ${(error as Error).message}`))
      .finally(() => this.caughtUp());
    // Returns once the consumer exists (or reading ended): what is stored from then on will be read.
    await Promise.race([started, reading]);
  }

  private add(subject: string, data: Uint8Array): string | undefined {
    if (this.closed) return undefined;
    try {
      const value = decodeFailedJobValue(data);
      if (!value.jobId) return undefined;
      const jobId = ownCopy(value.jobId);
      const parsed = value.traceback ? parseTraceback(value.traceback) : undefined;
      const call = value.functionName ? { function: this.functions.hold(value.functionName), args: value.argsRepr === undefined ? null : ownCopy(value.argsRepr), kwargs: value.kwargsRepr === undefined ? null : ownCopy(value.kwargsRepr) } : undefined;
      this.drop(jobId);
      this.entries.set(jobId, { ...(call ? { call } : {}), ...(parsed ? { traceback: this.keeper.holdTraceback(parsed) } : {}) });
      if (this.entries.size > MAX_FAILED_ENTRIES) this.drop(this.entries.keys().next().value as string);
      if (call) this.listener.called(jobId, call);
      return jobId;
    } catch (error) {
      if (error instanceof NaqValueError) {
        this.listener.log(`failures: ${this.stream} ${subject}: ${error.message}`);
        return undefined;
      }
      throw error;
    }
  }

  private drop(jobId: string): void {
    const entry = this.entries.get(jobId);
    if (!entry) return;
    this.entries.delete(jobId);
    if (entry.traceback) this.keeper.releaseTraceback(entry.traceback);
    if (entry.call) this.functions.release(entry.call.function);
  }
}
