import { fnv1a } from '../util/stringHash';

const EMPTY = -1;
const DELETED = -2;

/** What the table asks of the ids it places: it keeps only row numbers. */
export interface RowKeys {
  /** `fnv1a` of the id stored for `row`. */
  hashOf(row: number): number;
  /** Whether `row`'s stored id is `id`. */
  matches(row: number, id: string): boolean;
}

/**
 * Job id → row number, as one Int32Array (open addressing, linear probing, at most half full).
 * A Map would do, but re-inserting 200,000 keys on every restart took 80-130 ms; this table is saved
 * in the snapshot as a column and loaded with one copy. It also costs 8-16 bytes a job, not ~40.
 */
export class IdHash {
  private table: Int32Array;
  private mask: number;
  /** Live entries and tombstones: what fills the table. */
  private filled = 0;
  size = 0;

  constructor(
    private readonly keys: RowKeys,
    capacity = 1024,
  ) {
    this.table = new Int32Array(IdHash.capacityFor(capacity)).fill(EMPTY);
    this.mask = this.table.length - 1;
  }

  /** A power of two that holds `entries` at most half full. */
  static capacityFor(entries: number): number {
    let capacity = 16;
    while (capacity < entries * 2) capacity *= 2;
    return capacity;
  }

  find(id: string): number | undefined {
    const { table, mask } = this;
    for (let i = fnv1a(id) & mask; ; i = (i + 1) & mask) {
      const row = table[i] as number;
      if (row === EMPTY) return undefined;
      if (row !== DELETED && this.keys.matches(row, id)) return row;
    }
  }

  /** Adds an id known to be absent. */
  insert(id: string, row: number): void {
    this.insertHashed(fnv1a(id), row);
  }

  /** Adds a row whose id, known to be absent, hashes to `hash`. */
  private insertHashed(hash: number, row: number): void {
    // Doubled: a table grown fourfold stood at 2,000,000 jobs in 8,388,608 buckets (32 MB).
    if ((this.filled + 1) * 2 > this.table.length) this.rehash(this.size + 1);
    const { table, mask } = this;
    let i = hash & mask;
    while ((table[i] as number) >= 0) i = (i + 1) & mask;
    if (table[i] === EMPTY) this.filled++;
    table[i] = row;
    this.size++;
  }

  remove(id: string): void {
    const { table, mask } = this;
    for (let i = fnv1a(id) & mask; ; i = (i + 1) & mask) {
      const row = table[i] as number;
      if (row === EMPTY) return;
      if (row !== DELETED && this.keys.matches(row, id)) {
        table[i] = DELETED;
        this.size--;
        return;
      }
    }
  }

  clear(): void {
    this.table = new Int32Array(16).fill(EMPTY);
    this.mask = 15;
    this.filled = 0;
    this.size = 0;
  }

  /** The table as it is, for a snapshot. */
  column(): Int32Array {
    return this.table;
  }

  /**
   * Takes a saved table holding `size` rows numbered below `rows`. Refuses one that cannot be
   * this structure (a size that is not a power of two, numbers out of range or listed twice, too
   * full), since a table with no empty bucket would make every miss loop forever.
   */
  load(column: Int32Array, size: number, rows: number): void {
    const capacity = column.length;
    if (capacity < 16 || (capacity & (capacity - 1)) !== 0) throw new Error(`an id table of ${capacity} buckets`);
    let live = 0;
    let filled = 0;
    const listed = new Uint8Array(rows);
    for (let i = 0; i < capacity; i++) {
      const row = column[i] as number;
      if (row === EMPTY) continue;
      if (row !== DELETED && (row < 0 || row >= rows)) throw new Error('an id table entry out of range');
      filled++;
      if (row < 0) continue;
      if (listed[row] === 1) throw new Error(`an id table listing row ${row} twice`);
      listed[row] = 1;
      live++;
    }
    if (live !== size || filled * 2 > capacity) throw new Error(`an id table with ${live} of ${size} jobs`);
    this.table = column;
    this.mask = capacity - 1;
    this.filled = filled;
    this.size = size;
  }

  private rehash(entries: number): void {
    const old = this.table;
    this.table = new Int32Array(IdHash.capacityFor(entries)).fill(EMPTY);
    this.mask = this.table.length - 1;
    this.filled = 0;
    this.size = 0;
    for (let i = 0; i < old.length; i++) {
      const row = old[i] as number;
      if (row >= 0) this.insertHashed(this.keys.hashOf(row), row);
    }
  }
}
