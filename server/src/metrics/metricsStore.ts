import type { MetricsCountedType, MetricsMeasure, MetricsQuery, MetricsResult, MetricsSeries, MetricsTotals, Percentiles } from '../protocol/metrics';
import { BinTally, runQuantiles } from './binTally';
import { BucketRing, COUNTS, queueWaitSketch, runTimeSketch } from './bucketRing';
import { GroupTable, OTHER_GROUP, OVERALL } from './groupTable';
import { Contribution, JobClocks, MetricRecord } from './jobClock';
import { COUNTED, failureRate } from './metricTypes';

export { OTHER_GROUP };

const MINUTE = 60;
const HOUR = 3_600;
const DAY = 86_400;
const QUANTILES = [0.5, 0.95, 0.99];

export interface MetricsOptions {
  /** Seconds the hourly buckets cover: the stream's retention (7 days by default). */
  retention?: number;
  /** Distinct queues, and workers, kept apart; the rest count as `(other)`. */
  maxGroups?: number;
  /** Epoch seconds now; a test gives its own clock. */
  now?: () => number;
}

const EMPTY: Percentiles = { count: 0, p50: null, p95: null, p99: null };

function percentiles(count: number, values: () => number[]): Percentiles {
  if (count <= 0) return { ...EMPTY };
  const [p50, p95, p99] = values() as [number, number, number];
  return { count, p50, p95, p99 };
}

function countsRecord(counts: ArrayLike<number>, at = 0): Record<MetricsCountedType, number> {
  return Object.fromEntries(COUNTED.map((name, i) => [name, counts[at + i] as number])) as Record<MetricsCountedType, number>;
}

/** One group's series being merged: its cells per point, found once, then merged measure by measure. */
interface Row {
  group: number;
  /** Per point, the cells (of the ring) that fall in it. */
  cells: number[][];
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
  private readonly groups: GroupTable;
  private readonly clocks: JobClocks;
  private readonly now: () => number;
  /** Reused by every query: one for a point, one for a series' totals. */
  private readonly point = new BinTally();
  private readonly total = new BinTally();

  constructor(options: MetricsOptions = {}) {
    this.hours = new BucketRing(HOUR, options.retention ?? 7 * DAY);
    this.groups = new GroupTable(options.maxGroups ?? 500);
    this.clocks = new JobClocks(this.groups);
    this.now = options.now ?? (() => Date.now() / 1000);
  }

  apply(record: MetricRecord): void {
    const c = this.clocks.next(record);
    if (c.counted < 0 && c.runTimeMs === null && c.queueWaitMs === null) return;
    const now = this.now();
    for (const ring of [this.minutes, this.hours]) {
      const slot = ring.bucketFor(c.time, now, true);
      if (slot < 0) continue;
      ring.noteSeq(slot, c.seq);
      ring.add(ring.cell(slot, OVERALL, true), c);
      if (c.queue >= 0) ring.add(ring.cell(slot, c.queue, true), c);
      if (c.worker >= 0) ring.add(ring.cell(slot, c.worker, true), c);
    }
  }

  /** Takes back what a deleted job's events (in stream order) added. */
  removeJob(jobId: string, records: readonly MetricRecord[]): void {
    this.clocks.forget(jobId);
    const replay = new JobClocks(this.groups);
    const now = this.now();
    for (const record of records) {
      const c = replay.next(record);
      for (const ring of [this.minutes, this.hours]) {
        const slot = ring.bucketFor(c.time, now, false);
        if (slot < 0) continue;
        this.take(ring, ring.cell(slot, OVERALL, false), c);
        if (c.queue >= 0) this.take(ring, ring.cell(slot, c.queue, false), c);
        if (c.worker >= 0) this.take(ring, ring.cell(slot, c.worker, false), c);
      }
    }
  }

  /** The stream's first sequence moved on (expiry, a purge): buckets holding only older events drop. */
  forgetBelow(firstSeq: number): number {
    return this.minutes.forgetBelow(firstSeq) + this.hours.forgetBelow(firstSeq);
  }

  reset(): void {
    this.minutes.clear();
    this.hours.clear();
    this.clocks.clear();
    this.groups.clear();
  }

  /** Bytes of the typed arrays behind the aggregates and the clocks. */
  bytes(): number {
    return this.minutes.bytes() + this.hours.bytes() + this.clocks.bytes();
  }

