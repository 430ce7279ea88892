import type { MetricsCountedType, MetricsMeasure, MetricsQuery, MetricsResult, MetricsSeries, MetricsTotals, Percentiles } from '../protocol/metrics';
import { Bucket, BucketRing, Cell, OVERALL, queueKey, workerKey } from './bucketRing';
import { Contribution, JobClock, JobClocks, MetricRecord } from './jobClock';
import { COUNTED, failureRate } from './metricTypes';
import { BinTally } from './binTally';

const MINUTE = 60;
const HOUR = 3_600;
const DAY = 86_400;

export interface MetricsOptions {
  /** Seconds the hourly buckets cover: the stream's retention (7 days by default). */
  retention?: number;
  /** Distinct queues, and workers, kept apart; the rest count as `(other)`. */
  maxGroups?: number;
  /** Epoch seconds now; a test gives its own clock. */
  now?: () => number;
}

export const OTHER_GROUP = '(other)';

interface SlotAggregate {
  counts: Float64Array;
  runTime: BinTally | undefined;
  queueWait: BinTally | undefined;
}

function emptySlot(): SlotAggregate {
  return { counts: new Float64Array(COUNTED.length), runTime: undefined, queueWait: undefined };
}

function mergeCell(slot: SlotAggregate, cell: Cell): void {
  for (let i = 0; i < COUNTED.length; i++) (slot.counts[i] as number) += cell.counts[i] as number;
  if (cell.runTime && cell.runTime.count > 0) cell.runTime.mergeInto((slot.runTime ??= new BinTally()));
  if (cell.queueWait && cell.queueWait.count > 0) cell.queueWait.mergeInto((slot.queueWait ??= new BinTally()));
}

function percentiles(sketch: BinTally | undefined): Percentiles {
  if (!sketch || sketch.count <= 0) return { count: 0, p50: null, p95: null, p99: null };
  return { count: sketch.count, p50: sketch.getValueAtQuantile(0.5), p95: sketch.getValueAtQuantile(0.95), p99: sketch.getValueAtQuantile(0.99) };
}

function countsRecord(counts: Float64Array): Record<MetricsCountedType, number> {
  return Object.fromEntries(COUNTED.map((name, i) => [name, counts[i] as number])) as Record<MetricsCountedType, number>;
}

/**
 * Throughput, failure rate, run time and queue wait over time, per minute for the last 24 h and per
 * hour for the stream's retention, overall and per queue and worker. Fed event by event from the
 * follow that feeds the index. A deleted job's events are replayed through a fresh clock and
 * subtracted (counts and sketch bins are both plain counters), so nothing is kept per job but the
 * clocks of jobs in flight; buckets whose events all expired from the stream drop.
 */
export class MetricsStore {
  readonly minutes = new BucketRing(MINUTE, DAY);
  readonly hours: BucketRing;
  private readonly clocks = new JobClocks();
  private readonly queues = new Set<string>();
  private readonly workers = new Set<string>();
  private readonly maxGroups: number;
  private readonly now: () => number;

  constructor(options: MetricsOptions = {}) {
    this.hours = new BucketRing(HOUR, options.retention ?? 7 * DAY);
    this.maxGroups = options.maxGroups ?? 500;
    this.now = options.now ?? (() => Date.now() / 1000);
  }

  apply(record: MetricRecord): void {
    const c = this.clocks.next(record);
    if (c.counted < 0 && c.runTimeMs === null && c.queueWaitMs === null) return;
    const now = this.now();
    for (const ring of [this.minutes, this.hours]) {
      const bucket = ring.bucketFor(c.time, now, true);
      if (!bucket) continue;
      bucket.minSeq = Math.min(bucket.minSeq, c.seq);
      bucket.maxSeq = Math.max(bucket.maxSeq, c.seq);
      for (const key of this.keys(c)) bucket.cell(key).add(c);
    }
  }

  /** Takes back what a deleted job's events (in stream order) added. */
  removeJob(jobId: string, records: readonly MetricRecord[]): void {
    this.clocks.forget(jobId);
    const clock = new JobClock();
    const now = this.now();
    for (const record of records) {
      const c = clock.next(record);
      for (const ring of [this.minutes, this.hours]) {
        const bucket = ring.bucketFor(c.time, now, false);
        if (bucket) for (const key of this.keys(c)) bucket.cells.get(key)?.remove(c);
      }
    }
  }

