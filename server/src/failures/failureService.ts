/**
 * Keeps the failure store in step with the index: each change names jobs; a job whose last error is a stored
 * failed event gets its traceback from the event's details as the backend's follow delivers it (`follower`), else
 * looked up (the event read back, then the result bucket, then the failed-jobs stream, which also gives the call);
 * a job gone from the index takes its failure with it. The backend feeds it one call per index change.
 *
 * A build or a restored snapshot names every failed job at once (20,000 on the 1M-event benchmark): the lookups
 * wait in a queue of job ids and at most `MAX_LOOKUPS` run at a time, so their requests and replies in flight
 * stay small; 20,000 at once grew the backend's peak by about 190 MB at 1M events, which the process then kept.
 * A restored snapshot holds the store as it was (the follower saves it), so only what it did not hold is looked up.
 *
 * NAQ's failed-jobs stream, when it exists, is followed as soon as a failure is known: it gives the call (function,
 * argument reprs) of failures whose traceback came from elsewhere too, whichever of the two is read first.
 */
import type { JobIndex } from '../index/jobIndex';
import type { JobError } from '../index/jobSummary';
import { readSequences } from '../storage/sequenceRead';
import type { NatsSession } from '../storage/session';
import { DetailsFollower } from './detailsFollower';
import { FailedJobsStream, type FailedCall, type FailedJobEntry } from './failedJobsStream';
import { FailureStore, type FailureRecord } from './failureStore';
import { PathMapper, type PathMapping } from './pathMapper';
import { resultBucketName, ResultBucket, tracebackFromDetails, type FoundTraceback } from './tracebackSources';

/** What the service reads from the backend; both undefined while disconnected. */
export interface FailureHost {
  index(): JobIndex | undefined;
  session(): NatsSession | undefined;
}

export interface FailureListener {
  /** Failures whose raise site is in these workspace files appeared, changed or left. */
  filesChanged(files: ReadonlySet<string>): void;
  /** A known failure learned its call (it came after the failure): no site changed, but a timeline shows it. */
  callsChanged(): void;
  log(message: string): void;
}

export interface FailureServiceSettings {
  readonly folders: readonly string[];
  readonly pathMappings: readonly PathMapping[];
  readonly resultBucket?: string;
}

/** What the index tells about changed jobs: ids, or everything after a rebuild. */
export interface JobChange {
  readonly reset: boolean;
  readonly jobs: readonly string[];
}

/** Lookups in flight at most: enough to keep the server busy, few enough that their memory does not show. */
export const MAX_LOOKUPS = 32;

export class FailureService {
  readonly store: FailureStore;
  /** The stream handler the backend adds: failed events with a traceback in their details, as they are stored. */
  readonly follower = new DetailsFollower({
    found: (record) => this.found(record),
    save: () => this.store.saveState(),
    restore: (state) => this.notify(this.store.restoreState(state)),
    reset: () => this.notify(this.store.clear()),
    changes: () => this.store.changes,
  });
  private settings: FailureServiceSettings = { folders: [], pathMappings: [] };
  private bucket: ResultBucket | undefined;
  private bucketSession: NatsSession | undefined;
  private failedJobs: FailedJobsStream | undefined;
  private failedJobsSession: NatsSession | undefined;
  /** Jobs to look at, in the order named; a job named again while it waits keeps its place. */
  private readonly queued = new Set<string>();
  /**
   * Where `pump` goes on in `queued`: one iterator kept across calls. A fresh one each call walked over every id
   * already taken (a Set keeps their holes until it shrinks), which with 200,000 failed jobs at 10M events made
   * the lookups quadratic and `pump` the backend's busiest function while timelines were read.
   */
  private cursor: Iterator<string> = this.queued.values();
  /** Jobs whose lookup is in flight. */
  private readonly pending = new Set<string>();
  /** Jobs to look at again once their lookup in flight ends. */
  private readonly again = new Set<string>();
  /** Waiting for the queue to empty and the lookups in flight to end. */
  private idleWaiters: (() => void)[] = [];
  /** Lookups started so far: the log tells how many a reset of the index took once they are done. */
  private lookupsStarted = 0;
  private resetReport: { readonly failed: number; readonly lookupsBefore: number } | undefined;

  constructor(
    private readonly host: FailureHost,
    private readonly listener: FailureListener,
  ) {
    this.store = new FailureStore(new PathMapper([]));
  }

