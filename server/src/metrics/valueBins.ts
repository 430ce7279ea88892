import { BinTally, mapping } from './binTally';

/**
 * The bins of a DDSketch, kept sparse and compact: a bucket of one minute holds a few distinct keys,
 * so they live in one small array of `key, count` pairs sorted by key (a Map per cell, or a DDSketch's
 * dense store, costs several times the memory across the thousands of cells the buckets hold). Counts
 * can be taken away again (a job deleted), which a DDSketch does not offer; queries merge the bins
 * into a `BinTally`.
 */
export class ValueBins {
  /** `key, count, key, count, ...`, keys ascending: small integers, so V8 keeps the array packed. */
  private readonly pairs: number[] = [];
  private zeros = 0;
  count = 0;

  add(value: number, weight = 1): void {
    if (!(value >= 0) || !Number.isFinite(value)) return;
    if (value <= mapping.minPossible) this.zeros += weight;
    else this.addKey(mapping.key(value), weight);
    this.count += weight;
  }

  /** Takes a value added before away again; a value never added (or already taken) changes nothing. */
  remove(value: number): void {
    if (!(value >= 0) || !Number.isFinite(value)) return;
    if (value <= mapping.minPossible) {
      if (this.zeros === 0) return;
      this.zeros--;
    } else {
      const key = mapping.key(value);
      const at = this.search(key);
      if (at >= this.pairs.length || this.pairs[at] !== key) return;
      if (this.pairs[at + 1] === 1) this.pairs.splice(at, 2);
      else (this.pairs[at + 1] as number)--;
    }
    this.count--;
  }

  mergeInto(tally: BinTally): void {
    const { pairs } = this;
    for (let i = 0; i < pairs.length; i += 2) tally.add(pairs[i] as number, pairs[i + 1] as number);
    if (this.zeros > 0) tally.addZeros(this.zeros);
  }

  /** `[key, count]` pairs, the zeros under key `null`: what a snapshot stores. */
  entries(): [number | null, number][] {
    const entries: [number | null, number][] = [];
    for (let i = 0; i < this.pairs.length; i += 2) entries.push([this.pairs[i] as number, this.pairs[i + 1] as number]);
    if (this.zeros > 0) entries.push([null, this.zeros]);
    return entries;
  }

  static fromEntries(entries: readonly [number | null, number][]): ValueBins {
    const bins = new ValueBins();
    for (const [key, count] of entries) {
      if (key === null) bins.zeros += count;
      else bins.addKey(key, count);
      bins.count += count;
    }
    return bins;
  }

  private addKey(key: number, weight: number): void {
    const at = this.search(key);
    if (at < this.pairs.length && this.pairs[at] === key) (this.pairs[at + 1] as number) += weight;
    else this.pairs.splice(at, 0, key, weight);
  }

  /** The position (even) of the first pair whose key is not below `key`. */
  private search(key: number): number {
    let low = 0;
    let high = this.pairs.length / 2;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.pairs[mid * 2] as number) < key) low = mid + 1;
      else high = mid;
    }
    return low * 2;
  }
}
