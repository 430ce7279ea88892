import type { JobStats } from '../analytics/jobAnalytics';
import { DEFAULT_MAX_INDEXED_JOBS } from '../config/defaults';
import { isWorkerJobId, JobEvent } from '../model/event';
import { isFailureType } from '../model/eventType';
import { IndexRecord, recordFromEvent } from './indexRecord';
import { JOB_STATUSES, JobStatus } from './jobStatus';
import type { JobError, JobOverview, JobSummary } from './jobSummary';
import { JobTable, TableImage } from './jobTable';
import { LeftOutJobs } from './leftOutJobs';

const COMPLETED = JOB_STATUSES.indexOf('completed');


export type StatusCounts = Partial<Record<JobStatus, number>>;

export interface GroupEntry {
  name: string;
  counts: StatusCounts;
  /** Jobs in the group, whatever their status. */
  total: number;
}

export interface WorkerEntry extends GroupEntry {
  lastState: string | null;
  lastSeen: number;
}

export interface JobQuery {
  offset: number;
  limit: number;
  queue?: string;
  worker?: string;
  status?: JobStatus;
  search?: string;
  /** Epoch seconds: jobs whose first-to-last event span overlaps [activeFrom, activeTo). */
  activeFrom?: number;
  activeTo?: number;
}

export interface IndexChanges {
  reset: boolean;
  jobs: Set<string>;
  queues: Set<string>;
  workers: Set<string>;
  failed: { jobId: string; error: JobError | null }[];
}

function noChanges(): IndexChanges {
  return { reset: false, jobs: new Set(), queues: new Set(), workers: new Set(), failed: [] };
}

/**
 * A queue or a worker as the index keeps it: counts by status number in a fixed-size array, as a
 * record keyed by status was a lookup by name per event and went slow once a status was deleted
 * from it. `GroupEntry` and `WorkerEntry` are made from it when asked for.
 */
class Group {
  readonly counts = new Int32Array(JOB_STATUSES.length);
  total = 0;
  lastState: string | null = null;
  lastSeen = 0;

  constructor(readonly name: string) {}

  statusCounts(): StatusCounts {
    const counts: StatusCounts = {};
    for (let code = 0; code < JOB_STATUSES.length; code++) {
      const count = this.counts[code] as number;
      if (count > 0) counts[JOB_STATUSES[code] as JobStatus] = count;
    }
    return counts;
  }

  workerEntry(): WorkerEntry {
    return { name: this.name, counts: this.statusCounts(), total: this.total, lastState: this.lastState, lastSeen: this.lastSeen };
  }
}

/**
 * Jobs, queues and workers as the stream tells them, kept in memory. Jobs are rows of a JobTable,
 * ordered by last activity: pages list the newest first, and when `maxJobs` is reached the least
 * recently active job is evicted.
 */
export class JobIndex {
  readonly table = new JobTable();
  private readonly queues = new Map<string, Group>();
  private readonly workers = new Map<string, Group>();
  /** The same groups by the number of their name in the table: an array read per event, not a name lookup. */
  private queueAt: (Group | undefined)[] = [];
  private workerAt: (Group | undefined)[] = [];
  /**
   * While the index is being built nobody needs to hear about each job: per-job changes are not
   * collected, and the end of the build is announced as one reset.
   */
  private tracking = true;
  private changes = noChanges();
  /** Every job by status number, whatever its queue and worker. */
  private readonly statusTotals = new Int32Array(JOB_STATUSES.length);
  /** Jobs with at least one attempt started. */
  private startedJobs = 0;
  /** Completed jobs that gave a duration, and the sum of those durations. */
  private timedJobs = 0;
  private durationSum = 0;
  lastSeq = 0;
  indexedEvents = 0;
  /**
   * Jobs that lost some of their events (evicted by the stream's limits, deleted by sequence) but not
   * all: their rows still count what is gone (an attempt, a queue, a worker, the first time), so they
   * must be built again from the events the stream still holds to equal a fresh build.
   */
  private readonly stale = new Set<string>();

  /** Jobs let go at `maxJobs` that the stream still holds. */
  private readonly leftOut = new LeftOutJobs();

  constructor(readonly maxJobs = DEFAULT_MAX_INDEXED_JOBS) {}

  /** The index of a set of events read in stream order (worker lifecycle records aside). */
  static of(events: Iterable<JobEvent>): JobIndex {
    const index = new JobIndex(Number.POSITIVE_INFINITY);
    for (const event of events) index.apply(recordFromEvent(event));
    return index;
  }

