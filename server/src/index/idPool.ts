import { grown } from './jobColumns';
import { fnv1a, fnv1aBytes } from '../util/stringHash';
import { lastAtOrBefore } from '../util/sortedSearch';
import { addByteGrams, addGrams, GRAM_WORDS, gramsOfTerm, holdsAll } from './trigrams';

/** Ids are written into pages of 64 kB; an id never spans two. */
const PAGE_BITS = 16;
const PAGE_SIZE = 1 << PAGE_BITS;
const IN_PAGE = PAGE_SIZE - 1;
/** A row's `lengths` entry: 0 for no id, the id's length plus one, or `WIDE`. */
const NO_ID = 0;
const WIDE = 0xffff;
/** Freed bytes below this are left alone: packing a small pool again saves little. */
const MIN_GARBAGE = 1 << 20;

/** Entries of a page's list of rows made at first; it doubles as the page fills, and is cut to size when full. */
const FIRST_ENTRIES = 256;

/** A byte's lower case, as `toLowerCase` gives it for every character below U+0100. */
function folded(byte: number): number {
  return (byte >= 0x41 && byte <= 0x5a) || (byte >= 0xc0 && byte <= 0xde && byte !== 0xd7) ? byte + 0x20 : byte;
}

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
 *
 * A text search looks for its term in the pages themselves (`search`): each page lists the rows written
 * in it and where, a page holding an upper-case letter has a lower-case copy, and each page keeps which
 * three-character sequences its ids hold, so that a term is looked for only in pages that may hold it.
 * The search text kept a lower-case copy of every id and 12 bytes a row to find it by.
 */
export class IdPool {
  private starts: Uint32Array = new Uint32Array(1024);
  private lengths: Uint16Array = new Uint16Array(1024);
  private pages: Buffer[] = [];
  /** By page: its lower-case copy for a page that holds an upper-case letter, null for one that does not, undefined until looked at (see `lowerOf`). */
  private lowerPages: (Buffer | null | undefined)[] = [];
  /** By page: the rows whose ids were written in it, and where each starts in it, in the order written. */
  private pageRows: Int32Array[] = [];
  private pageStarts: Uint16Array[] = [];
  private pageEntries: number[] = [];
  /** By page: the three-character sequences of its ids in lower case (see `trigrams`), undefined until looked at (`gramsOf`). */
  private pageGrams: (Uint32Array | undefined)[] = [];
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
    if (page === this.pages.length) this.addPage(Buffer.alloc(PAGE_SIZE));
    const at = this.end & IN_PAGE;
    (this.pages[page] as Buffer).write(id, at, 'latin1');
    const lower = id.toLowerCase();
    if (this.lowerOf(page) === null && lower !== id) this.lowerPages[page] = lowerCopy(this.pages[page] as Buffer, at);
    this.lowerPages[page]?.write(lower, at, 'latin1');
    const grams = this.pageGrams[page];
    if (grams) addGrams(grams, lower);
    this.listIn(page, slot, at);
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

