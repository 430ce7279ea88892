import type { BlockReader } from '../util/blockReader';
import type { BlockWriter } from '../util/blockWriter';
import { BinStore } from './binStore';
import type { Contribution } from './jobClock';
import { COUNTED } from './metricTypes';

/** Counters per cell, in `COUNTED` order. */
export const COUNTS = COUNTED.length;

/** A cell's sketches in its ring's `BinStore`: two per cell. */
export const runTimeSketch = (cell: number): number => cell * 2;
export const queueWaitSketch = (cell: number): number => cell * 2 + 1;

const NONE = -1;

/**
 * Buckets of `width` seconds over the last `keep` seconds, each holding a cell per group (overall, a
 * queue, a worker) that had events in it: counts per event type and run-time and queue-wait bins.
 *
 * Everything lives in typed arrays: a bucket is a slot of a ring (its start decides the slot, so a new
 * bucket reuses the slot of one that aged out), `cellOf[slot * stride + group]` finds a cell, a cell's
 * counts are `COUNTS` entries of one Uint32Array and its bins are runs of one `BinStore`. The objects
 * this replaced (a Map of cells per bucket, a cell with its count array and two bin arrays) cost
 * ~400 bytes per cell, and the minute buckets per queue and worker hold ~80,000 cells at 1M events.
 */
export class BucketRing {
  readonly slots: number;
  readonly bins = new BinStore();
  /** Bucket start per slot; NaN: the slot holds no bucket. */
  private readonly starts: Float64Array;
  /** The stream sequences a bucket holds events of: once the stream's first is past `maxSeq`, all of them expired. */
  private readonly minSeq: Float64Array;
  private readonly maxSeq: Float64Array;
  /** Groups per slot in `cellOf`: a power of two, grown as groups appear. */
  private stride = 0;
  private cellOf = new Int32Array(0);
  private cellCounts = new Uint32Array(0);
  private cellTop = 0;
  private readonly freeCells: number[] = [];
  private occupied = 0;

  constructor(
    readonly width: number,
    readonly keep: number,
  ) {
    // Every start from the horizon up to one bucket past now has a slot of its own.
    this.slots = Math.ceil(keep / width) + 2;
    this.starts = new Float64Array(this.slots).fill(Number.NaN);
    this.minSeq = new Float64Array(this.slots);
    this.maxSeq = new Float64Array(this.slots);
  }

  /** Buckets that hold events. */
  get bucketCount(): number {
    return this.occupied;
  }

  /** Per cell, `COUNTS` counters from `cell * COUNTS`. */
  get counts(): Uint32Array {
    return this.cellCounts;
  }

  startOf(time: number): number {
    return Math.floor(time / this.width) * this.width;
  }

  /** The first bucket start kept at `now`. */
  horizon(now: number): number {
    return this.startOf(now - this.keep) + this.width;
  }

  startAt(slot: number): number {
    return this.starts[slot] as number;
  }

  /** The slot of the bucket holding `time`; -1 when `time` is older than what the ring keeps or (unless `create`) has no bucket. */
  bucketFor(time: number, now: number, create: boolean): number {
    const start = this.startOf(time);
    if (start < this.horizon(now)) return NONE;
    const slot = (((start / this.width) % this.slots) + this.slots) % this.slots;
    if (this.starts[slot] === start) return slot;
    if (!create) return NONE;
    const occupant = this.starts[slot] as number;
    if (!Number.isNaN(occupant)) {
      // Kept starts have slots of their own, so one of the two is out of range: aged out, or from a clock
      // far ahead. A bucket still kept stays; any other gives its slot up.
      if (occupant >= this.horizon(now) && occupant <= this.startOf(now) + this.width) return NONE;
      this.clearSlot(slot);
    }
    this.starts[slot] = start;
    this.minSeq[slot] = Infinity;
    this.maxSeq[slot] = 0;
    this.occupied++;
    return slot;
  }

  noteSeq(slot: number, seq: number): void {
    if (seq < (this.minSeq[slot] as number)) this.minSeq[slot] = seq;
    if (seq > (this.maxSeq[slot] as number)) this.maxSeq[slot] = seq;
  }

  /** The cell of `group` in a slot's bucket; -1 when it has none (and `create` is false). */
  cell(slot: number, group: number, create: boolean): number {
    if (group >= this.stride) {
      if (!create) return NONE;
      this.growGroups(group + 1);
    }
    const at = slot * this.stride + group;
    const found = this.cellOf[at] as number;
    if (found !== NONE || !create) return found;
    const cell = this.newCell();
    this.cellOf[at] = cell;
    return cell;
  }

