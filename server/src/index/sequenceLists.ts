import { grown, NONE } from './jobColumns';

/** Cells come in pages of 2^16: the pool grows a page at a time and is never copied. */
const PAGE_BITS = 16;
const PAGE_SIZE = 1 << PAGE_BITS;
const IN_PAGE = PAGE_SIZE - 1;
/** Sequences are kept as 4-byte offsets from the pool's base while they all fit in that many. */
const NARROW_SPAN = 2 ** 32;

/** A page of sequences: offsets from the base, or (once some sequence did not fit) whole sequences. */
export type SequencePage = Uint32Array | Float64Array;

/**
 * Every job's stream sequences, as one linked list of cells per row, in stream order, all cells in one
 * shared pool with a free list: 200,000 jobs with an array of sequences each cost an object per job
 * and long garbage-collection pauses; the pool gives the collector nothing to walk.
 *
 * A cell is 8 bytes: its sequence as an offset from the first one the pool held (a stream 2^32
 * messages long in the index is the one case that widens the pool to whole 8-byte sequences), and
 * the next cell. Pages rather than one array doubled as it fills: at 10,000,000 sequences a doubled
 * array of 12-byte cells held 16.7M cells (200 MB), and 300 MB while it was copied into the next.
 */
export class SequenceLists {
  private head = new Int32Array(1024);
  private tail = new Int32Array(1024);
  private count = new Uint32Array(1024);
  private seqPages: SequencePage[] = [];
  private nextPages: Int32Array[] = [];
  /** What cell offsets count from; 0 once the pages hold whole sequences. */
  private base = Number.NaN;
  private wide = false;
  private cellsUsed = 0;
  private freeCell = NONE;
  private held = 0;
  /** No sequence below this is held (a lower bound, tightened by `forgotBelow`). */
  private lowest = Number.POSITIVE_INFINITY;

  /** Sequences held over all rows. */
  get total(): number {
    return this.held;
  }

  /** Makes room for rows below `length`. */
  grow(length: number): void {
    this.head = grown(this.head, length);
    this.tail = grown(this.tail, length);
    this.count = grown(this.count, length);
  }

  /** Row `slot` starts with no sequences. */
  start(slot: number): void {
    this.head[slot] = NONE;
    this.tail[slot] = NONE;
    this.count[slot] = 0;
  }

  countOf(slot: number): number {
    return this.count[slot] as number;
  }

  append(slot: number, seq: number): void {
    const cell = this.takeCell();
    this.setSeq(cell, seq);
    this.setNext(cell, NONE);
    const tail = this.tail[slot] as number;
    if (tail === NONE) this.head[slot] = cell;
    else this.setNext(tail, cell);
    this.tail[slot] = cell;
    this.count[slot]++;
    this.held++;
    if (seq < this.lowest) this.lowest = seq;
  }

  /** The row's newest sequence; undefined when it holds none. */
  lastOf(slot: number): number | undefined {
    const tail = this.tail[slot] as number;
    return tail === NONE ? undefined : this.seqOf(tail);
  }

  /** The row's sequences, oldest first. */
  of(slot: number): number[] {
    const out: number[] = [];
    for (let cell = this.head[slot] as number; cell !== NONE; cell = this.nextOf(cell)) out.push(this.seqOf(cell));
    return out;
  }

  /**
   * Writes the row's cells as the pool keeps them (offsets from `offsetBase`, or whole sequences once it is
   * wide: see `wide`) into `out` from `at`; returns where the next row's go.
   */
  copyInto(slot: number, out: SequencePage, at: number): number {
    for (let cell = this.head[slot] as number; cell !== NONE; cell = this.nextOf(cell)) out[at++] = (this.seqPages[cell >>> PAGE_BITS] as SequencePage)[cell & IN_PAGE] as number;
    return at;
  }

  /** Whether the pool keeps whole sequences (8 bytes) rather than offsets from `offsetBase` (4). */
  get isWide(): boolean {
    return this.wide;
  }

  /** Gives back every cell of the row; the row holds nothing afterwards. */
  release(slot: number): void {
    for (let cell = this.head[slot] as number; cell !== NONE; ) {
      const next = this.nextOf(cell);
      this.releaseCell(cell);
      cell = next;
    }
    this.held -= this.count[slot] as number;
    this.start(slot);
  }

