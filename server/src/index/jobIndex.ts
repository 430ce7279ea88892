import { addToStats, emptyStats, JobStats } from '../analytics/jobAnalytics';
import { isWorkerJobId } from '../model/event';
import type { IndexRecord } from './indexRecord';
import type { JobStatus } from './jobStatus';
import { isFailureType } from '../model/eventType';
import { applyRecord, JobError, JobSummary, newSummary } from './jobSummary';

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
}

export interface IndexChanges {
  reset: boolean;
  jobs: Set<string>;
  queues: Set<string>;
  workers: Set<string>;
  failed: { jobId: string; error: JobError | null }[];
}

/**
 * A job id split out of a subject is a slice that keeps the whole subject string alive; the index
 * keeps 200,000 of them, so it keeps a copy of its own.
 */
function ownCopy(text: string): string {
  return (' ' + text).slice(1);
}

function noChanges(): IndexChanges {
  return { reset: false, jobs: new Set(), queues: new Set(), workers: new Set(), failed: [] };
}

/**
 * Jobs, queues and workers as the stream tells them, kept in memory. The job map's insertion order is
 * the order of last activity, so the newest jobs are at its end and the least recently active at its
 * front, where eviction takes them when `maxJobs` is reached.
 */
export class JobIndex {
  private readonly jobs = new Map<string, JobSummary>();
  private readonly queues = new Map<string, GroupEntry>();
  private readonly workers = new Map<string, WorkerEntry>();
  /** Queue and worker names and event types repeat in every event: one string each. */
  private readonly names = new Map<string, string>();
  private newestFirst: JobSummary[] | undefined;
  private newest: JobSummary | undefined;
  /**
   * While the index is being built nobody needs to hear about each job: per-job changes are not
   * collected, and the end of the build is announced as one reset.
   */
  private tracking = true;
  private changes = noChanges();
  stats: JobStats = emptyStats();
  lastSeq = 0;
  indexedEvents = 0;

  constructor(readonly maxJobs = 1_000_000) {}

  get jobCount(): number {
    return this.jobs.size;
  }

  get(jobId: string): JobSummary | undefined {
    return this.jobs.get(jobId);
  }

  apply(record: IndexRecord): void {
    this.lastSeq = Math.max(this.lastSeq, record.seq);
    this.indexedEvents++;
    addToStats(this.stats, { event_type: record.type, worker_id: record.worker, queue_name: record.queue, duration_ms: record.durationMs });
    if (isWorkerJobId(record.jobId)) {
      this.workerLifecycle(record);
      return;
    }
    let summary = this.jobs.get(record.jobId);
    if (!summary) {
      summary = newSummary(ownCopy(record.jobId), record.time);
      this.jobs.set(record.jobId, summary);
    } else if (this.newest !== summary) {
      // Re-inserting moves the job to the end: the map stays ordered by last activity.
      this.jobs.delete(record.jobId);
      this.jobs.set(record.jobId, summary);
    }
    this.newest = summary;
    const before: Pick<JobSummary, 'status' | 'queue' | 'worker'> = { status: summary.status, queue: summary.queue, worker: summary.worker };
    // Tokens split from a subject can be slices that keep the whole subject alive: keep one copy each.
    record.type = this.intern(record.type);
    if (record.queue !== null) record.queue = this.intern(record.queue);
    if (record.worker !== null) record.worker = this.intern(record.worker);
    applyRecord(summary, record);
    this.regroup(summary, before);
    if (this.tracking) {
      if (isFailureType(record.type)) this.changes.failed.push({ jobId: summary.jobId, error: summary.lastError });
      this.changes.jobs.add(summary.jobId);
    }
    this.newestFirst = undefined;
    if (this.jobs.size > this.maxJobs) this.evictOldest();
  }

  /** Jobs newest activity first, filtered, one page of them and the total that matched. */
  listJobs(query: JobQuery): { items: JobSummary[]; total: number } {
    const ordered = (this.newestFirst ??= [...this.jobs.values()].reverse());
    const search = query.search?.toLowerCase();
    const filtered = query.queue === undefined && query.worker === undefined && query.status === undefined && !search;
    if (filtered) return { items: ordered.slice(query.offset, query.offset + query.limit), total: ordered.length };
    const items: JobSummary[] = [];
    let total = 0;
    for (const job of ordered) {
      if (query.status !== undefined && job.status !== query.status) continue;
      if (query.queue !== undefined && job.queue !== query.queue) continue;
      if (query.worker !== undefined && job.worker !== query.worker) continue;
      if (search && !job.jobId.toLowerCase().includes(search) && !(job.lastError?.message ?? '').toLowerCase().includes(search)) continue;
      if (total >= query.offset && items.length < query.limit) items.push(job);
      total++;
    }
    return { items, total };
  }

  listQueues(): GroupEntry[] {
    return [...this.queues.values()].filter((q) => q.total > 0).sort((a, b) => a.name.localeCompare(b.name));
  }