  /** Jobs whose clocks are kept. */
  get clockCount(): number {
    return this.clocks.size;
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
    const kind = query.groupBy === 'none' ? 'overall' : query.groupBy;
    const rows = new Map<number, Row>();
    const row = (group: number): Row => {
      let found = rows.get(group);
      if (!found) rows.set(group, (found = { group, cells: Array.from({ length: points }, () => []) }));
      return found;
    };
    if (kind === 'overall') row(OVERALL);
    for (const slot of ring.within(from, query.to)) {
      const index = Math.floor((ring.startAt(slot) - from) / step);
      for (let group = 0; group < this.groups.size; group++) {
        if (this.groups.kindOf(group) !== kind) continue;
        const cell = ring.cell(slot, group, false);
        if (cell >= 0) row(group).cells[index]?.push(cell);
      }
    }
    const series = [...rows.values()]
      .map((r) => ({ name: this.groups.nameOf(r.group), r }))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map(({ name, r }) => this.seriesOf(ring, kind === 'overall' ? null : name, r, measures));
    return { from, to: query.to, step, times, series };
  }

  private take(ring: BucketRing, cell: number, c: Contribution): void {
    if (cell >= 0) ring.remove(cell, c);
  }

  private seriesOf(ring: BucketRing, group: string | null, row: Row, measures: Set<MetricsMeasure>): MetricsSeries {
    const points = row.cells.length;
    const { counts } = ring;
    // Counts per point, `COUNTS` per point, and over the whole range.
    const pointCounts = new Float64Array(points * COUNTS);
    const totalCounts = new Float64Array(COUNTS);
    for (let p = 0; p < points; p++) {
      for (const cell of row.cells[p] as number[]) {
        for (let i = 0; i < COUNTS; i++) {
          const n = counts[cell * COUNTS + i] as number;
          (pointCounts[p * COUNTS + i] as number) += n;
          (totalCounts[i] as number) += n;
        }
      }
    }
    const runTime = this.mergeSketches(ring, row, runTimeSketch, measures.has('runTime'));
    const queueWait = this.mergeSketches(ring, row, queueWaitSketch, measures.has('queueWait'));
    const totals: MetricsTotals = { counts: countsRecord(totalCounts), failureRate: failureRate(totalCounts), runTime: runTime.totals, queueWait: queueWait.totals };
    const series: MetricsSeries = { group, totals };
    if (measures.has('counts')) {
      series.counts = Object.fromEntries(
        COUNTED.map((name, i) => [name, Array.from({ length: points }, (_, p) => pointCounts[p * COUNTS + i] as number)]),
      ) as Record<MetricsCountedType, number[]>;
    }
    if (measures.has('failureRate')) series.failureRate = Array.from({ length: points }, (_, p) => failureRate(pointCounts.subarray(p * COUNTS, (p + 1) * COUNTS)));
    if (runTime.points) series.runTime = runTime.points;
    if (queueWait.points) series.queueWait = queueWait.points;
    return series;
  }

  /**
   * A series' percentiles per point (when asked for) and over the range, merging each cell's bins once
   * into the range's tally; a point of one cell reads its bins as they are, a point of several merges them.
   */
  private mergeSketches(ring: BucketRing, row: Row, sketchOf: (cell: number) => number, perPoint: boolean): { points: Percentiles[] | undefined; totals: Percentiles } {
    const { point, total } = this;
    const { bins } = ring;
    total.reset();
    const points: Percentiles[] | undefined = perPoint ? [] : undefined;
    for (const cells of row.cells) {
      if (cells.length === 1) {
        const { keys, counts, start, end, zeros } = bins.pairs(sketchOf(cells[0] as number));
        total.addPairs(keys, counts, start, end, zeros);
        points?.push(percentiles(bins.count(sketchOf(cells[0] as number)), () => runQuantiles(keys, counts, start, end, zeros, QUANTILES)));
        continue;
      }
      point.reset();
      for (const cell of cells) {
        const { keys, counts, start, end, zeros } = bins.pairs(sketchOf(cell));
        total.addPairs(keys, counts, start, end, zeros);
        if (points) point.addPairs(keys, counts, start, end, zeros);
      }
      points?.push(percentiles(point.count, () => point.quantiles(QUANTILES)));
    }
    return { points, totals: percentiles(total.count, () => total.quantiles(QUANTILES)) };
  }
}
