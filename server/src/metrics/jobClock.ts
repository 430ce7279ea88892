import type { BlockReader } from '../util/blockReader';
import type { BlockWriter } from '../util/blockWriter';
import type { GroupTable } from './groupTable';
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
  /** Groups (of a `GroupTable`); -1: none known. */
  queue: number;
  worker: number;
  /** Index in `COUNTED`; -1: not counted. */
  counted: number;
  runTimeMs: number | null;
  queueWaitMs: number | null;
}

const ENDINGS = new Set(['completed', 'failed', 'timeout', 'cancelled']);
const STARTS = new Set(['started', 'retry_started']);
const DONE = new Set(['completed', 'cancelled']);
/** What starts a job's clock: its queue wait or its run time. */
const OPENS = new Set(['enqueued', ...STARTS]);
const NONE = -1;

/**
 * What jobs' earlier events leave for their later ones: when each was enqueued and started (so a
 * start gives the queue wait and an end without `duration_ms` gives the run time) and its queue and
 * worker. The jobs still followed map to rows of typed columns; past `limit` the least recently
 * active is forgotten. An object per job cost ~220 bytes with its Map entry; a row costs ~60.
 */
export class JobClocks {
  /** Insertion order is activity order: a job's entry moves to the end on each event. */
  private readonly rows = new Map<string, number>();
  private readonly freeRows: number[] = [];
  private top = 0;
  /** Epoch seconds; NaN: not seen. */
  private enqueuedAt = new Float64Array(0);
  private startedAt = new Float64Array(0);
  /** 1 once a start gave the queue wait: a retry is no second wait. */
  private waited = new Uint8Array(0);
  private queue = new Int32Array(0);
  private worker = new Int32Array(0);

  constructor(
    private readonly groups: GroupTable,
    private readonly limit = 200_000,
  ) {}

  get size(): number {
    return this.rows.size;
  }

  next(record: MetricRecord): Contribution {
    let row = this.rows.get(record.jobId);
    if (row === undefined) {
      // Of a job with no clock, an event that is neither counted nor starts one (a worker released after
      // the job completed) adds nothing and leaves no row: one per finished job filled the clocks to their
      // limit, and the snapshot with them.
      if (!OPENS.has(record.type) && countedIndex(record.type) < 0) return { time: record.time, seq: record.seq, queue: NONE, worker: NONE, counted: NONE, runTimeMs: null, queueWaitMs: null };
      row = this.newRow();
    } else this.rows.delete(record.jobId);
    const contribution = this.step(row, record);
    // A completed or cancelled job logs nothing more that needs its clock: the common case costs no memory.
    if (DONE.has(record.type)) this.freeRows.push(row);
    else {
      this.rows.set(record.jobId, row);
      if (this.rows.size > this.limit) this.forget(this.rows.keys().next().value as string);
    }
    return contribution;
  }

  forget(jobId: string): void {
    const row = this.rows.get(jobId);
    if (row === undefined) return;
    this.rows.delete(jobId);
    this.freeRows.push(row);
  }

  clear(): void {
    this.rows.clear();
    this.freeRows.length = 0;
    this.top = 0;
  }

  /**
   * The jobs followed, least recently active first (the order that decides which is forgotten next),
   * with their clocks as columns: a job started before a snapshot and ended after it still gets its run time.
   */
  save(out: BlockWriter): void {
    const ids = [...this.rows.keys()];
    const rows = Array.from(this.rows.values());
    const pick = <T extends Float64Array | Uint8Array | Int32Array>(column: T, made: T): T => {
      rows.forEach((row, i) => (made[i] = column[row] as number));
      return made;
    };
    out.field('clockJobs', ids);
    out.column('clock.enqueuedAt', pick(this.enqueuedAt, new Float64Array(rows.length)));
    out.column('clock.startedAt', pick(this.startedAt, new Float64Array(rows.length)));
    out.column('clock.waited', pick(this.waited, new Uint8Array(rows.length)));
    out.column('clock.queue', pick(this.queue, new Int32Array(rows.length)));
    out.column('clock.worker', pick(this.worker, new Int32Array(rows.length)));
  }

