import { grown, NONE } from './jobColumns';

/**
 * Every job's stream sequences, as one linked list of cells per row, in stream order, all cells in one
 * shared pool (two typed arrays) with a free list: 200,000 jobs with an array of sequences each cost
 * an object per job and long garbage-collection pauses; the pool costs 12 bytes a sequence and gives
 * the collector nothing to walk.
 */
export class SequenceLists {
  private head = new Int32Array(1024);
  private tail = new Int32Array(1024);
  private count = new Uint32Array(1024);
  private cellSeq = new Float64Array(4096);
  private cellNext = new Int32Array(4096);
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
    this.cellSeq[cell] = seq;
    this.cellNext[cell] = NONE;
    const tail = this.tail[slot] as number;
    if (tail === NONE) this.head[slot] = cell;
    else this.cellNext[tail] = cell;
    this.tail[slot] = cell;
    this.count[slot]++;
    this.held++;
    if (seq < this.lowest) this.lowest = seq;
  }

  /** The row's sequences, oldest first. */
  of(slot: number): number[] {
    const out: number[] = [];
    for (let cell = this.head[slot] as number; cell !== NONE; cell = this.cellNext[cell] as number) out.push(this.cellSeq[cell] as number);
    return out;
  }

  /** Writes the row's sequences into `out` from `at`; returns where the next row's go. */
  copyInto(slot: number, out: Float64Array, at: number): number {
    for (let cell = this.head[slot] as number; cell !== NONE; cell = this.cellNext[cell] as number) out[at++] = this.cellSeq[cell] as number;
    return at;
  }

  /** Gives back every cell of the row; the row holds nothing afterwards. */
  release(slot: number): void {
    for (let cell = this.head[slot] as number; cell !== NONE; ) {
      const next = this.cellNext[cell] as number;
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
      const next = this.cellNext[cell] as number;
      if (gone(this.cellSeq[cell] as number)) {
        if (previous === NONE) this.head[slot] = next;
        else this.cellNext[previous] = next;
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
    this.cellsUsed = 0;
    this.freeCell = NONE;
    this.held = 0;
    this.lowest = Number.POSITIVE_INFINITY;
  }

  /**
   * Replaces everything: rows 0 to `counts.length` - 1 hold `counts[i]` sequences each, taken in turn
   * from `sequences`.
   */
  load(counts: Uint32Array, sequences: Float64Array): void {
    this.clear();
    const rows = counts.length;
    this.grow(rows);
    this.cellSeq = grown(this.cellSeq, sequences.length);
    this.cellNext = grown(this.cellNext, sequences.length);
    this.cellSeq.set(sequences);
    let cell = 0;
    for (let slot = 0; slot < rows; slot++) {
      const count = counts[slot] as number;
      this.count[slot] = count;
      this.head[slot] = count > 0 ? cell : NONE;
      this.tail[slot] = count > 0 ? cell + count - 1 : NONE;
      for (let i = 0; i < count; i++, cell++) {
        this.cellNext[cell] = i + 1 < count ? cell + 1 : NONE;
        if ((this.cellSeq[cell] as number) < this.lowest) this.lowest = this.cellSeq[cell] as number;
      }
    }
    this.cellsUsed = sequences.length;
    this.held = sequences.length;
  }

  private takeCell(): number {
    if (this.freeCell !== NONE) {
      const cell = this.freeCell;
      this.freeCell = this.cellNext[cell] as number;
      return cell;
    }
    const cell = this.cellsUsed++;
    if (cell >= this.cellSeq.length) {
      this.cellSeq = grown(this.cellSeq, cell + 1);
      this.cellNext = grown(this.cellNext, cell + 1);
    }
    return cell;
  }

  private releaseCell(cell: number): void {
    this.cellNext[cell] = this.freeCell;
    this.freeCell = cell;
  }
}