  add(cell: number, c: Contribution): void {
    if (c.counted >= 0) (this.cellCounts[cell * COUNTS + c.counted] as number)++;
    if (c.runTimeMs !== null) this.bins.add(runTimeSketch(cell), c.runTimeMs);
    if (c.queueWaitMs !== null) this.bins.add(queueWaitSketch(cell), c.queueWaitMs);
  }

  remove(cell: number, c: Contribution): void {
    const at = cell * COUNTS + c.counted;
    if (c.counted >= 0 && (this.cellCounts[at] as number) > 0) (this.cellCounts[at] as number)--;
    if (c.runTimeMs !== null) this.bins.remove(runTimeSketch(cell), c.runTimeMs);
    if (c.queueWaitMs !== null) this.bins.remove(queueWaitSketch(cell), c.queueWaitMs);
  }

  /** Drops the buckets older than what is kept at `now`. */
  prune(now: number): void {
    const horizon = this.horizon(now);
    for (let slot = 0; slot < this.slots; slot++) if ((this.starts[slot] as number) < horizon) this.clearSlot(slot);
  }

  /** Drops the buckets whose events all expired from the stream. */
  forgetBelow(firstSeq: number): number {
    let dropped = 0;
    for (let slot = 0; slot < this.slots; slot++) {
      if (!Number.isNaN(this.starts[slot]) && (this.maxSeq[slot] as number) < firstSeq) {
        this.clearSlot(slot);
        dropped++;
      }
    }
    return dropped;
  }

  clear(): void {
    for (let slot = 0; slot < this.slots; slot++) if (!Number.isNaN(this.starts[slot])) this.clearSlot(slot);
  }

  /** The slots of the buckets starting in `[from, to)`, oldest first. */
  within(from: number, to: number): number[] {
    const found: number[] = [];
    for (let slot = 0; slot < this.slots; slot++) {
      const start = this.starts[slot] as number;
      if (start >= from && start < to) found.push(slot);
    }
    return found.sort((a, b) => (this.starts[a] as number) - (this.starts[b] as number));
  }

  /**
   * The buckets held, under `name`: their starts and sequences, then each cell as its slot (among those
   * written), its group, its counts and its bins. Cells are numbered afresh on restore; only what they hold counts.
   * Typed arrays and plain loops throughout: at 1M events a minute ring holds ~100,000 cells.
   */
  save(out: BlockWriter, name: string): void {
    const slots = new Uint32Array(this.occupied);
    let n = 0;
    for (let slot = 0; slot < this.slots; slot++) if (!Number.isNaN(this.starts[slot])) slots[n++] = slot;
    const live = this.cellTop - this.freeCells.length;
    const cellSlot = new Uint32Array(live);
    const cellGroup = new Uint32Array(live);
    const counts = new Uint32Array(live * COUNTS);
    const sketches = new Uint32Array(live * 2);
    const { stride, cellOf, cellCounts } = this;
    let k = 0;
    for (let i = 0; i < n; i++) {
      const row = (slots[i] as number) * stride;
      for (let group = 0; group < stride; group++) {
        const cell = cellOf[row + group] as number;
        if (cell === NONE) continue;
        cellSlot[k] = i;
        cellGroup[k] = group;
        for (let c = 0; c < COUNTS; c++) counts[k * COUNTS + c] = cellCounts[cell * COUNTS + c] as number;
        sketches[2 * k] = runTimeSketch(cell);
        sketches[2 * k + 1] = queueWaitSketch(cell);
        k++;
      }
    }
    if (k !== live) throw new Error(`${name} holds ${k} cells, its books ${live}`);
    out.field(name, { width: this.width, keep: this.keep });
    out.column(`${name}.starts`, Float64Array.from(slots, (slot) => this.starts[slot] as number));
    out.column(`${name}.minSeq`, Float64Array.from(slots, (slot) => this.minSeq[slot] as number));
    out.column(`${name}.maxSeq`, Float64Array.from(slots, (slot) => this.maxSeq[slot] as number));
    out.unsigned(`${name}.cellSlot`, cellSlot);
    out.unsigned(`${name}.cellGroup`, cellGroup);
    out.unsigned(`${name}.counts`, counts);
    this.bins.save(sketches, out, `${name}.bins`);
  }

