/**
 * NAQ's failed-jobs stream (`naq_failed_jobs`, one pickled dict per failed job on `naq.failed.<queue>`): the third
 * traceback source, and the only one that names the function a job ran with the repr of its arguments. Its
 * subjects are per queue, not per job, so it is read once from the start and followed (storage/follower);
 * a stream that does not exist is not used and never created. Only read: no configuration is touched.
 */
import { follow } from '../storage/follower';
import type { NatsSession } from '../storage/session';
import { withTimeout } from '../util/timeout';
import { decodeFailedJobValue, NaqValueError } from './naqValues';
import { parseTraceback, type ParsedTraceback } from './traceback';

export const FAILED_JOBS_STREAM = 'naq_failed_jobs';

/** What a failed job was asked to do, as NAQ recorded it. */
export interface FailedCall {
  readonly function: string;
  readonly args: string | null;
  readonly kwargs: string | null;
}

export interface FailedJobEntry {
  readonly call?: FailedCall;
  readonly traceback?: ParsedTraceback;
}

/** The newest entries kept; older jobs' entries are dropped first (a failed-jobs stream can grow without limit). */
export const MAX_FAILED_ENTRIES = 100_000;

function isNotFound(error: unknown): boolean {
  return /stream not found|404/i.test((error as Error).message ?? '');
}

export class FailedJobsStream {
  private started: Promise<boolean> | undefined;
  private readonly entries = new Map<string, FailedJobEntry>();
  private readonly following = new AbortController();
  private closed = false;
  private caughtUp!: () => void;
  private readonly ready = new Promise<void>((resolve) => (this.caughtUp = resolve));

  constructor(
    private readonly session: NatsSession,
    /** An entry arrived for a job after the stream was caught up with. */
    private readonly written: (jobId: string) => void,
    private readonly log: (message: string) => void,
    readonly stream = FAILED_JOBS_STREAM,
  ) {}

  /** The job's entry once everything stored before the call has been read; undefined when there is none. */
  async entry(jobId: string): Promise<FailedJobEntry | undefined> {
    if (!(await this.available())) return undefined;
    await withTimeout(this.ready, this.session.timeoutMs, `reading ${this.stream}`);
    return this.entries.get(jobId);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.caughtUp();
    this.following.abort();
  }

  private available(): Promise<boolean> {
    this.started ??= withTimeout(this.session.jsm.streams.info(this.stream), this.session.timeoutMs, `reading the state of stream ${this.stream}`).then(
      async (info) => {
        await this.follow(info.state.messages);
        return true;
      },
      (error: unknown) => {
        if (!isNotFound(error)) this.log(`failures: failed-jobs stream ${this.stream} not usable: ${(error as Error).message}`);
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
        if (live && jobId) this.written(jobId);
        if (!live && msg.info.pending === 0) {
          live = true;
          this.caughtUp();
        }
      }
    })()
      .catch((error: unknown) => this.log(`failures: following ${this.stream} stopped: ${(error as Error).message}`))
      .finally(() => this.caughtUp());
    // Returns once the consumer exists (or reading ended): what is stored from then on will be read.
    await Promise.race([started, reading]);
  }

  private add(subject: string, data: Uint8Array): string | undefined {
    try {
      const value = decodeFailedJobValue(data);
      if (!value.jobId) return undefined;
      const traceback = value.traceback ? parseTraceback(value.traceback) : undefined;
      const call = value.functionName ? { function: value.functionName, args: value.argsRepr ?? null, kwargs: value.kwargsRepr ?? null } : undefined;
      this.entries.delete(value.jobId);
      this.entries.set(value.jobId, { ...(call ? { call } : {}), ...(traceback ? { traceback } : {}) });
      if (this.entries.size > MAX_FAILED_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
      return value.jobId;
    } catch (error) {
      if (error instanceof NaqValueError) {
        this.log(`failures: ${this.stream} ${subject}: ${error.message}`);
        return undefined;
      }
      throw error;
    }
  }
}