  /** How row `slot`'s id is kept: 0 for no id, its length plus one, or `WIDE` (see `wideId`); a snapshot saves these. */
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
      const page = this.pages.length;
      const pageStart = page * PAGE_SIZE;
      // The rows whose ids fit in this page first, so that its lists are made once, to size.
      let used = 0;
      let entries = 0;
      let end = slot;
      for (; end < rows; end++) {
        const length = lengths[end] as number;
        if (length === WIDE) continue;
        if (used === PAGE_SIZE || used + length - 1 > PAGE_SIZE) break;
        used += length - 1;
        entries++;
      }
      const pageRows = new Int32Array(entries);
      const pageStarts = new Uint16Array(entries);
      for (let at = 0, entry = 0; slot < end; slot++) {
        const length = lengths[slot] as number;
        if (length === WIDE) continue;
        this.starts[slot] = pageStart + at;
        pageRows[entry] = slot;
        pageStarts[entry++] = at;
        at += length - 1;
      }
      const bytes = Buffer.alloc(PAGE_SIZE);
      read(bytes.subarray(0, used));
      this.pages.push(bytes);
      this.pageRows.push(pageRows);
      this.pageStarts.push(pageStarts);
      this.pageEntries.push(entries);
      // Looked at by the first search or write instead: a restart is ready sooner.
      this.lowerPages.push(undefined);
      this.pageGrams.push(undefined);
      this.end = pageStart + used;
      this.liveBytes += used;
    }
  }

  /**
   * Calls `found` for each row whose id holds `term` (lower case) once its id is put in lower case:
   * a native search of each page that may hold it, rather than a string per id.
   */
  search(term: string, found: (slot: number) => void): void {
    for (const [slot, id] of this.wide) if (id.toLowerCase().includes(term)) found(slot);
    // A narrow id in lower case is narrow still: a term that is not never matches one.
    if (!narrow(term)) return;
    const wanted = gramsOfTerm(term);
    const { lengths, starts } = this;
    for (let page = 0; page < this.pages.length; page++) {
      if (wanted.length > 0 && !holdsAll(this.gramsOf(page), wanted)) continue;
      // As a string for the search: a native string search per hit, where Buffer.indexOf's call cost about 70 ns
      // (a term found in 1,000,000 ids took 80 ms rather than 20).
      const text = (this.lowerOf(page) ?? (this.pages[page] as Buffer)).toString('latin1', 0, this.usedOf(page));
      const rows = this.pageRows[page] as Int32Array;
      const offsets = this.pageStarts[page] as Uint16Array;
      const entries = this.pageEntries[page] as number;
      const pageStart = page * PAGE_SIZE;
      let entry = 0;
      for (let at = text.indexOf(term); at >= 0 && at < text.length; ) {
        entry = lastAtOrBefore(offsets, entries, at, entry);
        const slot = rows[entry] as number;
        const offset = offsets[entry] as number;
        const length = lengths[slot] as number;
        // The row may have been given another id since, elsewhere: the page keeps its old bytes until packed.
        const current = starts[slot] === pageStart + offset && length !== NO_ID && length !== WIDE;
        const idEnd = offset + length - 1;
        let next = at + 1;
        // Within the id: an empty term is found at an id's start, and not again at its end.
        if (current && at + term.length <= idEnd && (at < idEnd || at === offset)) {
          found(slot);
          next = Math.max(next, idEnd);
        }
        at = text.indexOf(term, next);
      }
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
    this.wide.clear();
    this.emptyPages();
  }

  /** No page, no byte written: where `clear` and `pack` start from. */
  private emptyPages(): void {
    this.pages = [];
    this.lowerPages = [];
    this.pageRows = [];
    this.pageStarts = [];
    this.pageEntries = [];
    this.pageGrams = [];
    this.end = 0;
    this.liveBytes = 0;
    this.garbageBytes = 0;
  }

  private addPage(page: Buffer): void {
    const last = this.pages.length - 1;
    // The full page's lists cut to size: at 2,000,000 ids of 12 bytes, a third of them was room never used.
    if (last >= 0) {
      const entries = this.pageEntries[last] as number;
      this.pageRows[last] = (this.pageRows[last] as Int32Array).slice(0, entries);
      this.pageStarts[last] = (this.pageStarts[last] as Uint16Array).slice(0, entries);
    }
    this.pages.push(page);
    this.lowerPages.push(null);
    this.pageRows.push(new Int32Array(FIRST_ENTRIES));
    this.pageStarts.push(new Uint16Array(FIRST_ENTRIES));
    this.pageEntries.push(0);
    this.pageGrams.push(new Uint32Array(GRAM_WORDS));
  }

  /** The page's lower-case copy, or null when it needs none, made now if it was not looked at yet. */
  private lowerOf(page: number): Buffer | null {
    let lower = this.lowerPages[page];
    if (lower === undefined) {
      const bytes = this.pages[page] as Buffer;
      const used = this.usedOf(page);
      lower = null;
      for (let i = 0; i < used; i++) {
        if (folded(bytes[i] as number) !== bytes[i]) {
          lower = lowerCopy(bytes, used);
          break;
        }
      }
      this.lowerPages[page] = lower;
    }
    return lower;
  }

  /** The page's three-character sequences, worked out now if they were not yet (a loaded page). */
  private gramsOf(page: number): Uint32Array {
    let grams = this.pageGrams[page];
    if (grams === undefined) {
      grams = new Uint32Array(GRAM_WORDS);
      addByteGrams(grams, this.lowerOf(page) ?? (this.pages[page] as Buffer), this.usedOf(page));
      this.pageGrams[page] = grams;
    }
    return grams;
  }

  /** Bytes written in `page`. */
  private usedOf(page: number): number {
    return page === this.end >>> PAGE_BITS ? this.end & IN_PAGE : PAGE_SIZE;
  }

  /** Lists row `slot` as written at `at` in `page`. */
  private listIn(page: number, slot: number, at: number): void {
    const entry = this.pageEntries[page] as number;
    this.pageRows[page] = grown(this.pageRows[page] as Int32Array, entry + 1);
    this.pageStarts[page] = grown(this.pageStarts[page] as Uint16Array, entry + 1);
    (this.pageRows[page] as Int32Array)[entry] = slot;
    (this.pageStarts[page] as Uint16Array)[entry] = at;
    this.pageEntries[page] = entry + 1;
  }

  /** Writes every id held into new pages, in row order, leaving out the bytes of removed ones. */
  private pack(): void {
    const { pages, starts, lengths } = this;
    this.emptyPages();
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

/** A page's first `used` bytes in lower case, in a page of its own. */
function lowerCopy(page: Buffer, used: number): Buffer {
  const lower = Buffer.alloc(PAGE_SIZE);
  for (let i = 0; i < used; i++) lower[i] = folded(page[i] as number);
  return lower;
}
