import { countedIndex } from './metricTypes';

/** What the metrics read of one event: the index's record carries all of it. */
export interface MetricRecord {
  seq: number;
  jobId: string;
  type: string;
  /** Epoch seconds. */
  time: number;
  worker: string | null;
  queue: string | null;
  durationMs: number | null;
}

/** What one event adds to the aggregates. */
export interface Contribution {
  time: number;
  seq: number;
  queue: string | null;
  worker: string | null;
  /** Index in `COUNTED`; -1: not counted. */
  counted: number;
  runTimeMs: number | null;
  queueWaitMs: number | null;
}

const ENDINGS = new Set(['completed', 'failed', 'timeout', 'cancelled']);
const STARTS = new Set(['started', 'retry_started']);
const DONE = new Set(['completed', 'cancelled']);

/**
 * What a job's earlier events leave for its later ones: when it was enqueued and started, so a start
 * gives the queue wait and an end without `duration_ms` gives the run time.
 */
export class JobClock {
  private enqueuedAt: number | null = null;
  private startedAt: number | null = null;
  private waited = false;
  private queue: string | null = null;
  private worker: string | null = null;

  next(record: MetricRecord): Contribution {
    this.queue = record.queue ?? this.queue;
    this.worker = record.worker ?? this.worker;
    let runTimeMs: number | null = null;
    let queueWaitMs: number | null = null;
    if (record.type === 'enqueued' && this.enqueuedAt === null) this.enqueuedAt = record.time;
    else if (STARTS.has(record.type)) {
      if (!this.waited && this.enqueuedAt !== null) queueWaitMs = Math.max(0, (record.time - this.enqueuedAt) * 1000);
      this.waited = true;
      this.startedAt = record.time;
    } else if (ENDINGS.has(record.type)) {
      if (record.durationMs !== null && Number.isFinite(record.durationMs) && (record.type === 'completed' || record.type === 'failed')) runTimeMs = record.durationMs;
      else if (this.startedAt !== null) runTimeMs = Math.max(0, (record.time - this.startedAt) * 1000);
      this.startedAt = null;
    }
    return { time: record.time, seq: record.seq, queue: this.queue, worker: this.worker, counted: countedIndex(record.type), runTimeMs, queueWaitMs };
  }
}

/** The clocks of jobs still being followed, the least recently active forgotten past `limit`. */
export class JobClocks {
  private readonly clocks = new Map<string, JobClock>();

  constructor(private readonly limit = 200_000) {}

  next(record: MetricRecord): Contribution {
    let clock = this.clocks.get(record.jobId);
    if (clock) this.clocks.delete(record.jobId);
    else clock = new JobClock();
    // A completed or cancelled job logs nothing more that needs its clock: the common case costs no memory.
    if (!DONE.has(record.type)) this.clocks.set(record.jobId, clock);
    if (this.clocks.size > this.limit) this.clocks.delete(this.clocks.keys().next().value as string);
    return clock.next(record);
  }

  forget(jobId: string): void {
    this.clocks.delete(jobId);
  }

  clear(): void {
    this.clocks.clear();
  }
}