  get jobCount(): number {
    return this.table.size;
  }

  get(jobId: string): JobSummary | undefined {
    const slot = this.table.find(jobId);
    return slot === undefined ? undefined : this.table.summary(slot);
  }

  has(jobId: string): boolean {
    return this.table.find(jobId) !== undefined;
  }

  /** Ids of the jobs whose last error the index holds (a failed, timed-out or erroring event), in no order. */
  jobsWithError(): IterableIterator<string> {
    return this.table.idsWithError();
  }

  apply(record: IndexRecord): void {
    if (record.seq > this.lastSeq) this.lastSeq = record.seq;
    this.indexedEvents++;
    if (isWorkerJobId(record.jobId)) {
      this.workerLifecycle(record);
      return;
    }
    const { table } = this;
    let slot = table.find(record.jobId);
    // Where the job was counted before this event; a status of -1 for a new job, counted nowhere yet.
    let status = -1;
    let queue = -1;
    let worker = -1;
    let pastWorkers: readonly number[] | undefined;
    if (slot === undefined) {
      slot = table.add(record.jobId, record.time);
    } else {
      table.touch(slot);
      status = table.statusCodeOf(slot);
      queue = table.queueId(slot);
      worker = table.workerId(slot);
      pastWorkers = table.pastWorkersOf(slot);
    }
    this.total(slot, -1);
    table.apply(slot, record);
    this.total(slot, 1);
    this.regroup(slot, status, queue, worker, pastWorkers);
    if (this.tracking) {
      const jobId = table.jobId(slot);
      if (isFailureType(record.type)) this.changes.failed.push({ jobId, error: table.lastErrorOf(slot) });
      this.changes.jobs.add(jobId);
    }
    if (table.size > this.maxJobs) this.evictOldest();
  }

  /** Jobs newest activity first, filtered, one page of them and the total that matched. */
  listJobs(query: JobQuery): { items: JobOverview[]; total: number } {
    const { table } = this;
    // A queue or worker nobody has named matches nothing: -2 is no name's number.
    const nameNumber = (name: string | undefined): number | undefined => (name === undefined ? undefined : (table.names.find(name) ?? -2));
    const { slots, total } = table.select(
      { status: query.status, queue: nameNumber(query.queue), worker: nameNumber(query.worker), search: query.search ? query.search.toLowerCase() : undefined, activeFrom: query.activeFrom, activeTo: query.activeTo },
      query.offset,
      query.limit,
      this.countedTotal(query),
    );
    return { items: slots.map((slot) => table.overview(slot)), total };
  }

  /**
   * How many jobs pass `query` when the counts kept per status, queue and worker say it (no search,
   * no time range, not both a queue and a worker): the page then stops at its last row instead of
   * walking every job to count them, tens of milliseconds at 2,000,000 jobs.
   */
  private countedTotal(query: JobQuery): number | undefined {
    if (query.search || query.activeFrom !== undefined || query.activeTo !== undefined) return undefined;
    if (query.queue !== undefined && query.worker !== undefined) return undefined;
    const status = query.status === undefined ? -1 : JOB_STATUSES.indexOf(query.status);
    const name = query.queue ?? query.worker;
    if (name === undefined) return status < 0 ? this.table.size : (this.statusTotals[status] as number);
    const group = (query.queue !== undefined ? this.queues : this.workers).get(name);
    if (!group) return 0;
    return status < 0 ? group.total : (group.counts[status] as number);
  }

