import type { MetricsCountedType, MetricsMeasure, MetricsQuery, MetricsResult, MetricsSeries, MetricsTotals, Percentiles } from '../protocol/metrics';
import { BlockReader } from '../util/blockReader';
import { BlockWriter } from '../util/blockWriter';
import { BinTally } from './binTally';
import { BucketRing, COUNTS, queueWaitSketch, runTimeSketch } from './bucketRing';
import { GroupTable, OTHER_GROUP, OVERALL } from './groupTable';
import { Contribution, JobClocks, MetricRecord } from './jobClock';
import { COUNTED, failureRate } from './metricTypes';

export { OTHER_GROUP };

const MINUTE = 60;
const HOUR = 3_600;
const DAY = 86_400;
const QUANTILES = [0.5, 0.95, 0.99];
/** The layout of `saveState`'s block: a change to it bumps this, and an older block is refused. */
const STATE_FORMAT = 1;

export interface MetricsOptions {
  /** Seconds the hourly buckets cover: the stream's retention (7 days by default). */
  retention?: number;
  /** Distinct queues, and workers, kept apart; the rest count as `(other)`. */
  maxGroups?: number;
  /** Epoch seconds now; a test gives its own clock. */
  now?: () => number;
}

const EMPTY: Percentiles = { count: 0, p50: null, p95: null, p99: null };

function percentiles(count: number, values: number[]): Percentiles {
  const [p50, p95, p99] = values as [number, number, number];
  return { count, p50, p95, p99 };
}

function countsRecord(counts: ArrayLike<number>, at = 0): Record<MetricsCountedType, number> {
  return Object.fromEntries(COUNTED.map((name, i) => [name, counts[at + i] as number])) as Record<MetricsCountedType, number>;
}

/** The buckets a query covers: point `p` merges the slots `slots[first[p]] .. slots[first[p + 1] - 1]`. */
interface Span {
  ring: BucketRing;
  points: number;
  slots: number[];
  first: Int32Array;
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

  /**
   * Everything the aggregates hold, as the snapshot keeps it beside the index: the groups, the clocks of
   * jobs in flight and both rings' buckets, bounded as they are (buckets kept, groups, clocks).
   */
  saveState(): Uint8Array {
    const out = new BlockWriter();
    out.field('format', STATE_FORMAT);
    out.field('counted', COUNTED);
    this.groups.save(out);
    this.clocks.save(out);
    this.minutes.save(out, 'minutes');
    this.hours.save(out, 'hours');
    return out.bytes();
  }

  /** A store holding what `saveState` wrote; throws, naming what does not add up, rather than hold part of it. */
  static restored(state: Uint8Array, options: MetricsOptions = {}): MetricsStore {
    const from = new BlockReader(state, 'the metrics state');
    const format = from.number('format');
    if (format !== STATE_FORMAT) throw new Error(`${from.what} is of format ${format}, not ${STATE_FORMAT}`);
    if (from.strings('counted').join() !== COUNTED.join()) throw new Error(`${from.what} counts other event types`);
    const store = new MetricsStore(options);
    store.groups.restore(from);
    store.clocks.restore(from);
    store.minutes.restore(from, 'minutes', store.groups.size);
    store.hours.restore(from, 'hours', store.groups.size);
    return store;
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
    const slots = ring.within(from, query.to);
    // Slots come oldest first, so each point's are consecutive.
    const first = new Int32Array(points + 1);
    for (const slot of slots) (first[Math.floor((ring.startAt(slot) - from) / step) + 1] as number)++;
    for (let p = 0; p < points; p++) (first[p + 1] as number) += first[p] as number;
    const span: Span = { ring, points, slots, first };
    const kind = query.groupBy === 'none' ? 'overall' : query.groupBy;
    const groups: number[] = [];
    for (let group = 0; group < this.groups.size; group++) {
      if (this.groups.kindOf(group) === kind && (kind === 'overall' || slots.some((slot) => ring.cell(slot, group, false) >= 0))) groups.push(group);
    }
    const series = groups
      .map((group) => ({ group, name: this.groups.nameOf(group) }))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map(({ group, name }) => this.seriesOf(span, group, kind === 'overall' ? null : name, measures));
    return { from, to: query.to, step, times, series };
  }