  /** Fills this ring, which must be empty, with what `save` wrote under `name`; cells name groups below `groups`. */
  restore(from: BlockReader, name: string, groups: number): void {
    const shape = from.field(name) as { width?: unknown; keep?: unknown } | null;
    if (shape?.width !== this.width || shape.keep !== this.keep) {
      throw new Error(`${from.what}: ${name} holds buckets of ${JSON.stringify(shape?.width)} s over ${JSON.stringify(shape?.keep)} s, not of ${this.width} s over ${this.keep} s`);
    }
    const starts = from.column(`${name}.starts`, 'Float64Array');
    const minSeq = from.column(`${name}.minSeq`, 'Float64Array', starts.length);
    const maxSeq = from.column(`${name}.maxSeq`, 'Float64Array', starts.length);
    const slots = new Uint32Array(starts.length);
    for (let i = 0; i < starts.length; i++) {
      const start = starts[i] as number;
      if (!Number.isFinite(start) || start % this.width !== 0) throw new Error(`${from.what}: ${name} has a bucket start ${start} not on a bucket boundary`);
      const slot = (((start / this.width) % this.slots) + this.slots) % this.slots;
      if (!Number.isNaN(this.starts[slot])) throw new Error(`${from.what}: ${name} has two buckets in one slot`);
      this.starts[slot] = start;
      this.minSeq[slot] = minSeq[i] as number;
      this.maxSeq[slot] = maxSeq[i] as number;
      slots[i] = slot;
    }
    this.occupied = slots.length;
    const cellSlot = from.unsigned(`${name}.cellSlot`);
    const cellGroup = from.unsigned(`${name}.cellGroup`, cellSlot.length);
    const counts = from.unsigned(`${name}.counts`, cellSlot.length * COUNTS);
    if (groups > 0) this.growGroups(groups);
    // The cells numbered 0 .. n - 1 in the order written, their counts as written: one copy.
    const n = cellSlot.length;
    this.cellTop = n;
    this.cellCounts = new Uint32Array(Math.max(256, n) * COUNTS);
    this.cellCounts.set(counts);
    // Room for as many cells as `newCell` would have made, so that it grows them as usual from here.
    this.bins.reserve(Math.max(256, n) * 2);
    if (this.bins.restore(from, `${name}.bins`) !== n * 2) throw new Error(`${from.what}: ${name} has bins of other cells than it holds`);
    for (let cell = 0; cell < n; cell++) {
      const i = cellSlot[cell] as number;
      const group = cellGroup[cell] as number;
      if (i >= slots.length || group >= groups) throw new Error(`${from.what}: ${name} has a cell of no bucket or no group`);
      const at = (slots[i] as number) * this.stride + group;
      if (this.cellOf[at] !== NONE) throw new Error(`${from.what}: ${name} has two cells of one group in a bucket`);
      this.cellOf[at] = cell;
    }
  }

  /** Bytes of the typed arrays, for the benchmark's account of where memory goes. */
  bytes(): number {
    return this.starts.byteLength * 3 + this.cellOf.byteLength + this.cellCounts.byteLength + this.bins.bytes();
  }

  private clearSlot(slot: number): void {
    const row = slot * this.stride;
    for (let group = 0; group < this.stride; group++) {
      const cell = this.cellOf[row + group] as number;
      if (cell === NONE) continue;
      this.cellCounts.fill(0, cell * COUNTS, (cell + 1) * COUNTS);
      this.bins.clear(runTimeSketch(cell));
      this.bins.clear(queueWaitSketch(cell));
      this.freeCells.push(cell);
      this.cellOf[row + group] = NONE;
    }
    this.starts[slot] = Number.NaN;
    this.occupied--;
  }

  private newCell(): number {
    const reused = this.freeCells.pop();
    if (reused !== undefined) return reused;
    const cell = this.cellTop++;
    if (cell * COUNTS >= this.cellCounts.length) {
      const capacity = Math.max(256, cell * 2);
      const counts = new Uint32Array(capacity * COUNTS);
      counts.set(this.cellCounts);
      this.cellCounts = counts;
      this.bins.reserve(capacity * 2);
    }
    return cell;
  }

  private growGroups(groups: number): void {
    let stride = Math.max(8, this.stride);
    while (stride < groups) stride *= 2;
    const cellOf = new Int32Array(this.slots * stride).fill(NONE);
    for (let slot = 0; slot < this.slots; slot++) cellOf.set(this.cellOf.subarray(slot * this.stride, (slot + 1) * this.stride), slot * stride);
    this.cellOf = cellOf;
    this.stride = stride;
  }
}
