import { grown, NONE } from './jobColumns';

/** Cells come in pages of 2^16: the pool grows a page at a time and is never copied. */
const PAGE_BITS = 16;
const PAGE_SIZE = 1 << PAGE_BITS;
const IN_PAGE = PAGE_SIZE - 1;
/** Sequences are kept as 4-byte offsets from the pool's base while they all fit in that many. */
const NARROW_SPAN = 2 ** 32;

/**
 * The capacities a row's block comes in: every count up to 8 (a job's whole life is mostly 3 to 8
 * events, which then fit exactly), then four steps per doubling, so a longer row wastes under a
 * quarter of its block. Class 0 is "no block".
 */
const CAPACITIES: readonly number[] = (() => {
  const capacities = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  for (let step = 2; capacities[capacities.length - 1] as number < NARROW_SPAN; step *= 2) {
    for (let i = 0; i < 4; i++) capacities.push((capacities[capacities.length - 1] as number) + step);
  }
  return capacities;
})();
/** Blocks up to this many cells live in the shared pages; a longer row gets an array of its own. */
const LARGEST_IN_POOL = PAGE_SIZE / 8;

/** The smallest class whose capacity holds `count`. */
function classFor(count: number): number {
  let k = 0;
  while ((CAPACITIES[k] as number) < count) k++;
  return k;
}

/** A page of sequences: offsets from the base, or (once some sequence did not fit) whole sequences. */
export type SequencePage = Uint32Array | Float64Array;

/** Reads `length` values into `page` from `at` on; returns the smallest of them. */
function readInto(page: SequencePage, at: number, length: number, read: (into: SequencePage) => void): number {
  const into = page.subarray(at, at + length);
  read(into);
  let smallest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < length; i++) if ((into[i] as number) < smallest) smallest = into[i] as number;
  return smallest;
}

/**
 * Every job's stream sequences, in stream order, as one block of cells per row: a row's sequences side by
 * side in a block of its class's capacity, every block in shared pages with a free list per class. 200,000
 * jobs with an array of sequences each cost an object per job and long garbage-collection pauses; the
 * pages give the collector nothing to walk.
 *
 * A cell is 4 bytes: its sequence as an offset from the first one the pool held (a stream 2^32 messages
 * long in the index is the one case that widens the pool to whole 8-byte sequences). A row that outgrows
 * its block moves to one of the next class. Blocks rather than a linked list of cells: at 10,000,000
 * sequences the list's link per cell and its tail column were 50 of its 105 MB; a block's slack
 * is under a quarter of a long row and none of a short one. A row longer than `LARGEST_IN_POOL` has an
 * array of its own, so that no block crosses a page.
 */
export class SequenceLists {
  /** A row's block: its first cell in the pages, or NONE (no block, or an array of its own in `own`). */
  private block = new Int32Array(1024);
  private count = new Uint32Array(1024);
  /** A row's class in `CAPACITIES`: 0 holds nothing. */
  private klass = new Uint8Array(1024);
  private pages: SequencePage[] = [];
  private readonly own = new Map<number, SequencePage>();
  /** Per class, the first free block; a free block's first cell holds the next one plus one (0 ends the list). */
  private freeBlocks = new Int32Array(CAPACITIES.length).fill(NONE);
  /** What cell offsets count from; 0 once the pages hold whole sequences. */
  private base = Number.NaN;
  private wide = false;
  private cellsUsed = 0;
  private held = 0;
  /** No sequence below this is held (a lower bound, tightened by `forgotBelow`). */
  private lowest = Number.POSITIVE_INFINITY;

  /** Sequences held over all rows. */
  get total(): number {
    return this.held;
  }

  /** Makes room for rows below `length`. */
  grow(length: number): void {
    this.block = grown(this.block, length);
    this.count = grown(this.count, length);
    this.klass = grown(this.klass, length);
  }

  /** Row `slot` starts with no sequences. */
  start(slot: number): void {
    this.block[slot] = NONE;
    this.count[slot] = 0;
    this.klass[slot] = 0;
  }

  countOf(slot: number): number {
    return this.count[slot] as number;
  }

  append(slot: number, seq: number): void {
    const n = this.count[slot] as number;
    if (n === CAPACITIES[this.klass[slot] as number]) this.move(slot, (this.klass[slot] as number) + 1);
    if (Number.isNaN(this.base)) this.base = seq;
    const offset = seq - this.base;
    if (!this.wide && !(offset >= 0 && offset < NARROW_SPAN)) this.widen();
    // Not through `cells`: its pair was a third of an append's time.
    const first = this.block[slot] as number;
    const value = this.wide ? seq : offset;
    if (first === NONE) (this.own.get(slot) as SequencePage)[n] = value;
    else (this.pages[first >>> PAGE_BITS] as SequencePage)[(first & IN_PAGE) + n] = value;
    this.count[slot] = n + 1;
    this.held++;
    if (seq < this.lowest) this.lowest = seq;
  }