  configure(settings: FailureServiceSettings): void {
    const bucketChanged = resultBucketName(settings.resultBucket) !== resultBucketName(this.settings.resultBucket);
    this.settings = settings;
    if (bucketChanged) void this.dropBucket();
    this.notify(this.store.remap(new PathMapper(settings.folders, settings.pathMappings)));
  }

  /** One index change: the jobs it names, or every job after a rebuild. */
  indexChanged(change: JobChange): void {
    const index = this.host.index();
    if (!index) return;
    if (change.reset) {
      // Only the jobs with an error, by id: an overview of every job here made 200,000 objects at 1M events.
      const gone = new Set<string>();
      for (const jobId of [...this.store.jobIds()]) if (!index.has(jobId)) for (const file of this.store.remove(jobId)) gone.add(file);
      this.notify(gone);
      const lookupsBefore = this.lookupsStarted;
      let failed = 0;
      for (const jobId of index.jobsWithError()) {
        failed++;
        this.look(jobId);
      }
      this.resetReport = { failed, lookupsBefore };
      if (this.store.size > 0) this.followCalls();
      this.pump();
      return;
    }
    for (const jobId of change.jobs) this.look(jobId);
  }

  /** Lookups running and waiting for their turn. */
  get lookups(): { readonly inFlight: number; readonly waiting: number } {
    return { inFlight: this.pending.size, waiting: this.queued.size };
  }

