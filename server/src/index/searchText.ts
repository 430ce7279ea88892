import { lastAtOrBefore } from '../util/sortedSearch';
import { addGrams, GRAM_WORDS, gramsOfTerm, holdsAll } from './trigrams';

/**
 * Ends each part of a segment, so that a term without it cannot match across an id and a message or
 * across two rows. Terms with it are rare enough to be looked for the slow way.
 */
const END = '\u0000';
/**
 * Segments per chunk of text. Appending to one long string would copy all of it again on the next
 * search (V8 flattens a concatenated string when it is searched): only the open chunk is joined
 * anew, a fraction of a millisecond.
 */
const CHUNK_SEGMENTS = 4096;
/** Retired text below this is left alone: rebuilding a small text to save little is not worth it. */
const MIN_RETIRED = 1 << 16;
const NONE = -1;
/** Rows a search keeps a list of, beyond its stamps, while it found no more than these (see `hits`). */
const MAX_HITS = 1 << 16;

function grown<T extends Int32Array | Uint8Array>(column: T, length: number, fill: number): T {
  if (length <= column.length) return column;
  const next = new (column.constructor as new (length: number) => T)(Math.max(length, column.length * 2));
  next.set(column);
  next.fill(fill, column.length);
  return next;
}

/** An error as a row shows it and a search finds it: "Type: message", or either alone. */
export function errorText(error: { type: string | null; message: string | null } | undefined): string | null {
  if (!error || (!error.type && !error.message)) return null;
  return error.type && error.message ? `${error.type}: ${error.message}` : (error.type ?? error.message);
}

/**
 * The lower-case text a text search looks in, for every row that has any: a segment of its searchable
 * parts (the table gives the last error as "Type: message"; it searches job ids in its id pool), one
 * after another in a few long strings. A search is then a native `indexOf` per
 * hit rather than a `toLowerCase` and an `includes` per row, which took tens of milliseconds at
 * 200,000 jobs.
 *
 * The text only grows: a row's new message appends a new segment and retires the old one, removing
 * a row retires its segment. Once retired text outweighs live text, the live segments are copied into
 * new text.
 */
export class SearchText {
  /** Sealed chunks of text and where each starts in the whole. */
  private chunks: string[] = [];
  private chunkStarts: number[] = [];
  /** The three-character sequences each sealed chunk holds, then the open chunk's. */
  private chunkGrams: Uint32Array[] = [];
  private openGrams = new Uint32Array(GRAM_WORDS);
  /** The text of the open chunk, the last one, in parts; `open` is them joined, until one is added. */
  private openParts: string[] = [];
  private openSegments = 0;
  private open: string | undefined;
  private openStart = 0;
  private length = 0;
  /** Where each segment starts in the whole text, ascending. */
  private starts = new Int32Array(1024);
  /** The row of each segment, or -1 once retired. */
  private owners = new Int32Array(1024);
  private segments = 0;
  /** Each row's segment, or -1. */
  private segmentOf = new Int32Array(1024).fill(NONE);
  private retired = 0;
  /** Rows found by the last search hold its epoch, so that clearing is needed once in 255 searches only. */
  private stamps = new Uint8Array(1024);
  private epoch = 0;
  /** Rows the last search stamped. */
  private stamped = 0;
  /** The first `MAX_HITS` of them, in no order. */
  private hitRows = new Int32Array(1024);
  /** Set by `rebuildLater`: the text is empty and every live row is taken in by `catchUp`. */
  private behind = false;

  constructor(
    /** The row's searchable parts, each matched on its own (a term never spans two). */
    private readonly partsOf: (row: number) => readonly (string | null)[],
    /** Every live row that may have text (a live row left out has none). */
    private readonly textRows: () => Iterable<number>,
  ) {}

  /** Takes in a row's text as it is now: a new row, or a new part (last error). A row with no part has no segment. */
  set(row: number): void {
    if (row >= this.segmentOf.length) {
      this.segmentOf = grown(this.segmentOf, row + 1, NONE);
      this.stamps = grown(this.stamps, row + 1, 0);
    }
    if (this.behind) return;
    this.retire(row);
    const parts = this.partsOf(row);
    if (parts.some((part) => part !== null)) {
      let text = '';
      for (const part of parts) text += (part ? part.toLowerCase() : '') + END;
      this.append(row, text);
    }
    this.compactIfWasteful();
  }

  /** Forgets a row's text (the row was removed). */
  remove(row: number): void {
    if (this.behind) return;
    this.retire(row);
    this.compactIfWasteful();
  }

  clear(): void {
    this.chunks = [];
    this.chunkStarts = [];
    this.chunkGrams = [];
    this.openGrams = new Uint32Array(GRAM_WORDS);
    this.openParts = [];
    this.openSegments = 0;
    this.open = undefined;
    this.openStart = 0;
    this.length = 0;
    this.segments = 0;
    this.retired = 0;
    this.segmentOf.fill(NONE);
    this.behind = false;
  }

  /**
   * Empties the text and leaves taking in every row to `catchUp` (or the next search): a table
   * loaded whole is ready sooner without it. Changes meanwhile are read then, as they are.
   */
  rebuildLater(): void {
    this.clear();
    this.behind = true;
  }

  catchUp(): void {
    if (!this.behind) return;
    this.behind = false;
    for (const row of this.textRows()) this.set(row);
  }

