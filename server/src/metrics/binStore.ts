import type { BlockReader } from '../util/blockReader';
import type { BlockWriter } from '../util/blockWriter';
import { BinTally, mapping, runQuantiles } from './binTally';

/** Keys as an Int16Array holds them: values past ~1e150 ms or under ~1e-150 ms share the end keys. */
const MIN_KEY = -32_768;
const MAX_KEY = 32_767;
/** Runs hold 2, 4, 8, ... up to 2^16 keys: more than the Int16 keys there are. */
const CLASSES = 16;

/** The DDSketch key of a positive value, clamped to what an Int16Array keeps. */
export function keyOf(value: number): number {
  return Math.min(MAX_KEY, Math.max(MIN_KEY, mapping.key(value)));
}

/** The pairs of the block a run of `pairs` pairs takes: `2 ^ (sizeClass + 1)`, the smallest that holds it. */
function blockOf(pairs: number): number {
  return pairs === 0 ? 0 : pairs <= 2 ? 2 : 2 ** (32 - Math.clz32(pairs - 1));
}

/** Where a value counts: `null` for zeros (and values too small for the mapping), else its key. */
function binOf(value: number): number | null | undefined {
  if (!(value >= 0) || !Number.isFinite(value)) return undefined;
  return value <= mapping.minPossible ? null : keyOf(value);
}

/**
 * Many sparse DDSketch bins (every bucket's run-time and queue-wait values per group), addressed by a
 * number, in a few shared typed arrays: each sketch's `key, count` pairs are a run of one arena, sorted
 * by key, in a power-of-two block that a free list per size gives back when it grows or is cleared.
 * One object per sketch (a `number[]` or a Map) cost ~60 bytes before its first value, and the minute
 * buckets per queue and worker hold a hundred thousand of them; here a pair costs 6 bytes and a sketch
 * 17 bytes of bookkeeping. Counts can be taken away again (a job deleted), which a DDSketch does not offer.
 */
export class BinStore {
  private keys = new Int16Array(1024);
  private counts = new Uint32Array(1024);
  /** The arena's used length: blocks past it were never handed out. */
  private top = 0;
  private readonly free: number[][] = Array.from({ length: CLASSES + 1 }, () => []);
  /** Per sketch: its block's start and size class, how many pairs it uses, its zeros and its total. */
  private offset = new Uint32Array(0);
  private size = new Uint32Array(0);
  private sizeClass = new Int8Array(0);
  private zeros = new Uint32Array(0);
  private totals = new Uint32Array(0);

  /** Makes room for sketches `0 .. sketches - 1`; new ones are empty. */
  reserve(sketches: number): void {
    if (sketches <= this.size.length) return;
    const grow = <T extends Uint32Array | Int8Array>(old: T, make: (n: number) => T): T => {
      const next = make(sketches);
      next.set(old);
      return next;
    };
    this.offset = grow(this.offset, (n) => new Uint32Array(n));
    this.size = grow(this.size, (n) => new Uint32Array(n));
    this.sizeClass = grow(this.sizeClass, (n) => new Int8Array(n).fill(-1));
    this.zeros = grow(this.zeros, (n) => new Uint32Array(n));
    this.totals = grow(this.totals, (n) => new Uint32Array(n));
  }

  count(sketch: number): number {
    return this.totals[sketch] as number;
  }

  add(sketch: number, value: number, weight = 1): void {
    const bin = binOf(value);
    if (bin === undefined) return;
    if (bin === null) (this.zeros[sketch] as number) += weight;
    else this.addKey(sketch, bin, weight);
    (this.totals[sketch] as number) += weight;
  }

  /** Takes a value added before away again; a value never added (or already taken) changes nothing. */
  remove(sketch: number, value: number): void {
    const bin = binOf(value);
    if (bin === undefined) return;
    if (bin === null) {
      if (this.zeros[sketch] === 0) return;
      (this.zeros[sketch] as number)--;
    } else {
      const start = this.offset[sketch] as number;
      const end = start + (this.size[sketch] as number);
      const at = this.search(start, end, bin);
      if (at === end || this.keys[at] !== bin) return;
      if (this.counts[at] === 1) {
        this.keys.copyWithin(at, at + 1, end);
        this.counts.copyWithin(at, at + 1, end);
        (this.size[sketch] as number)--;
      } else (this.counts[at] as number)--;
    }
    (this.totals[sketch] as number)--;
  }

  /** Empties a sketch and gives its block back. */
  clear(sketch: number): void {
    const sizeClass = this.sizeClass[sketch] as number;
    if (sizeClass >= 0) this.free[sizeClass]?.push(this.offset[sketch] as number);
    this.sizeClass[sketch] = -1;
    this.size[sketch] = 0;
    this.zeros[sketch] = 0;
    this.totals[sketch] = 0;
  }

  /** `[key, count]` pairs, keys ascending, the zeros last under key `null`: what a test compares. */
  entries(sketch: number): [number | null, number][] {
    const start = this.offset[sketch] as number;
    const end = start + (this.size[sketch] as number);
    const entries: [number | null, number][] = [];
    for (let i = start; i < end; i++) entries.push([this.keys[i] as number, this.counts[i] as number]);
    if (this.zeros[sketch] !== 0) entries.push([null, this.zeros[sketch] as number]);
    return entries;
  }

  /** Adds a sketch's bins to a tally. */
  addTo(sketch: number, tally: BinTally): void {
    const start = this.offset[sketch] as number;
    tally.addPairs(this.keys, this.counts, start, start + (this.size[sketch] as number), this.zeros[sketch] as number);
  }

  /** The values at `quantiles` (ascending) of one sketch, as a tally of it alone answers; NaN when empty. */
  quantiles(sketch: number, quantiles: readonly number[]): number[] {
    const start = this.offset[sketch] as number;
    return runQuantiles(this.keys, this.counts, start, start + (this.size[sketch] as number), this.zeros[sketch] as number, quantiles);
  }