  /** Resolves once every lookup queued so far, and any they queue again, has ended (tests and shutdown wait for it). */
  settled(): Promise<void> {
    if (this.queued.size === 0 && this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    // Lookups still queued would each fail on the closing connection and be logged one by one.
    this.queued.clear();
    this.again.clear();
    await this.dropBucket();
    await this.failedJobs?.close();
    this.failedJobs = undefined;
  }

  /**
   * A failed event just applied by the index: stored now when it is the job's last error, so that the index change
   * naming the job finds it known, and looks nothing up when its details held the traceback.
   */
  private found(record: FailureRecord): void {
    const summary = this.host.index()?.get(record.jobId);
    if (!summary || !isStoredFailure(summary.lastError, summary.sequences) || summary.lastError.seq !== record.seq) return;
    this.followCalls();
    const call = this.failedJobs?.call(record.jobId);
    this.notify(
      this.store.put({
        ...record,
        queue: record.queue ?? summary.queue,
        worker: record.worker ?? summary.worker,
        errorType: record.errorType ?? summary.lastError.type,
        errorMessage: record.errorMessage ?? summary.lastError.message,
        ...(call ? { call } : {}),
      }),
    );
  }

  /** Follows NAQ's failed-jobs stream, if it exists, for the calls of failures whose traceback came from elsewhere. */
  private followCalls(): void {
    const session = this.host.session();
    if (session) this.failedJobsStream(session).start();
  }

  /** The failed-jobs stream names a job's call: its failure takes it if it has none (the timeline shows it). */
  private called(jobId: string, call: FailedCall): void {
    if (this.store.attachCall(jobId, call)) this.listener.callsChanged();
  }

  private look(jobId: string): void {
    if (this.pending.has(jobId)) this.again.add(jobId);
    else this.queued.add(jobId);
    this.pump();
  }

  /** Starts queued lookups while fewer than `MAX_LOOKUPS` are in flight; each reads the index as it is then. */
  private pump(): void {
    while (this.pending.size < MAX_LOOKUPS) {
      const jobId = this.nextQueued();
      if (jobId === undefined) break;
      this.queued.delete(jobId);
      this.start(jobId);
    }
    if (this.pending.size === 0) {
      const report = this.resetReport;
      this.resetReport = undefined;
      if (report) this.listener.log(`failures: the index's reset named ${report.failed} failed jobs; ${this.lookupsStarted - report.lookupsBefore} lookups placed those the store did not hold`);
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private nextQueued(): string | undefined {
    let step = this.cursor.next();
    // A finished iterator stays finished: ids queued after it ended need a new one.
    if (step.done) {
      this.cursor = this.queued.values();
      step = this.cursor.next();
    }
    return step.done ? undefined : step.value;
  }

  private start(jobId: string): void {
    const summary = this.host.index()?.get(jobId);
    const failure = summary && isStoredFailure(summary.lastError, summary.sequences) ? summary.lastError : undefined;
    if (!summary || !failure || failure.seq === null) {
      this.notify(this.store.remove(jobId));
      return;
    }
    const known = this.store.get(jobId);
    if (known?.seq === failure.seq && known.origin !== undefined) return;
    const seq = failure.seq;
    this.pending.add(jobId);
    this.lookupsStarted++;
    void this.resolve(jobId, seq, summary.queue, summary.worker, failure)
      .then((record) => {
        if (record && this.host.index()?.get(jobId)?.lastError?.seq === seq) this.notify(this.store.put(record));
      })
      .catch((error: unknown) => this.listener.log(`failures: ${jobId}: ${(error as Error).message}`))
      .finally(() => {
        this.pending.delete(jobId);
        if (this.again.delete(jobId)) this.queued.add(jobId);
        this.pump();
      });
  }

  /**
   * The failure of a job's failed event at `seq`, with its traceback and call. A failure the store holds from that
   * very event (stored by the follow, or by an earlier lookup that found no traceback) is not read again: its
   * details were looked at, and the index holds its error as stored (`error`; the store's shown type may differ).
   * Undefined when the event is gone, or when nothing is found that such a stored failure lacks.
   */
  private async resolve(jobId: string, seq: number, queue: string | null, worker: string | null, error: JobError): Promise<FailureRecord | undefined> {
    const session = this.host.session();
    if (!session) return undefined;
    const stored = this.store.get(jobId);
    const fromEvent = stored?.seq === seq ? stored : undefined;
    let failure: FailureRecord;
    let inDetails: FoundTraceback | undefined;
    if (fromEvent) {
      failure = { jobId, seq, time: fromEvent.time, queue: fromEvent.queue, worker: fromEvent.worker, errorType: error.type, errorMessage: error.message };
    } else {
      // Each request after any timeline being read: a build names thousands of failed jobs, a user waits for one.
      await session.userReads.idle();
      const event = (await readSequences(session, [seq])).events[0];
      if (!event) return undefined;
      failure = {
        jobId,
        seq,
        time: event.timestamp,
        queue: event.queue_name ?? queue,
        worker: event.worker_id ?? worker,
        errorType: event.error_type ?? error.type,
        errorMessage: event.error_message ?? error.message,
      };
      const traceback = tracebackFromDetails(event.details, event.error_type, event.error_message);
      if (traceback) inDetails = { traceback, origin: 'details' };
    }
    await session.userReads.idle();
    const failed = await this.failedJobsStream(session).entry(jobId);
    const found = inDetails ?? (await this.notInDetails(session, jobId, failed));
    if (fromEvent && !found && !failed?.call) return undefined;
    return {
      ...failure,
      ...(found ? { traceback: found.traceback, origin: found.origin } : {}),
      ...(failed?.call ? { call: failed.call } : {}),
    };
  }

  /** Where NAQ keeps a traceback: its result bucket, then its failed-jobs stream. */
  private async notInDetails(session: NatsSession, jobId: string, failed: FailedJobEntry | undefined): Promise<FoundTraceback | undefined> {
    await session.userReads.idle();
    const fromResult = await this.resultBucket(session).traceback(jobId);
    if (fromResult) return { traceback: fromResult, origin: 'result' };
    return failed?.traceback ? { traceback: failed.traceback, origin: 'failed-jobs' } : undefined;
  }

  private failedJobsStream(session: NatsSession): FailedJobsStream {
    if (!this.failedJobs || this.failedJobsSession !== session) {
      void this.failedJobs?.close();
      this.failedJobsSession = session;
      this.failedJobs = new FailedJobsStream(session, this.store, {
        written: (jobId) => this.look(jobId),
        called: (jobId, call) => this.called(jobId, call),
        log: this.listener.log,
      });
    }
    return this.failedJobs;
  }

  private resultBucket(session: NatsSession): ResultBucket {
    if (!this.bucket || this.bucketSession !== session) {
      void this.bucket?.close();
      this.bucketSession = session;
      this.bucket = new ResultBucket(session, resultBucketName(this.settings.resultBucket), (jobId) => this.look(jobId), this.listener.log);
    }
    return this.bucket;
  }

  private async dropBucket(): Promise<void> {
    const bucket = this.bucket;
    this.bucket = undefined;
    this.bucketSession = undefined;
    await bucket?.close();
  }

  private notify(files: ReadonlySet<string>): void {
    if (files.size > 0) this.listener.filesChanged(files);
  }
}

function isStoredFailure(error: JobError | null, sequences: readonly number[]): error is JobError {
  return error !== null && error.seq !== null && sequences.includes(error.seq);
}