  /** Takes the clocks `save` wrote; empty clocks, and their groups already restored, are assumed. */
  restore(from: BlockReader): void {
    const ids = from.strings('clockJobs');
    if (ids.length > this.limit) throw new Error(`${from.what}: ${ids.length} job clocks, more than the ${this.limit} kept`);
    const n = ids.length;
    const enqueuedAt = from.column('clock.enqueuedAt', 'Float64Array', n);
    const startedAt = from.column('clock.startedAt', 'Float64Array', n);
    const waited = from.column('clock.waited', 'Uint8Array', n);
    const queue = from.column('clock.queue', 'Int32Array', n);
    const worker = from.column('clock.worker', 'Int32Array', n);
    const groups = this.groups.size;
    for (let i = 0; i < n; i++) {
      if ((waited[i] as number) > 1) throw new Error(`${from.what}: a job clock waited ${waited[i]} times`);
      const q = queue[i] as number;
      const w = worker[i] as number;
      if (q < NONE || q >= groups || w < NONE || w >= groups) throw new Error(`${from.what}: a job clock of groups ${q} and ${w}, of ${groups}`);
    }
    this.grow(Math.max(64, n));
    this.enqueuedAt.set(enqueuedAt);
    this.startedAt.set(startedAt);
    this.waited.set(waited);
    this.queue.set(queue);
    this.worker.set(worker);
    ids.forEach((id, row) => this.rows.set(id, row));
    if (this.rows.size !== n) throw new Error(`${from.what}: a job clock listed twice`);
    this.top = n;
  }

  /** Bytes of the typed columns, for the benchmark's account of where memory goes. */
  bytes(): number {
    return this.enqueuedAt.byteLength + this.startedAt.byteLength + this.waited.byteLength + this.queue.byteLength + this.worker.byteLength;
  }

  private step(row: number, record: MetricRecord): Contribution {
    if (record.queue !== null) this.queue[row] = this.groups.idOf('queue', record.queue);
    if (record.worker !== null) this.worker[row] = this.groups.idOf('worker', record.worker);
    let runTimeMs: number | null = null;
    let queueWaitMs: number | null = null;
    const enqueuedAt = this.enqueuedAt[row] as number;
    const startedAt = this.startedAt[row] as number;
    if (record.type === 'enqueued') {
      if (Number.isNaN(enqueuedAt)) this.enqueuedAt[row] = record.time;
    } else if (STARTS.has(record.type)) {
      if (this.waited[row] === 0 && !Number.isNaN(enqueuedAt)) queueWaitMs = Math.max(0, (record.time - enqueuedAt) * 1000);
      this.waited[row] = 1;
      this.startedAt[row] = record.time;
    } else if (ENDINGS.has(record.type)) {
      if (record.durationMs !== null && Number.isFinite(record.durationMs) && (record.type === 'completed' || record.type === 'failed')) runTimeMs = record.durationMs;
      else if (!Number.isNaN(startedAt)) runTimeMs = Math.max(0, (record.time - startedAt) * 1000);
      this.startedAt[row] = Number.NaN;
    }
    const queue = this.queue[row] as number;
    const worker = this.worker[row] as number;
    return { time: record.time, seq: record.seq, queue, worker, counted: countedIndex(record.type), runTimeMs, queueWaitMs };
  }

  /** A row with nothing seen yet. */
  private newRow(): number {
    let row = this.freeRows.pop();
    if (row === undefined) {
      row = this.top++;
      if (row >= this.enqueuedAt.length) this.grow(Math.max(64, row * 2));
    }
    this.enqueuedAt[row] = Number.NaN;
    this.startedAt[row] = Number.NaN;
    this.waited[row] = 0;
    this.queue[row] = NONE;
    this.worker[row] = NONE;
    return row;
  }

  private grow(capacity: number): void {
    const grown = <T extends Float64Array | Uint8Array | Int32Array>(old: T, made: T): T => {
      made.set(old);
      return made;
    };
    this.enqueuedAt = grown(this.enqueuedAt, new Float64Array(capacity));
    this.startedAt = grown(this.startedAt, new Float64Array(capacity));
    this.waited = grown(this.waited, new Uint8Array(capacity));
    this.queue = grown(this.queue, new Int32Array(capacity));
    this.worker = grown(this.worker, new Int32Array(capacity));
  }
}