  /** The row's newest sequence; undefined when it holds none. */
  lastOf(slot: number): number | undefined {
    const n = this.count[slot] as number;
    if (n === 0) return undefined;
    const [page, at] = this.cells(slot);
    return this.base + (page[at + n - 1] as number);
  }

  /** The row's sequences, oldest first. */
  of(slot: number): number[] {
    const n = this.count[slot] as number;
    const out: number[] = new Array(n);
    if (n === 0) return out;
    const [page, at] = this.cells(slot);
    for (let i = 0; i < n; i++) out[i] = this.base + (page[at + i] as number);
    return out;
  }

  /**
   * Writes the row's cells as the pool keeps them (offsets from `offsetBase`, or whole sequences once it is
   * wide: see `wide`) into `out` from `at`; returns where the next row's go.
   */
  copyInto(slot: number, out: SequencePage, at: number): number {
    const n = this.count[slot] as number;
    if (n === 0) return at;
    const [page, from] = this.cells(slot);
    for (let i = 0; i < n; i++) out[at + i] = page[from + i] as number;
    return at + n;
  }

  /** Whether the pool keeps whole sequences (8 bytes) rather than offsets from `offsetBase` (4). */
  get isWide(): boolean {
    return this.wide;
  }

  /** Gives back the row's block; the row holds nothing afterwards. */
  release(slot: number): void {
    this.held -= this.count[slot] as number;
    this.freeRow(slot);
    this.start(slot);
  }

  /** Drops the row's sequences for which `gone` holds; returns how many went. */
  forget(slot: number, gone: (seq: number) => boolean): number {
    const n = this.count[slot] as number;
    if (n === 0) return 0;
    const [page, at] = this.cells(slot);
    let kept = 0;
    for (let i = 0; i < n; i++) {
      const cell = page[at + i] as number;
      if (!gone(this.base + cell)) page[at + kept++] = cell;
    }
    const removed = n - kept;
    this.count[slot] = kept;
    this.held -= removed;
    // A row that lost most of its sequences moves to a block its size: eviction must give memory back.
    const fits = classFor(kept);
    if (fits < (this.klass[slot] as number)) this.move(slot, fits);
    return removed;
  }

  /** Whether any sequence below `firstSeq` may still be held: cheap, so expiry checks can run often. */
  holdsBelow(firstSeq: number): boolean {
    return this.held > 0 && this.lowest < firstSeq;
  }

  /** Called after every row was cleared of sequences below `firstSeq`. */
  forgotBelow(firstSeq: number): void {
    this.lowest = Math.max(this.lowest, firstSeq);
  }

  clear(): void {
    this.pages = [];
    this.own.clear();
    this.freeBlocks.fill(NONE);
    this.base = Number.NaN;
    this.wide = false;
    this.cellsUsed = 0;
    this.held = 0;
    this.lowest = Number.POSITIVE_INFINITY;
  }

  /** What a pool loaded from this one's sequences should count offsets from, to stay as narrow as this one. */
  get offsetBase(): number {
    return this.wide || Number.isNaN(this.base) ? 0 : this.base;
  }

  /**
   * Replaces everything: rows 0 to `counts.length` - 1 hold `counts[i]` sequences each, one row's after
   * another, read by `read` as a pool with these `base` and `wide` keeps them (see `copyInto`), straight into
   * the rows' blocks.
   */
  load(counts: Uint32Array, base: number, wide: boolean, read: (into: SequencePage) => void): void {
    this.clear();
    const rows = counts.length;
    this.grow(rows);
    this.base = wide ? 0 : base;
    this.wide = wide;
    let total = 0;
    for (let slot = 0; slot < rows; slot++) {
      const n = counts[slot] as number;
      this.start(slot);
      this.count[slot] = n;
      if (n > 0) this.place(slot, classFor(n));
      total += n;
    }
    // Blocks placed one after another lie end to end while each is its row's exact size (every size up to 8, a
    // job's usual number of events): such a run of rows is read in one go into its page, not copied value by
    // value from a chunk read (10,000,000 values took 155-315 ms so).
    let smallest = Number.POSITIVE_INFINITY;
    for (let slot = 0; slot < rows; ) {
      const n = counts[slot] as number;
      const first = this.block[slot] as number;
      if (n === 0 || first === NONE) {
        if (n > 0) smallest = Math.min(smallest, readInto(this.own.get(slot) as SequencePage, 0, n, read));
        slot++;
        continue;
      }
      let end = first + n;
      let next = slot + 1;
      for (; next < rows; next++) {
        const m = counts[next] as number;
        if (m === 0) continue;
        if (this.block[next] !== end || (end + m - 1) >>> PAGE_BITS !== first >>> PAGE_BITS) break;
        end += m;
      }
      smallest = Math.min(smallest, readInto(this.pages[first >>> PAGE_BITS] as SequencePage, first & IN_PAGE, end - first, read));
      slot = next;
    }
    this.held = total;
    this.lowest = total > 0 ? this.base + smallest : Number.POSITIVE_INFINITY;
  }