  listQueues(): GroupEntry[] {
    return [...this.queues.values()]
      .filter((q) => q.total > 0)
      .map((q) => ({ name: q.name, counts: q.statusCounts(), total: q.total }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Workers with a job or a lifecycle event the index holds: one whose jobs all went is not listed, as a fresh build would not list it. */
  listWorkers(): WorkerEntry[] {
    return [...this.workers.values()]
      .filter((w) => w.total > 0 || w.lastState !== null)
      .map((w) => w.workerEntry())
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Removes a job and what it counted for (its events were deleted): in its queue and worker and in the stats. */
  removeJob(jobId: string): boolean {
    const slot = this.table.find(jobId);
    if (slot === undefined) return false;
    this.removeSlot(slot);
    return true;
  }

  /** Counted per job from what the index holds: see `JobStats`. */
  get stats(): JobStats {
    const status = (name: JobStatus): number => this.statusTotals[JOB_STATUSES.indexOf(name)] as number;
    const usage = (groups: Map<string, Group>): Record<string, number> => {
      const byName: Record<string, number> = {};
      for (const group of [...groups.values()].sort((a, b) => a.name.localeCompare(b.name))) if (group.total > 0) byName[group.name] = group.total;
      return byName;
    };
    return {
      jobsStarted: this.startedJobs,
      jobsRunning: status('running'),
      jobsCompleted: status('completed'),
      jobsFailed: status('failed'),
      totalDurationMs: this.durationSum,
      averageDurationMs: this.timedJobs > 0 ? this.durationSum / this.timedJobs : null,
      workerUsage: usage(this.workers),
      queueUsage: usage(this.queues),
      eventsSeen: this.table.eventTotal,
    };
  }

  /** Jobs the stream holds that the index let go at `maxJobs`, the least recently active first. */
  get jobsLeftOut(): number {
    return this.leftOut.count;
  }

  /** For a snapshot. */
  leftOutSequences(): number[] {
    return this.leftOut.toArray();
  }

  restoreLeftOut(seqs: readonly number[]): void {
    this.leftOut.load(seqs);
  }

  /** Forgets every sequence below the stream's first (expired, purged); jobs left without any are removed. */
  forgetBelow(firstSeq: number): number {
    this.leftOut.forgetBelow(firstSeq);
    if (!this.table.holdsBelow(firstSeq)) return 0;
    const removed = this.forgetSequences((seq) => seq < firstSeq);
    this.table.forgotBelow(firstSeq);
    return removed;
  }

  /** Forgets sequences that are gone from the stream; jobs left without any are removed. */
  forgetSequences(gone: (seq: number) => boolean): number {
    let removed = 0;
    for (const slot of this.table.oldestFirst()) removed += this.forgetIn(slot, gone);
    return removed;
  }

  /** The same for one job (a timeline found some of its events gone). */
  forgetJobSequences(jobId: string, gone: (seq: number) => boolean): number {
    const slot = this.table.find(jobId);
    return slot === undefined ? 0 : this.forgetIn(slot, gone);
  }

  /** Events the index holds sequences for. */
  storedEventCount(): number {
    return this.table.sequenceCount;
  }

  clear(): void {
    this.table.clear();
    this.stale.clear();
    this.leftOut.clear();
    this.queues.clear();
    this.workers.clear();
    this.queueAt = [];
    this.workerAt = [];
    this.statusTotals.fill(0);
    this.startedJobs = 0;
    this.timedJobs = 0;
    this.durationSum = 0;
    this.lastSeq = 0;
    this.indexedEvents = 0;
    this.changes = noChanges();
    this.changes.reset = true;
  }

  /**
   * Stops collecting per-job changes (a build); resuming announces everything as one reset. The search text is
   * left out meanwhile and taken in once when tracking resumes: kept up event by event, a build retired a segment
   * of text for every job whose error or worker changed (about 9 MB of text at 1M events with 10% failures).
   */
  setTracking(tracking: boolean): void {
    if (this.tracking === tracking) return;
    this.tracking = tracking;
    this.changes = noChanges();
    this.changes.reset = tracking;
    if (tracking) this.table.prepareSearch();
    else this.table.deferSearch();
  }

  /** Drops the changes collected so far and has the next `takeChanges` announce everything as one reset. */
  announceReset(): void {
    this.changes = noChanges();
    this.changes.reset = true;
  }

  /** What changed since the last call; the backend turns it into one `index/changed` notification. */
  takeChanges(): IndexChanges | undefined {
    const changes = this.changes;
    if (!changes.reset && changes.jobs.size === 0 && changes.queues.size === 0 && changes.workers.size === 0) return undefined;
    this.changes = noChanges();
    return changes;
  }

  *allWorkers(): IterableIterator<WorkerEntry> {
    for (const worker of this.workers.values()) yield worker.workerEntry();
  }

  /** Builds what text search needs ahead of the first search, when a restore left it out; a build takes it in at its end. */
  prepareSearch(): void {
    if (this.tracking) this.table.prepareSearch();
  }

  /** Puts back the jobs a snapshot kept, and counts them in their queues and workers. */
  restoreJobs(image: TableImage): void {
    this.table.load(image);
    // The image numbers names afresh.
    this.queueAt = [];
    this.workerAt = [];
    const { table } = this;
    // Not collected as changes: a restore is announced as one reset (`announceReset`). Adding each job's queue
    // and worker to the changed names took 40 ms of a restart at 2,000,000 jobs.
    const tracking = this.tracking;
    this.tracking = false;
    // Counted by name number and status first, then added to each queue and worker once: a look-up of the job's
    // groups per job was 50-80 ms of a restore of 2,000,000 jobs.
    const statuses = JOB_STATUSES.length;
    const names = table.names.all();
    const inQueue = new Uint32Array(names.length * statuses);
    const inWorker = new Uint32Array(names.length * statuses);
    // A loaded table's slots are its positions, oldest activity first.
    for (let slot = 0; slot < table.size; slot++) {
      const status = table.statusCodeOf(slot);
      const queue = table.queueId(slot);
      const worker = table.workerId(slot);
      if (queue >= 0) inQueue[queue * statuses + status]++;
      if (worker >= 0) inWorker[worker * statuses + status]++;
      this.total(slot, 1);
    }
    for (const [slot, workers] of table.pastWorkerLists()) {
      const status = table.statusCodeOf(slot);
      for (const worker of workers) inWorker[worker * statuses + status]++;
    }
    for (let name = 0; name < names.length; name++) {
      this.addCounts(inQueue, name, () => (this.queueAt[name] ??= this.queue(names[name] as string)));
      this.addCounts(inWorker, name, () => (this.workerAt[name] ??= this.worker(names[name] as string)));
    }
    this.tracking = tracking;
  }

  /** Adds name number `name`'s row of `counts` (one column per status) to its group, made only when the row has any. */
  private addCounts(counts: Uint32Array, name: number, group: () => Group): void {
    const statuses = JOB_STATUSES.length;
    let total = 0;
    for (let status = 0; status < statuses; status++) total += counts[name * statuses + status] as number;
    if (total === 0) return;
    const entry = group();
    for (let status = 0; status < statuses; status++) entry.counts[status] = (entry.counts[status] as number) + (counts[name * statuses + status] as number);
    entry.total += total;
  }

  restoreWorker(id: string, lastState: string | null, lastSeen: number): void {
    const entry = this.worker(id);
    entry.lastState = lastState;
    entry.lastSeen = lastSeen;
  }

  private forgetIn(slot: number, gone: (seq: number) => boolean): number {
    const removed = this.table.forgetSequences(slot, gone);
    if (removed === 0) return 0;
    if (this.table.sequenceCountOf(slot) === 0) this.removeSlot(slot);
    else {
      const jobId = this.table.jobId(slot);
      this.stale.add(jobId);
      this.changes.jobs.add(jobId);
    }
    return removed;
  }

  /** Jobs whose rows still count forgotten events (see `stale`), with the sequences they hold now. */
  staleJobs(): { jobId: string; seqs: number[] }[] {
    const out: { jobId: string; seqs: number[] }[] = [];
    for (const jobId of this.stale) {
      const slot = this.table.find(jobId);
      if (slot === undefined) this.stale.delete(jobId);
      else out.push({ jobId, seqs: this.table.sequencesOf(slot) });
    }
    return out;
  }

  /** Jobs a snapshot recorded as stale: still to be built again. */
  markStale(jobIds: Iterable<string>): void {
    for (const jobId of jobIds) if (this.table.find(jobId) !== undefined) this.stale.add(jobId);
  }

  /** The stale jobs' ids, for a snapshot. */
  staleIds(): string[] {
    return [...this.stale];
  }

  /**
   * Builds a stale job's row again from `records`, the events the stream holds for it, in stream order;
   * it keeps its place in the activity order. Refused (false, the job stays stale) unless the records
   * are exactly the sequences the index holds for the job now: an event applied or forgotten while
   * they were read would otherwise be lost or come back.
   */
  rebuildJob(jobId: string, records: readonly IndexRecord[]): boolean {
    const { table } = this;
    const slot = table.find(jobId);
    if (slot === undefined) {
      this.stale.delete(jobId);
      return true;
    }
    const held = table.sequencesOf(slot);
    if (held.length !== records.length || held.some((seq, i) => seq !== records[i]?.seq || records[i]?.jobId !== jobId)) return false;
    const first = records[0];
    if (first === undefined) return false;
    this.count(table.statusCodeOf(slot), table.queueId(slot), table.workerId(slot), table.pastWorkersOf(slot), -1);
    this.total(slot, -1);
    table.clearRow(slot, first.time);
    for (const record of records) table.apply(slot, record);
    this.total(slot, 1);
    this.count(table.statusCodeOf(slot), table.queueId(slot), table.workerId(slot), table.pastWorkersOf(slot), 1);
    this.changes.jobs.add(jobId);
    this.stale.delete(jobId);
    return true;
  }

  private removeSlot(slot: number): void {
    const { table } = this;
    const jobId = table.jobId(slot);
    this.count(table.statusCodeOf(slot), table.queueId(slot), table.workerId(slot), table.pastWorkersOf(slot), -1);
    this.total(slot, -1);
    table.remove(slot);
    this.stale.delete(jobId);
    this.changes.jobs.add(jobId);
  }

  private worker(id: string): Group {
    let entry = this.workers.get(id);
    if (!entry) {
      entry = new Group(this.table.names.intern(id));
      this.workers.set(entry.name, entry);
    }
    return entry;
  }

  private queue(name: string): Group {
    let entry = this.queues.get(name);
    if (!entry) {
      entry = new Group(this.table.names.intern(name));
      this.queues.set(entry.name, entry);
    }
    return entry;
  }

  private workerLifecycle(record: IndexRecord): void {
    const id = record.worker ?? record.jobId.slice('worker:'.length);
    const entry = this.worker(id);
    entry.lastState = this.table.names.intern(record.type);
    entry.lastSeen = Math.max(entry.lastSeen, record.time);
    if (this.tracking) this.changes.workers.add(entry.name);
  }

  /** Moves a job's counts from where it was (status -1: a new job, counted nowhere) to where it is now. */
  private regroup(slot: number, status: number, queue: number, worker: number, pastWorkers: readonly number[] | undefined): void {
    const { table } = this;
    const nowStatus = table.statusCodeOf(slot);
    const nowQueue = table.queueId(slot);
    const nowWorker = table.workerId(slot);
    const nowPast = table.pastWorkersOf(slot);
    if (status === nowStatus && queue === nowQueue && worker === nowWorker && pastWorkers === nowPast) {
      if (this.tracking && nowQueue >= 0) this.changes.queues.add(table.names.name(nowQueue));
      if (this.tracking && nowWorker >= 0) this.changes.workers.add(table.names.name(nowWorker));
      return;
    }
    if (status >= 0) this.count(status, queue, worker, pastWorkers, -1);
    this.count(nowStatus, nowQueue, nowWorker, nowPast, 1);
  }

  /** Counts (1) or takes back (-1) what a job adds to the stats' totals as its row stands now. */
  private total(slot: number, delta: 1 | -1): void {
    const { table } = this;
    const status = table.statusCodeOf(slot);
    this.statusTotals[status] = (this.statusTotals[status] as number) + delta;
    if (table.attemptsOf(slot) > 0) this.startedJobs += delta;
    const duration = table.durationOf(slot);
    if (status === COMPLETED && !Number.isNaN(duration)) {
      this.timedJobs += delta;
      this.durationSum += delta * duration;
    }
  }

  /**
   * Counts a job of status number `status` in a queue and a worker (name numbers, -1 for none), and
   * in the workers it had before: a worker lists every job it ran an attempt of.
   */
  private count(status: number, queue: number, worker: number, pastWorkers: readonly number[] | undefined, delta: 1 | -1): void {
    const { names } = this.table;
    if (queue >= 0) this.countIn((this.queueAt[queue] ??= this.queue(names.name(queue))), status, delta, this.changes.queues);
    if (worker >= 0) this.countIn((this.workerAt[worker] ??= this.worker(names.name(worker))), status, delta, this.changes.workers);
    for (const past of pastWorkers ?? []) this.countIn((this.workerAt[past] ??= this.worker(names.name(past))), status, delta, this.changes.workers);
  }

  private countIn(entry: Group, status: number, delta: 1 | -1, changed: Set<string>): void {
    const next = (entry.counts[status] as number) + delta;
    entry.counts[status] = next > 0 ? next : 0;
    entry.total += delta;
    if (this.tracking) changed.add(entry.name);
  }

  private evictOldest(): void {
    const oldest = this.table.oldestSlot();
    if (oldest === undefined) return;
    const lastSeq = this.table.lastSequenceOf(oldest);
    if (lastSeq !== undefined) this.leftOut.add(lastSeq);
    this.removeSlot(oldest);
  }
}