  /** Drops the row's sequences for which `gone` holds; returns how many went. */
  forget(slot: number, gone: (seq: number) => boolean): number {
    let removed = 0;
    let previous = NONE;
    for (let cell = this.head[slot] as number; cell !== NONE; ) {
      const next = this.nextOf(cell);
      if (gone(this.seqOf(cell))) {
        if (previous === NONE) this.head[slot] = next;
        else this.setNext(previous, next);
        if (this.tail[slot] === cell) this.tail[slot] = previous;
        this.releaseCell(cell);
        removed++;
      } else {
        previous = cell;
      }
      cell = next;
    }
    this.count[slot] -= removed;
    this.held -= removed;
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
    this.seqPages = [];
    this.nextPages = [];
    this.base = Number.NaN;
    this.wide = false;
    this.cellsUsed = 0;
    this.freeCell = NONE;
    this.held = 0;
    this.lowest = Number.POSITIVE_INFINITY;
  }

  /** What a pool loaded from this one's sequences should count offsets from, to stay as narrow as this one. */
  get offsetBase(): number {
    return this.wide || Number.isNaN(this.base) ? 0 : this.base;
  }

  /**
   * Replaces everything: rows 0 to `counts.length` - 1 hold `counts[i]` sequences each, one row's after
   * another, read by `read` straight into the pages a page at a time, as a pool with these `base` and
   * `wide` keeps them (see `copyInto`).
   */
  load(counts: Uint32Array, base: number, wide: boolean, read: (into: SequencePage) => void): void {
    this.clear();
    const rows = counts.length;
    this.grow(rows);
    let total = 0;
    for (let slot = 0; slot < rows; slot++) {
      const count = counts[slot] as number;
      this.count[slot] = count;
      this.head[slot] = count > 0 ? total : NONE;
      this.tail[slot] = count > 0 ? total + count - 1 : NONE;
      total += count;
    }
    this.base = wide ? 0 : base;
    this.wide = wide;
    // Each row's cells follow one another: every cell links to the next, and each row's last one ends its list.
    let smallest = Number.POSITIVE_INFINITY;
    for (let cell = 0; cell < total; cell += PAGE_SIZE) {
      this.addPage();
      const length = Math.min(PAGE_SIZE, total - cell);
      const seqs = (this.seqPages[this.seqPages.length - 1] as SequencePage).subarray(0, length);
      read(seqs);
      const next = this.nextPages[this.nextPages.length - 1] as Int32Array;
      for (let i = 0; i < length; i++) {
        const value = seqs[i] as number;
        if (value < smallest) smallest = value;
        next[i] = cell + i + 1;
      }
    }
    for (let slot = 0; slot < rows; slot++) if ((this.count[slot] as number) > 0) this.setNext(this.tail[slot] as number, NONE);
    this.cellsUsed = total;
    this.held = total;
    this.lowest = total > 0 ? this.base + smallest : Number.POSITIVE_INFINITY;
  }

  private seqOf(cell: number): number {
    return this.base + ((this.seqPages[cell >>> PAGE_BITS] as SequencePage)[cell & IN_PAGE] as number);
  }

  private setSeq(cell: number, seq: number): void {
    if (Number.isNaN(this.base)) this.base = seq;
    const offset = seq - this.base;
    if (!this.wide && !(offset >= 0 && offset < NARROW_SPAN)) return this.widen(cell, seq);
    (this.seqPages[cell >>> PAGE_BITS] as SequencePage)[cell & IN_PAGE] = offset;
  }

  private nextOf(cell: number): number {
    return (this.nextPages[cell >>> PAGE_BITS] as Int32Array)[cell & IN_PAGE] as number;
  }

  private setNext(cell: number, next: number): void {
    (this.nextPages[cell >>> PAGE_BITS] as Int32Array)[cell & IN_PAGE] = next;
  }

  /** Some sequence does not fit as an offset: every page holds whole sequences from now on. */
  private widen(cell: number, seq: number): void {
    const base = this.base;
    this.seqPages = this.seqPages.map((page) => Float64Array.from(page, (offset) => base + offset));
    this.base = 0;
    this.wide = true;
    this.setSeq(cell, seq);
  }

  private takeCell(): number {
    if (this.freeCell !== NONE) {
      const cell = this.freeCell;
      this.freeCell = this.nextOf(cell);
      return cell;
    }
    const cell = this.cellsUsed++;
    if (cell >>> PAGE_BITS === this.nextPages.length) this.addPage();
    return cell;
  }

  private addPage(): void {
    this.seqPages.push(this.wide ? new Float64Array(PAGE_SIZE) : new Uint32Array(PAGE_SIZE));
    this.nextPages.push(new Int32Array(PAGE_SIZE));
  }

  private releaseCell(cell: number): void {
    this.setNext(cell, this.freeCell);
    this.freeCell = cell;
  }
}
