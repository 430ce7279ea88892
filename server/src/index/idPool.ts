import { grown } from './jobColumns';
import { fnv1a, fnv1aBytes } from '../util/stringHash';

/** Ids are written into pages of 64 kB; an id never spans two. */
const PAGE_BITS = 16;
const PAGE_SIZE = 1 << PAGE_BITS;
const IN_PAGE = PAGE_SIZE - 1;
/** A row's `lengths` entry: 0 for no id, the id's length plus one, or `WIDE`. */
const NO_ID = 0;
const WIDE = 0xffff;
export const WIDE_ID = WIDE;
/** Freed bytes below this are left alone: packing a small pool again saves little. */
const MIN_GARBAGE = 1 << 20;

/** Whether `id` fits in a page a byte per UTF-16 code unit. */
function narrow(id: string): boolean {
  if (id.length >= Math.min(WIDE - 1, PAGE_SIZE)) return false;
  for (let i = 0; i < id.length; i++) if (id.charCodeAt(i) > 0xff) return false;
  return true;
}

/**
 * Every row's job id, as bytes in shared pages rather than a string each. At 2,000,000 jobs the
 * strings cost about 45 bytes a job (header and characters; an id copied out of a subject is a slice
 * that keeps another string alive besides) and an array slot of 8; here an id of n characters costs n
 * bytes and 6 of bookkeeping, and the collector has nothing to walk.
 *
 * An id whose characters all fit in a byte (every id NAQ makes: hex UUIDs) is kept a byte per code
 * unit, so its hash is the same as its string's (`fnv1a`). Any other (a character past U+00FF, or
 * 64 kB long) is kept as a string on the side.
 */
export class IdPool {
  private starts: Uint32Array = new Uint32Array(1024);
  private lengths: Uint16Array = new Uint16Array(1024);
  private pages: Buffer[] = [];
  /** Where the next id goes, as page number × `PAGE_SIZE` + place in the page. */
  private end = 0;
  private readonly wide = new Map<number, string>();
  private liveBytes = 0;
  private garbageBytes = 0;

  /** Makes room for rows below `length`. */
  grow(length: number): void {
    this.starts = grown(this.starts, length);
    this.lengths = grown(this.lengths, length);
  }

  /** Gives row `slot`, which holds no id, the id `id`. */
  set(slot: number, id: string): void {
    if (slot >= this.lengths.length) this.grow(slot + 1);
    if (!narrow(id)) {
      this.wide.set(slot, id);
      this.lengths[slot] = WIDE;
      return;
    }
    if ((this.end & IN_PAGE) + id.length > PAGE_SIZE) this.end = (this.end >>> PAGE_BITS) * PAGE_SIZE + PAGE_SIZE;
    const page = this.end >>> PAGE_BITS;
    if (page === this.pages.length) this.pages.push(Buffer.alloc(PAGE_SIZE));
    (this.pages[page] as Buffer).write(id, this.end & IN_PAGE, 'latin1');
    this.starts[slot] = this.end;
    this.lengths[slot] = id.length + 1;
    this.end += id.length;
    this.liveBytes += id.length;
  }

  /** Whether row `slot` holds an id. */
  has(slot: number): boolean {
    return slot < this.lengths.length && this.lengths[slot] !== NO_ID;
  }

  /** Row `slot`'s id; the row must hold one. */
  get(slot: number): string {
    const length = this.lengths[slot] as number;
    if (length === WIDE) return this.wide.get(slot) as string;
    const start = this.starts[slot] as number;
    const at = start & IN_PAGE;
    return (this.pages[start >>> PAGE_BITS] as Buffer).toString('latin1', at, at + length - 1);
  }

  /** Whether row `slot` holds exactly `id`, without making a string of it. */
  matches(slot: number, id: string): boolean {
    const length = this.lengths[slot] as number;
    if (length === WIDE) return this.wide.get(slot) === id;
    if (length - 1 !== id.length) return false;
    const start = this.starts[slot] as number;
    const page = this.pages[start >>> PAGE_BITS] as Buffer;
    const at = start & IN_PAGE;
    for (let i = 0; i < id.length; i++) if (page[at + i] !== id.charCodeAt(i)) return false;
    return true;
  }