  listWorkers(): WorkerEntry[] {
    return [...this.workers.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Removes a job and what it counted for (its events were deleted). */
  removeJob(jobId: string): boolean {
    const summary = this.jobs.get(jobId);
    if (!summary) return false;
    this.jobs.delete(jobId);
    if (this.newest === summary) this.newest = undefined;
    this.ungroup(summary);
    this.changes.jobs.add(jobId);
    this.newestFirst = undefined;
    return true;
  }

  /** Forgets sequences that are gone from the stream (expired, purged); jobs left without any are removed. */
  forgetSequences(gone: (seq: number) => boolean): number {
    let removed = 0;
    for (const summary of [...this.jobs.values()]) {
      const kept = summary.sequences.filter((seq) => !gone(seq));
      if (kept.length === summary.sequences.length) continue;
      removed += summary.sequences.length - kept.length;
      summary.sequences = kept;
      summary.eventCount = kept.length;
      if (kept.length === 0) this.removeJob(summary.jobId);
      else this.changes.jobs.add(summary.jobId);
    }
    return removed;
  }

  /** Events the index holds sequences for. */
  storedEventCount(): number {
    let total = 0;
    for (const summary of this.jobs.values()) total += summary.sequences.length;
    return total;
  }

  clear(): void {
    this.jobs.clear();
    this.queues.clear();
    this.workers.clear();
    this.names.clear();
    this.newestFirst = undefined;
    this.newest = undefined;
    this.stats = emptyStats();
    this.lastSeq = 0;
    this.indexedEvents = 0;
    this.changes = noChanges();
    this.changes.reset = true;
  }

  /** Stops collecting per-job changes (a build); resuming announces everything as one reset. */
  setTracking(tracking: boolean): void {
    if (this.tracking === tracking) return;
    this.tracking = tracking;
    // Arrays grown by push keep spare room; after a build, exact copies hold the same for far less memory.
    if (tracking) for (const summary of this.jobs.values()) summary.sequences = summary.sequences.slice();
    this.changes = noChanges();
    this.changes.reset = tracking;
  }

  /** What changed since the last call; the backend turns it into one `index/changed` notification. */
  takeChanges(): IndexChanges | undefined {
    const changes = this.changes;
    if (!changes.reset && changes.jobs.size === 0 && changes.queues.size === 0 && changes.workers.size === 0) return undefined;
    this.changes = noChanges();
    return changes;
  }

  /** Every job, least recently active first: the order a snapshot keeps. */
  allJobs(): IterableIterator<JobSummary> {
    return this.jobs.values();
  }

  allWorkers(): IterableIterator<WorkerEntry> {
    return this.workers.values();
  }

  /** Puts back a job from a snapshot, in snapshot order. */
  restoreJob(summary: JobSummary): void {
    summary.queue = summary.queue === null ? null : this.intern(summary.queue);
    summary.worker = summary.worker === null ? null : this.intern(summary.worker);
    this.jobs.set(summary.jobId, summary);
    this.regroup(summary, { status: summary.status, queue: null, worker: null }, true);
    this.newestFirst = undefined;
  }

  restoreWorker(id: string, lastState: string | null, lastSeen: number): void {
    const entry = this.worker(id);
    entry.lastState = lastState;
    entry.lastSeen = lastSeen;
  }

  private intern(name: string): string {
    const known = this.names.get(name);
    if (known !== undefined) return known;
    this.names.set(name, name);
    return name;
  }

  private worker(id: string): WorkerEntry {
    let entry = this.workers.get(id);
    if (!entry) {
      entry = { name: this.intern(id), counts: {}, total: 0, lastState: null, lastSeen: 0 };
      this.workers.set(id, entry);
    }
    return entry;
  }

  private queue(name: string): GroupEntry {
    let entry = this.queues.get(name);
    if (!entry) {
      entry = { name, counts: {}, total: 0 };
      this.queues.set(name, entry);
    }
    return entry;
  }

  private workerLifecycle(record: IndexRecord): void {
    const id = record.worker ?? record.jobId.slice('worker:'.length);
    const entry = this.worker(id);
    entry.lastState = record.type;
    entry.lastSeen = Math.max(entry.lastSeen, record.time);
    if (this.tracking) this.changes.workers.add(id);
  }

  private regroup(summary: JobSummary, before: { status: JobStatus; queue: string | null; worker: string | null }, fresh = false): void {
    if (!fresh && before.status === summary.status && before.queue === summary.queue && before.worker === summary.worker) {
      if (this.tracking && summary.queue) this.changes.queues.add(summary.queue);
      if (this.tracking && summary.worker) this.changes.workers.add(summary.worker);
      return;
    }
    if (!fresh) this.ungroup({ jobId: summary.jobId, ...before });
    if (summary.queue) this.count(this.queue(summary.queue), summary, 1);
    if (summary.worker) this.count(this.worker(summary.worker), summary, 1);
  }

  private ungroup(summary: Pick<JobSummary, 'jobId' | 'status' | 'queue' | 'worker'>): void {
    if (summary.queue) {
      const entry = this.queues.get(summary.queue);
      if (entry) this.count(entry, summary, -1);
    }
    if (summary.worker) {
      const entry = this.workers.get(summary.worker);
      if (entry) this.count(entry, summary, -1);
    }
  }

  private count(entry: GroupEntry, summary: Pick<JobSummary, 'status'>, delta: 1 | -1): void {
    const next = (entry.counts[summary.status] ?? 0) + delta;
    if (next > 0) entry.counts[summary.status] = next;
    else delete entry.counts[summary.status];
    entry.total += delta;
    if (this.tracking) (this.queues.get(entry.name) === entry ? this.changes.queues : this.changes.workers).add(entry.name);
  }

  private evictOldest(): void {
    const oldest = this.jobs.keys().next();
    if (!oldest.done) this.removeJob(oldest.value);
  }
}