  /**
   * The bins of `sketches`, as sketches `0 .. sketches.length - 1` of a store that holds nothing else:
   * per sketch its pairs used, zeros and total, then the arena with each run at the start of its block
   * (the size class its length needs), as `restore` lays it out. Laid out here, on the save every 30 s,
   * so that a restore is a few copies and one pass over the sketches, not a loop per pair in code the
   * start of a process runs once, cold.
   */
  save(sketches: ArrayLike<number>, out: BlockWriter, name: string): void {
    const n = sketches.length;
    const used = new Uint32Array(n);
    const zeros = new Uint32Array(n);
    const totals = new Uint32Array(n);
    let length = 0;
    for (let i = 0; i < n; i++) {
      const sketch = sketches[i] as number;
      used[i] = this.size[sketch] as number;
      zeros[i] = this.zeros[sketch] as number;
      totals[i] = this.totals[sketch] as number;
      length += blockOf(used[i] as number);
    }
    const keys = new Int16Array(length);
    const counts = new Uint32Array(length);
    let at = 0;
    for (let i = 0; i < n; i++) {
      const start = this.offset[sketches[i] as number] as number;
      const end = start + (used[i] as number);
      for (let k = start, to = at; k < end; k++, to++) {
        keys[to] = this.keys[k] as number;
        counts[to] = this.counts[k] as number;
      }
      at += blockOf(used[i] as number);
    }
    out.unsigned(`${name}.used`, used);
    out.unsigned(`${name}.zeros`, zeros);
    out.unsigned(`${name}.totals`, totals);
    out.column(`${name}.keys`, keys);
    out.unsigned(`${name}.counts`, counts);
  }

  /**
   * Takes what `save` wrote, into this store, which must hold nothing yet: its sketches are `0 .. n - 1`
   * (reserved here); returns `n`. Throws when the runs and the arena do not add up.
   */
  restore(from: BlockReader, name: string): number {
    if (this.top !== 0) throw new Error('only an empty BinStore takes a saved one');
    const used = from.unsigned(`${name}.used`);
    const n = used.length;
    const zeros = from.unsigned(`${name}.zeros`, n);
    const totals = from.unsigned(`${name}.totals`, n);
    const keys = from.column(`${name}.keys`, 'Int16Array');
    const counts = from.unsigned(`${name}.counts`, keys.length);
    this.reserve(n);
    let at = 0;
    for (let i = 0; i < n; i++) {
      const pairs = used[i] as number;
      if (pairs === 0) continue;
      if (pairs > 1 << CLASSES) throw new Error(`${from.what}: ${name} has a run of ${pairs} pairs, more than there are keys`);
      const block = blockOf(pairs);
      this.offset[i] = at;
      this.sizeClass[i] = 30 - Math.clz32(block);
      at += block;
    }
    if (at !== keys.length) throw new Error(`${from.what}: ${name} holds ${keys.length} pairs, its runs need ${at}`);
    this.holdPairs(at);
    this.keys.set(keys);
    this.counts.set(counts);
    this.top = at;
    this.size.set(used);
    this.zeros.set(zeros);
    this.totals.set(totals);
    return n;
  }

  /** Bytes of the typed arrays, for the benchmark's account of where memory goes. */
  bytes(): number {
    return this.keys.byteLength + this.counts.byteLength + this.offset.byteLength + this.size.byteLength + this.sizeClass.byteLength + this.zeros.byteLength + this.totals.byteLength;
  }

  private addKey(sketch: number, key: number, weight: number): void {
    let start = this.offset[sketch] as number;
    const used = this.size[sketch] as number;
    let end = start + used;
    const at = this.search(start, end, key);
    if (at < end && this.keys[at] === key) {
      (this.counts[at] as number) += weight;
      return;
    }
    const sizeClass = this.sizeClass[sketch] as number;
    let insertAt = at;
    if (sizeClass < 0 || used === 1 << (sizeClass + 1)) {
      const moved = this.allocate(sizeClass + 1);
      if (used > 0) {
        this.keys.copyWithin(moved, start, end);
        this.counts.copyWithin(moved, start, end);
        this.free[sizeClass]?.push(start);
      }
      insertAt = moved + (at - start);
      start = moved;
      end = moved + used;
      this.offset[sketch] = moved;
      this.sizeClass[sketch] = sizeClass + 1;
    }
    this.keys.copyWithin(insertAt + 1, insertAt, end);
    this.counts.copyWithin(insertAt + 1, insertAt, end);
    this.keys[insertAt] = key;
    this.counts[insertAt] = weight;
    this.size[sketch] = used + 1;
  }

  /** A block of `2 ^ (sizeClass + 1)` pairs: a freed one, else the arena's end (grown by doubling). */
  private allocate(sizeClass: number): number {
    const reused = this.free[sizeClass]?.pop();
    if (reused !== undefined) return reused;
    const at = this.top;
    this.top += 1 << (sizeClass + 1);
    this.holdPairs(this.top);
    return at;
  }

  /** Grows the arena, by doubling, to hold `pairs` pairs. */
  private holdPairs(pairs: number): void {
    if (pairs <= this.keys.length) return;
    let capacity = this.keys.length;
    while (capacity < pairs) capacity *= 2;
    const keys = new Int16Array(capacity);
    keys.set(this.keys);
    const counts = new Uint32Array(capacity);
    counts.set(this.counts);
    this.keys = keys;
    this.counts = counts;
  }

  /** The position of the first key in `[start, end)` not below `key`. */
  private search(start: number, end: number, key: number): number {
    let low = start;
    let high = end;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.keys[mid] as number) < key) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