  /** `fnv1a` of row `slot`'s id, read from its bytes. */
  hashOf(slot: number): number {
    const length = this.lengths[slot] as number;
    if (length === WIDE) return fnv1a(this.wide.get(slot) as string);
    const start = this.starts[slot] as number;
    const at = start & IN_PAGE;
    return fnv1aBytes(this.pages[start >>> PAGE_BITS] as Buffer, at, at + length - 1);
  }

  /** How row `slot`'s id is kept: 0 for no id, its length plus one, or `WIDE_ID` (see `wideId`); a snapshot saves these. */
  lengthCodeOf(slot: number): number {
    return this.lengths[slot] as number;
  }

  /** A row's id kept as a string on the side, or undefined. */
  wideId(slot: number): string | undefined {
    return this.wide.get(slot);
  }

  /** Writes row `slot`'s bytes (none for a wide id) into `out` from `at`; returns where the next go. */
  copyInto(slot: number, out: Uint8Array, at: number): number {
    const length = this.lengths[slot] as number;
    if (length === NO_ID || length === WIDE) return at;
    const start = this.starts[slot] as number;
    const from = start & IN_PAGE;
    out.set((this.pages[start >>> PAGE_BITS] as Buffer).subarray(from, from + length - 1), at);
    return at + length - 1;
  }

  /**
   * Replaces everything: row i's id is kept as `lengths[i]` says (see `lengthCodeOf`), its bytes, for
   * each row in turn, read by `read` into the pages a page at a time, its string from `wide` for a
   * wide one. Throws for a row with no id, or wide ids that do not match the lengths.
   */
  load(lengths: Uint16Array, wide: ReadonlyMap<number, string>, read: (into: Uint8Array) => void): void {
    this.clear();
    const rows = lengths.length;
    let wideRows = 0;
    for (let slot = 0; slot < rows; slot++) {
      const length = lengths[slot] as number;
      if (length === NO_ID) throw new Error(`job ${slot} has no id`);
      if (length === WIDE) {
        if (!wide.has(slot)) throw new Error(`job ${slot}'s id is missing`);
        wideRows++;
      }
    }
    if (wideRows !== wide.size) throw new Error('ids kept apart for jobs that have their bytes');
    this.lengths = lengths;
    this.starts = new Uint32Array(rows);
    for (const [slot, id] of wide) this.wide.set(slot, id);
    for (let slot = 0; slot < rows; ) {
      const pageStart = this.pages.length * PAGE_SIZE;
      let used = 0;
      for (; slot < rows; slot++) {
        const length = lengths[slot] as number;
        if (length === WIDE) continue;
        if (used + length - 1 > PAGE_SIZE) break;
        this.starts[slot] = pageStart + used;
        used += length - 1;
      }
      const page = Buffer.alloc(PAGE_SIZE);
      read(page.subarray(0, used));
      this.pages.push(page);
      this.end = pageStart + used;
      this.liveBytes += used;
    }
  }

  /** Row `slot` holds no id from now on. */
  remove(slot: number): void {
    const length = this.lengths[slot] as number;
    if (length === NO_ID) return;
    this.lengths[slot] = NO_ID;
    if (length === WIDE) {
      this.wide.delete(slot);
      return;
    }
    this.liveBytes -= length - 1;
    this.garbageBytes += length - 1;
    if (this.garbageBytes > MIN_GARBAGE && this.garbageBytes > this.liveBytes) this.pack();
  }

  clear(): void {
    this.lengths.fill(NO_ID);
    this.pages = [];
    this.end = 0;
    this.wide.clear();
    this.liveBytes = 0;
    this.garbageBytes = 0;
  }

  /** Writes every id held into new pages, in row order, leaving out the bytes of removed ones. */
  private pack(): void {
    const { pages, starts, lengths } = this;
    this.pages = [];
    this.end = 0;
    this.liveBytes = 0;
    this.garbageBytes = 0;
    for (let slot = 0; slot < lengths.length; slot++) {
      const length = lengths[slot] as number;
      if (length === NO_ID || length === WIDE) continue;
      const start = starts[slot] as number;
      const at = start & IN_PAGE;
      lengths[slot] = NO_ID;
      this.set(slot, (pages[start >>> PAGE_BITS] as Buffer).toString('latin1', at, at + length - 1));
    }
  }
}
