import { DDSketch } from '@datadog/sketches-js';

/** 1% relative accuracy per value keeps p50/p95/p99 of any merge of bins within 2%. */
export const RELATIVE_ACCURACY = 0.01;

/** The one mapping every bucket's bins use, so that any of them merge into one tally. */
export const mapping = new DDSketch({ relativeAccuracy: RELATIVE_ACCURACY }).mapping;

/**
 * DDSketch bins merged for a query, kept sparse: building a DDSketch (its mapping and dense store,
 * grown to the widest key range) per point and walking it per percentile made a 7-day query cost
 * tens of milliseconds. Quantiles are the DDSketch's own: the rank `q * (count - 1)`, zeros first,
 * then keys ascending, the value of the first key whose running count passes the rank.
 */
export class BinTally {
  private readonly bins = new Map<number, number>();
  private sorted: number[] | null = null;
  zeros = 0;
  count = 0;

  add(key: number, count: number): void {
    this.bins.set(key, (this.bins.get(key) ?? 0) + count);
    this.count += count;
    this.sorted = null;
  }

  addZeros(count: number): void {
    this.zeros += count;
    this.count += count;
  }

  merge(other: BinTally): void {
    for (const [key, count] of other.bins) this.bins.set(key, (this.bins.get(key) ?? 0) + count);
    this.zeros += other.zeros;
    this.count += other.count;
    this.sorted = null;
  }

  /** NaN when empty, as a DDSketch answers. */
  getValueAtQuantile(quantile: number): number {
    if (quantile < 0 || quantile > 1 || this.count === 0) return Number.NaN;
    const rank = quantile * (this.count - 1);
    if (rank < this.zeros) return 0;
    const keys = (this.sorted ??= [...this.bins.keys()].sort((a, b) => a - b));
    let running = this.zeros;
    for (const key of keys) {
      running += this.bins.get(key) as number;
      if (running > rank) return mapping.value(key);
    }
    return mapping.value(keys[keys.length - 1] as number);
  }
}