  /** The array holding the row's block, and where in it the block starts. */
  private cells(slot: number): [SequencePage, number] {
    const first = this.block[slot] as number;
    if (first === NONE) return [this.own.get(slot) as SequencePage, 0];
    return [this.pages[first >>> PAGE_BITS] as SequencePage, first & IN_PAGE];
  }

  /** Moves the row's sequences into a new block of class `to`. */
  private move(slot: number, to: number): void {
    const n = this.count[slot] as number;
    const oldBlock = this.block[slot] as number;
    const oldClass = this.klass[slot] as number;
    // The Map only for a row that has an array of its own: a move per append of a young row is the common case.
    const oldOwn = oldClass > 0 && oldBlock === NONE ? this.own.get(slot) : undefined;
    if (oldOwn) this.own.delete(slot);
    const from = oldOwn ?? (this.pages[oldBlock >>> PAGE_BITS] as SequencePage);
    const fromAt = oldOwn ? 0 : oldBlock & IN_PAGE;
    this.place(slot, to);
    if (n > 0) {
      const [page, at] = this.cells(slot);
      for (let i = 0; i < n; i++) page[at + i] = from[fromAt + i] as number;
    }
    if (!oldOwn && oldClass > 0) this.freeBlock(oldBlock, oldClass);
  }

  /** Gives the row a new, empty block of class `k` (0: none); what it held before is the caller's to free. */
  private place(slot: number, k: number): void {
    this.klass[slot] = k;
    if (k === 0) {
      this.block[slot] = NONE;
      return;
    }
    const capacity = CAPACITIES[k] as number;
    if (capacity > LARGEST_IN_POOL) {
      this.block[slot] = NONE;
      this.own.set(slot, this.wide ? new Float64Array(capacity) : new Uint32Array(capacity));
      return;
    }
    this.block[slot] = this.takeBlock(k);
  }

  private freeRow(slot: number): void {
    const k = this.klass[slot] as number;
    if (k === 0) return;
    if (!this.own.delete(slot)) this.freeBlock(this.block[slot] as number, k);
  }

  private takeBlock(k: number): number {
    const free = this.freeBlocks[k] as number;
    if (free !== NONE) {
      this.freeBlocks[k] = ((this.pages[free >>> PAGE_BITS] as SequencePage)[free & IN_PAGE] as number) - 1;
      return free;
    }
    const capacity = CAPACITIES[k] as number;
    const room = this.pages.length * PAGE_SIZE - this.cellsUsed;
    if (room < capacity) {
      // The page's rest becomes free blocks of the classes that fit, and the block starts a new page.
      this.carve(this.cellsUsed, room);
      this.pages.push(this.wide ? new Float64Array(PAGE_SIZE) : new Uint32Array(PAGE_SIZE));
      this.cellsUsed = (this.pages.length - 1) * PAGE_SIZE;
    }
    const first = this.cellsUsed;
    this.cellsUsed += capacity;
    return first;
  }

  private carve(first: number, cells: number): void {
    let k = classFor(cells);
    for (let at = first, left = cells; left > 0; ) {
      while ((CAPACITIES[k] as number) > left) k--;
      this.freeBlock(at, k);
      at += CAPACITIES[k] as number;
      left -= CAPACITIES[k] as number;
    }
  }

  private freeBlock(first: number, k: number): void {
    (this.pages[first >>> PAGE_BITS] as SequencePage)[first & IN_PAGE] = (this.freeBlocks[k] as number) + 1;
    this.freeBlocks[k] = first;
  }

  /**
   * Some sequence does not fit as an offset: every page holds whole sequences from now on. A free block's
   * first cell holds a link, not an offset, and keeps its value.
   */
  private widen(): void {
    const base = this.base;
    const links = new Map<number, number>();
    for (let k = 1; k < CAPACITIES.length; k++) {
      for (let free = this.freeBlocks[k] as number; free !== NONE; ) {
        const link = (this.pages[free >>> PAGE_BITS] as SequencePage)[free & IN_PAGE] as number;
        links.set(free, link);
        free = link - 1;
      }
    }
    this.pages = this.pages.map((page) => Float64Array.from(page, (offset) => base + offset));
    for (const [free, link] of links) (this.pages[free >>> PAGE_BITS] as SequencePage)[free & IN_PAGE] = link;
    for (const [slot, array] of this.own) this.own.set(slot, Float64Array.from(array, (offset) => base + offset));
    this.base = 0;
    this.wide = true;
  }
}