  /** The stream's first sequence moved on (expiry, a purge): buckets holding only older events drop. */
  forgetBelow(firstSeq: number): number {
    return this.minutes.forgetBelow(firstSeq) + this.hours.forgetBelow(firstSeq);
  }

  reset(): void {
    this.minutes.buckets.clear();
    this.hours.buckets.clear();
    this.clocks.clear();
    this.queues.clear();
    this.workers.clear();
  }

  query(query: MetricsQuery): MetricsResult {
    const now = this.now();
    this.minutes.prune(now);
    this.hours.prune(now);
    const fine = query.from >= this.minutes.horizon(now) && (query.step < HOUR || query.step % HOUR !== 0);
    const ring = fine ? this.minutes : this.hours;
    const step = Math.max(ring.width, Math.ceil(query.step / ring.width) * ring.width);
    const from = ring.startOf(query.from);
    const points = Math.max(1, Math.ceil((query.to - from) / step));
    const times = Array.from({ length: points }, (_, i) => from + i * step);
    const measures = new Set<MetricsMeasure>(query.measures ?? ['counts', 'failureRate', 'runTime', 'queueWait']);
    const slots = new Map<string, (SlotAggregate | undefined)[]>();
    const prefix = query.groupBy === 'queue' ? 'q:' : query.groupBy === 'worker' ? 'w:' : undefined;
    for (const bucket of ring.within(from, query.to)) {
      const index = Math.floor((bucket.start - from) / step);
      for (const [key, cell] of this.cellsOf(bucket, prefix)) {
        let row = slots.get(key);
        if (!row) slots.set(key, (row = new Array<SlotAggregate | undefined>(points)));
        mergeCell((row[index] ??= emptySlot()), cell);
      }
    }
    if (prefix === undefined && !slots.has(OVERALL)) slots.set(OVERALL, new Array<SlotAggregate | undefined>(points));
    const series = [...slots.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, row]) => this.seriesOf(prefix === undefined ? null : key.slice(2), row, measures));
    return { from, to: query.to, step, times, series };
  }

  private *cellsOf(bucket: Bucket, prefix: string | undefined): Iterable<[string, Cell]> {
    if (prefix === undefined) {
      const overall = bucket.cells.get(OVERALL);
      if (overall) yield [OVERALL, overall];
      return;
    }
    for (const entry of bucket.cells) if (entry[0].startsWith(prefix)) yield entry;
  }

  private seriesOf(group: string | null, row: (SlotAggregate | undefined)[], measures: Set<MetricsMeasure>): MetricsSeries {
    const total = emptySlot();
    const slots = Array.from(row, (slot) => slot ?? emptySlot());
    for (const slot of slots) {
      for (let i = 0; i < COUNTED.length; i++) (total.counts[i] as number) += slot.counts[i] as number;
      if (slot.runTime) (total.runTime ??= new BinTally()).merge(slot.runTime);
      if (slot.queueWait) (total.queueWait ??= new BinTally()).merge(slot.queueWait);
    }
    const totals: MetricsTotals = { counts: countsRecord(total.counts), failureRate: failureRate(total.counts), runTime: percentiles(total.runTime), queueWait: percentiles(total.queueWait) };
    const series: MetricsSeries = { group, totals };
    if (measures.has('counts')) {
      series.counts = Object.fromEntries(COUNTED.map((name, i) => [name, slots.map((slot) => slot.counts[i] as number)])) as Record<MetricsCountedType, number[]>;
    }
    if (measures.has('failureRate')) series.failureRate = slots.map((slot) => failureRate(slot.counts));
    if (measures.has('runTime')) series.runTime = slots.map((slot) => percentiles(slot.runTime));
    if (measures.has('queueWait')) series.queueWait = slots.map((slot) => percentiles(slot.queueWait));
    return series;
  }

  private keys(c: Contribution): string[] {
    const keys = [OVERALL];
    if (c.queue !== null) keys.push(queueKey(this.bounded(this.queues, c.queue)));
    if (c.worker !== null) keys.push(workerKey(this.bounded(this.workers, c.worker)));
    return keys;
  }

  private bounded(names: Set<string>, name: string): string {
    if (names.has(name)) return name;
    if (names.size >= this.maxGroups) return OTHER_GROUP;
    names.add(name);
    return name;
  }
}
