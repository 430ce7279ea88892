import { grown, NONE } from './jobColumns';

/**
 * Rows linked in order of last activity: a job moves to the newest end when an event of it arrives.
 * It is the order pages list jobs in, eviction takes them from, and a snapshot keeps. Two arrays of
 * links by slot instead of a node object per job, for the same reason the table is in columns.
 */
export class RecencyList {
  private olderOf = new Int32Array(1024);
  private newerOf = new Int32Array(1024);
  /**
   * Each linked row's place in the order as a number, larger for more recent activity: a few rows found by a
   * search are put in order by it instead of walking the list past every row newer than them.
   */
  private rankOf = new Uint32Array(1024);
  private lastRank = 0;
  private oldestSlot = NONE;
  private newestSlot = NONE;

  /** `rankLimit`: the largest rank before the rows are numbered again from 1 (smaller in tests). */
  constructor(private readonly rankLimit = 0xffff_ffff) {}

  /** The most recently active row, or -1. */
  get newest(): number {
    return this.newestSlot;
  }

  /** The least recently active row, or -1. */
  get oldest(): number {
    return this.oldestSlot;
  }

  /** The row active just before `slot`, or -1. */
  older(slot: number): number {
    return this.olderOf[slot] as number;
  }

  /** The row active just after `slot`, or -1. */
  newer(slot: number): number {
    return this.newerOf[slot] as number;
  }

  /** Where a linked row stands: of two rows, the more recently active has the larger rank. */
  rank(slot: number): number {
    return this.rankOf[slot] as number;
  }

  /** Makes room for slots below `length`. */
  grow(length: number): void {
    this.olderOf = grown(this.olderOf, length);
    this.newerOf = grown(this.newerOf, length);
    this.rankOf = grown(this.rankOf, length);
  }

  /** Links a row that is not in the list at the newest end. */
  add(slot: number): void {
    if (this.lastRank >= this.rankLimit) this.renumber();
    this.rankOf[slot] = ++this.lastRank;
    this.olderOf[slot] = this.newestSlot;
    this.newerOf[slot] = NONE;
    if (this.newestSlot !== NONE) this.newerOf[this.newestSlot] = slot;
    this.newestSlot = slot;
    if (this.oldestSlot === NONE) this.oldestSlot = slot;
  }

  /** Moves a row to the newest end. */
  touch(slot: number): void {
    if (slot === this.newestSlot) return;
    this.remove(slot);
    this.add(slot);
  }

  remove(slot: number): void {
    const older = this.olderOf[slot] as number;
    const newer = this.newerOf[slot] as number;
    if (older === NONE) this.oldestSlot = newer;
    else this.newerOf[older] = newer;
    if (newer === NONE) this.newestSlot = older;
    else this.olderOf[newer] = older;
  }

  clear(): void {
    this.oldestSlot = NONE;
    this.newestSlot = NONE;
    this.lastRank = 0;
  }

  /** Replaces the list with slots 0 to `rows` - 1, oldest first (as a snapshot lists them). */
  loadInOrder(rows: number): void {
    this.grow(rows);
    for (let slot = 0; slot < rows; slot++) {
      this.olderOf[slot] = slot - 1;
      this.newerOf[slot] = slot + 1 < rows ? slot + 1 : NONE;
      this.rankOf[slot] = slot + 1;
    }
    this.lastRank = rows;
    this.oldestSlot = rows > 0 ? 0 : NONE;
    this.newestSlot = rows > 0 ? rows - 1 : NONE;
  }

  /** Ranks 1, 2, … oldest first: the ranks ran out (4 billion moves to the newest end). */
  private renumber(): void {
    let rank = 0;
    for (let slot = this.oldestSlot; slot !== NONE; slot = this.newerOf[slot] as number) this.rankOf[slot] = ++rank;
    this.lastRank = rank;
  }

  /** Oldest first; a row may be removed while the walk is at it. */
  *oldestFirst(): IterableIterator<number> {
    for (let slot = this.oldestSlot; slot !== NONE; ) {
      const next = this.newerOf[slot] as number;
      yield slot;
      slot = next;
    }
  }
}