  /**
   * Stamps every row one of whose parts contains `term` (lower case) and returns the stamp: row r matched if
   * `marks[r]` holds it, until the next search.
   */
  search(term: string): number {
    this.catchUp();
    if (++this.epoch > 0xff) {
      this.stamps.fill(0);
      this.epoch = 1;
    }
    this.stamped = 0;
    if (term.includes(END)) this.searchEachPart(term);
    else this.searchChunks(term);
    return this.epoch;
  }

  /** Read again after each search: the array grows with the rows stamped; a row past its end was not. */
  get marks(): Uint8Array {
    return this.stamps;
  }

  /** How many rows the last search stamped, `stampAlso` included. */
  get found(): number {
    return this.stamped;
  }

  /** The rows the last search stamped, in no order, when it stamped no more than `MAX_HITS`. */
  get hits(): Int32Array | undefined {
    return this.stamped <= MAX_HITS ? this.hitRows.subarray(0, this.stamped) : undefined;
  }

  /** Stamps a row the last search matched by a part the text does not hold. */
  stampAlso(row: number): void {
    if (this.stamps[row] !== this.epoch) this.stamp(row);
  }

  private stamp(row: number): void {
    // A row without text may be past every row `set` has seen: its id or a name matched.
    if (row >= this.stamps.length) this.stamps = grown(this.stamps, row + 1, 0);
    this.stamps[row] = this.epoch;
    if (this.stamped < MAX_HITS) {
      if (this.stamped >= this.hitRows.length) this.hitRows = grown(this.hitRows, this.stamped + 1, 0);
      this.hitRows[this.stamped] = row;
    }
    this.stamped++;
  }

  private searchChunks(term: string): void {
    const { starts, owners, segments } = this;
    const grams = gramsOfTerm(term);
    let segment = 0;
    for (let chunk = 0; chunk <= this.chunks.length && segment < segments; chunk++) {
      if (!holdsAll(chunk < this.chunks.length ? (this.chunkGrams[chunk] as Uint32Array) : this.openGrams, grams)) continue;
      const text = chunk < this.chunks.length ? (this.chunks[chunk] as string) : this.openText();
      const base = chunk < this.chunks.length ? (this.chunkStarts[chunk] as number) : this.openStart;
      // An empty term is found at every position, the text's end included, which is no segment's.
      for (let at = text.indexOf(term); at >= 0 && at < text.length; ) {
        segment = this.segmentAt(base + at, segment);
        const owner = owners[segment] as number;
        if (owner !== NONE) this.stamp(owner);
        if (++segment >= segments) return;
        at = text.indexOf(term, (starts[segment] as number) - base);
      }
    }
  }

  /** A term that holds a segment's end could match across a row's parts: each looked at on its own. */
  private searchEachPart(term: string): void {
    const { owners } = this;
    for (let segment = 0; segment < this.segments; segment++) {
      const owner = owners[segment] as number;
      if (owner === NONE) continue;
      if (this.partsOf(owner).some((part) => part?.toLowerCase().includes(term))) this.stamp(owner);
    }
  }

  /** The segment holding text position `at`, looked for from segment `from` on. */
  private segmentAt(at: number, from: number): number {
    return lastAtOrBefore(this.starts, this.segments, at, from);
  }

  private append(row: number, text: string): void {
    const segment = this.segments++;
    if (segment >= this.starts.length) {
      this.starts = grown(this.starts, segment + 1, 0);
      this.owners = grown(this.owners, segment + 1, NONE);
    }
    this.starts[segment] = this.length;
    this.owners[segment] = row;
    this.segmentOf[row] = segment;
    this.length += text.length;
    this.openParts.push(text);
    addGrams(this.openGrams, text);
    this.open = undefined;
    if (++this.openSegments >= CHUNK_SEGMENTS) {
      this.chunks.push(this.openText());
      this.chunkStarts.push(this.openStart);
      this.chunkGrams.push(this.openGrams);
      this.openGrams = new Uint32Array(GRAM_WORDS);
      this.openParts = [];
      this.openSegments = 0;
      this.open = undefined;
      this.openStart = this.length;
    }
  }

  private openText(): string {
    return (this.open ??= this.openParts.join(''));
  }

  private retire(row: number): void {
    const segment = row < this.segmentOf.length ? (this.segmentOf[row] as number) : NONE;
    if (segment === NONE) return;
    this.owners[segment] = NONE;
    this.segmentOf[row] = NONE;
    this.retired += this.segmentEnd(segment) - (this.starts[segment] as number);
  }

  private segmentEnd(segment: number): number {
    return segment + 1 < this.segments ? (this.starts[segment + 1] as number) : this.length;
  }

  private compactIfWasteful(): void {
    if (this.retired > MIN_RETIRED && this.retired > this.length - this.retired) this.compact();
  }

  /** Appends the live segments anew, in the same order, to empty text. */
  private compact(): void {
    const texts = [...this.chunks, this.openText()];
    const textStarts = [...this.chunkStarts, this.openStart];
    const { segments, length } = this;
    this.clear();
    let chunk = 0;
    // Appending writes segment number `this.segments`, never past `segment`: what is read is still the old text's.
    for (let segment = 0; segment < segments; segment++) {
      const owner = this.owners[segment] as number;
      if (owner === NONE) continue;
      const start = this.starts[segment] as number;
      const end = segment + 1 < segments ? (this.starts[segment + 1] as number) : length;
      while (chunk + 1 < textStarts.length && (textStarts[chunk + 1] as number) <= start) chunk++;
      const base = textStarts[chunk] as number;
      this.append(owner, (texts[chunk] as string).slice(start - base, end - base));
    }
    // Slices of the old text would keep all of it alive.
    this.openParts = [this.openText()];
  }
}
