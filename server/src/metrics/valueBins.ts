import { BinTally, mapping } from './binTally';

/**
 * The bins of a DDSketch, kept sparse: a bucket of one minute holds a few dozen distinct keys, and a
 * DDSketch's dense store would allocate hundreds per bucket. Counts can be taken away again (a job
 * deleted), which a DDSketch does not offer; queries merge the bins into a `BinTally`.
 */
export class ValueBins {
  private readonly bins = new Map<number, number>();
  private zeros = 0;
  count = 0;

  add(value: number, weight = 1): void {
    if (!(value >= 0) || !Number.isFinite(value)) return;
    if (value <= mapping.minPossible) this.zeros += weight;
    else {
      const key = mapping.key(value);
      this.bins.set(key, (this.bins.get(key) ?? 0) + weight);
    }
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
      const held = this.bins.get(key) ?? 0;
      if (held === 0) return;
      if (held === 1) this.bins.delete(key);
      else this.bins.set(key, held - 1);
    }
    this.count--;
  }

  mergeInto(tally: BinTally): void {
    for (const [key, count] of this.bins) tally.add(key, count);
    if (this.zeros > 0) tally.addZeros(this.zeros);
  }

  /** `[key, count]` pairs, the zeros under key `null`: what a snapshot stores. */
  entries(): [number | null, number][] {
    const entries: [number | null, number][] = [...this.bins];
    if (this.zeros > 0) entries.push([null, this.zeros]);
    return entries;
  }

  static fromEntries(entries: readonly [number | null, number][]): ValueBins {
    const bins = new ValueBins();
    for (const [key, count] of entries) {
      if (key === null) bins.zeros += count;
      else bins.bins.set(key, count);
      bins.count += count;
    }
    return bins;
  }
}
