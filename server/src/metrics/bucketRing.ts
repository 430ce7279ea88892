import { COUNTED } from './metricTypes';
import type { Contribution } from './jobClock';
import { ValueBins } from './valueBins';

/**
 * One group's aggregates in one bucket. Tens of thousands of them live at once (a minute per queue
 * and worker), so the counts are a plain array: a typed array's buffer costs several times more.
 */
export class Cell {
  readonly counts: number[] = COUNTED.map(() => 0);
  runTime: ValueBins | undefined;
  queueWait: ValueBins | undefined;

  add(c: Contribution): void {
    if (c.counted >= 0) (this.counts[c.counted] as number)++;
    if (c.runTimeMs !== null) (this.runTime ??= new ValueBins()).add(c.runTimeMs);
    if (c.queueWaitMs !== null) (this.queueWait ??= new ValueBins()).add(c.queueWaitMs);
  }

  remove(c: Contribution): void {
    if (c.counted >= 0 && (this.counts[c.counted] as number) > 0) (this.counts[c.counted] as number)--;
    if (c.runTimeMs !== null) this.runTime?.remove(c.runTimeMs);
    if (c.queueWaitMs !== null) this.queueWait?.remove(c.queueWaitMs);
  }
}

/** Group keys within a bucket: overall, a queue, a worker. */
export const OVERALL = '';
export const queueKey = (name: string): string => `q:${name}`;
export const workerKey = (name: string): string => `w:${name}`;

export class Bucket {
  readonly cells = new Map<string, Cell>();
  /** The stream sequences it holds events of: once the stream's first is past `maxSeq`, all of them expired. */
  minSeq = Infinity;
  maxSeq = 0;

  constructor(readonly start: number) {}

  cell(key: string): Cell {
    let cell = this.cells.get(key);
    if (!cell) this.cells.set(key, (cell = new Cell()));
    return cell;
  }
}

/**
 * Buckets of `width` seconds over the last `keep` seconds, by start. Only buckets that hold events
 * exist, so an idle stream costs nothing; older buckets drop as time moves on.
 */
export class BucketRing {
  readonly buckets = new Map<number, Bucket>();

  constructor(
    readonly width: number,
    readonly keep: number,
  ) {}

  startOf(time: number): number {
    return Math.floor(time / this.width) * this.width;
  }

  /** The first bucket start kept at `now`. */
  horizon(now: number): number {
    return this.startOf(now - this.keep) + this.width;
  }

  /** Undefined when `time` is older than what the ring keeps. */
  bucketFor(time: number, now: number, create: boolean): Bucket | undefined {
    const start = this.startOf(time);
    if (start < this.horizon(now)) return undefined;
    let bucket = this.buckets.get(start);
    if (!bucket && create) {
      this.buckets.set(start, (bucket = new Bucket(start)));
      this.prune(now);
    }
    return bucket;
  }

  prune(now: number): void {
    const horizon = this.horizon(now);
    for (const start of this.buckets.keys()) if (start < horizon) this.buckets.delete(start);
  }

  /** Drops the buckets whose events all expired from the stream. */
  forgetBelow(firstSeq: number): number {
    let dropped = 0;
    for (const [start, bucket] of this.buckets) {
      if (bucket.maxSeq < firstSeq) {
        this.buckets.delete(start);
        dropped++;
      }
    }
    return dropped;
  }

  /** Buckets starting in `[from, to)`, oldest first. */
  within(from: number, to: number): Bucket[] {
    return [...this.buckets.values()].filter((b) => b.start >= from && b.start < to).sort((a, b) => a.start - b.start);
  }
}