  private take(ring: BucketRing, cell: number, c: Contribution): void {
    if (cell >= 0) ring.remove(cell, c);
  }

  /** Fills `cells` with the cells of `group` in point `p`; returns how many. */
  private cellsAt(span: Span, p: number, group: number, cells: number[]): number {
    let found = 0;
    for (let k = span.first[p] as number; k < (span.first[p + 1] as number); k++) {
      const cell = span.ring.cell(span.slots[k] as number, group, false);
      if (cell >= 0) cells[found++] = cell;
    }
    return found;
  }

  private seriesOf(span: Span, group: number, name: string | null, measures: Set<MetricsMeasure>): MetricsSeries {
    const { points, ring } = span;
    const { counts } = ring;
    // Read once: in a loop an imported binding can cost a call each time (a CommonJS getter).
    const width = COUNTS;
    // Counts per point, `width` per point, and over the whole range.
    const pointCounts = new Float64Array(points * width);
    const totalCounts = new Float64Array(width);
    const cells: number[] = [];
    for (let p = 0; p < points; p++) {
      const found = this.cellsAt(span, p, group, cells);
      for (let c = 0; c < found; c++) {
        const at = (cells[c] as number) * width;
        for (let i = 0; i < width; i++) {
          const n = counts[at + i] as number;
          (pointCounts[p * width + i] as number) += n;
          (totalCounts[i] as number) += n;
        }
      }
    }
    const runTime = this.mergeSketches(span, group, runTimeSketch, measures.has('runTime'));
    const queueWait = this.mergeSketches(span, group, queueWaitSketch, measures.has('queueWait'));
    const totals: MetricsTotals = { counts: countsRecord(totalCounts), failureRate: failureRate(totalCounts), runTime: runTime.totals, queueWait: queueWait.totals };
    const series: MetricsSeries = { group: name, totals };
    if (measures.has('counts')) {
      series.counts = Object.fromEntries(
        COUNTED.map((type, i) => [type, Array.from({ length: points }, (_, p) => pointCounts[p * width + i] as number)]),
      ) as Record<MetricsCountedType, number[]>;
    }
    if (measures.has('failureRate')) series.failureRate = Array.from({ length: points }, (_, p) => failureRate(pointCounts, p * width));
    if (runTime.points) series.runTime = runTime.points;
    if (queueWait.points) series.queueWait = queueWait.points;
    return series;
  }

  /**
   * A series' percentiles per point (when asked for) and over the range, merging each cell's bins once
   * into the range's tally; a point of one cell reads its bins as they are, a point of several merges them.
   */
  private mergeSketches(span: Span, group: number, sketchOf: (cell: number) => number, perPoint: boolean): { points: Percentiles[] | undefined; totals: Percentiles } {
    const { point, total } = this;
    const { bins } = span.ring;
    total.reset();
    const points: Percentiles[] | undefined = perPoint ? [] : undefined;
    const cells: number[] = [];
    for (let p = 0; p < span.points; p++) {
      const found = this.cellsAt(span, p, group, cells);
      if (found === 1) {
        const sketch = sketchOf(cells[0] as number);
        bins.addTo(sketch, total);
        const count = bins.count(sketch);
        points?.push(count > 0 ? percentiles(count, bins.quantiles(sketch, QUANTILES)) : { ...EMPTY });
        continue;
      }
      point.reset();
      for (let c = 0; c < found; c++) {
        const sketch = sketchOf(cells[c] as number);
        bins.addTo(sketch, total);
        if (points) bins.addTo(sketch, point);
      }
      points?.push(point.count > 0 ? percentiles(point.count, point.quantiles(QUANTILES)) : { ...EMPTY });
    }
    return { points, totals: total.count > 0 ? percentiles(total.count, total.quantiles(QUANTILES)) : { ...EMPTY } };
  }
}
