import { grown, NONE } from './jobColumns';
import type { JobError } from './jobSummary';

/** What the failed jobs of one code path share: the error's type and message and the event that carried it. */
export interface ErrorKind {
  readonly type: string | null;
  readonly message: string | null;
  readonly eventType: string;
}

/**
 * Jobs' last errors as a snapshot keeps them: a table of their distinct texts and one flat column of numbers,
 * `ERROR_FIELDS` per error: position, type, message and event type as text numbers (-1: none), sequence (0:
 * none). An array per error made 100,000 small arrays at every save of a stream with 100,000 failures, and
 * their JSON repeated each message; the numbers as JSON were 9 MB of a 2,000,000-job snapshot's header and
 * 95 ms of its parse.
 */
export interface ErrorTable {
  texts: string[];
  entries: Float64Array;
}

export const ERROR_FIELDS = 5;

/** Kinds remembered for sharing at most: errors whose messages embed ids or numbers never repeat. */
const KNOWN_KINDS = 4096;

/**
 * Every job's last error by slot: the job's own part (the sequence of the event that carried it) in an entry of
 * its own, the part failed jobs share in one object per distinct error while it recurs. Slots point at entries
 * through a column; entries are as many as the jobs with an error. Arrays indexed by slot held 16 bytes a slot
 * for every job (32 MB at 2,000,000 jobs, one in ten failed); this holds 4 a slot and 16 an error.
 */
export class JobErrors {
  /** By slot: the slot's entry plus one, 0 for none (so that grown columns start empty). */
  private entryOf = new Int32Array(1024);
  private entryKinds: (ErrorKind | undefined)[] = [];
  /** By entry; 0: no sequence known. */
  private entrySeqs = new Float64Array(1024);
  private readonly freeEntries: number[] = [];
  private count = 0;
  private readonly known = new Map<string, ErrorKind>();

  /** Jobs with an error. */
  get size(): number {
    return this.count;
  }

  has(slot: number): boolean {
    return this.entry(slot) !== NONE;
  }

  kindOf(slot: number): ErrorKind | undefined {
    const entry = this.entry(slot);
    return entry === NONE ? undefined : this.entryKinds[entry];
  }

  get(slot: number): JobError | undefined {
    const entry = this.entry(slot);
    const kind = entry === NONE ? undefined : this.entryKinds[entry];
    return kind && { type: kind.type, message: kind.message, eventType: kind.eventType, seq: this.entrySeqs[entry] || null };
  }

  set(slot: number, error: JobError): void {
    this.put(slot, this.kind(error), error.seq ?? 0);
  }

  private put(slot: number, kind: ErrorKind, seq: number): void {
    if (slot >= this.entryOf.length) this.entryOf = grown(this.entryOf, slot + 1);
    let entry = this.entry(slot);
    if (entry === NONE) {
      entry = this.freeEntries.pop() ?? this.entryKinds.length;
      if (entry === this.entryKinds.length) this.entryKinds.push(undefined);
      if (entry >= this.entrySeqs.length) this.entrySeqs = grown(this.entrySeqs, entry + 1);
      this.entryOf[slot] = entry + 1;
      this.count++;
    }
    this.entryKinds[entry] = kind;
    this.entrySeqs[entry] = seq;
  }

  delete(slot: number): void {
    const entry = this.entry(slot);
    if (entry === NONE) return;
    this.entryOf[slot] = 0;
    this.entryKinds[entry] = undefined;
    this.freeEntries.push(entry);
    this.count--;
  }

  clear(): void {
    this.entryOf = new Int32Array(1024);
    this.entryKinds = [];
    this.entrySeqs = new Float64Array(1024);
    this.freeEntries.length = 0;
    this.count = 0;
    this.known.clear();
  }

  /**
   * The errors of the slots `order` lists, as a table whose positions are their places in `order`.
   */
  table(order: Int32Array): ErrorTable {
    const texts: string[] = [];
    const numbers = new Map<string, number>();
    const number = (text: string | null): number => {
      if (text === null) return NONE;
      let n = numbers.get(text);
      if (n === undefined) {
        n = texts.push(text) - 1;
        numbers.set(text, n);
      }
      return n;
    };
    const entries = new Float64Array(this.count * ERROR_FIELDS);
    let at = 0;
    for (let position = 0; position < order.length; position++) {
      const entry = this.entry(order[position] as number);
      const kind = entry === NONE ? undefined : this.entryKinds[entry];
      if (!kind) continue;
      entries[at++] = position;
      entries[at++] = number(kind.type);
      entries[at++] = number(kind.message);
      entries[at++] = number(kind.eventType);
      entries[at++] = this.entrySeqs[entry] as number;
    }
    return { texts, entries: entries.subarray(0, at) };
  }

  /**
   * Replaces everything with a table's errors, each at the slot its position names. Errors with the same
   * texts share one kind, found by their text numbers: a restart of 200,000 failures made an object and
   * a key string for each, then looked them up.
   */
  load({ texts, entries }: ErrorTable): void {
    this.clear();
    const errors = entries.length / ERROR_FIELDS;
    let slots = 0;
    for (let i = 0; i < entries.length; i += ERROR_FIELDS) slots = Math.max(slots, (entries[i] as number) + 1);
    // Sized once: grown an error at a time, the columns were copied at every doubling.
    this.entryOf = new Int32Array(Math.max(1024, slots));
    this.entryKinds = new Array<ErrorKind | undefined>(errors);
    this.entrySeqs = new Float64Array(Math.max(1024, errors));
    const text = (n: number): string | null => (n < 0 ? null : (texts[n] as string));
    // Kinds by message number, in an array rather than a map (one entry per message, and most messages are one
    // job's); the rare further kinds of a message, with another type or event type, in a map.
    const firstKind = new Array<ErrorKind | undefined>(texts.length + 1);
    const moreKinds = new Map<number, ErrorKind[]>();
    for (let i = 0, entry = 0; i < entries.length; i += ERROR_FIELDS, entry++) {
      const slot = entries[i] as number;
      const type = text(entries[i + 1] as number);
      const message = entries[i + 2] as number;
      const eventType = texts[entries[i + 3] as number] as string;
      const first = firstKind[message + 1];
      let kind: ErrorKind | undefined;
      if (first === undefined) {
        kind = firstKind[message + 1] = { type, message: text(message), eventType };
      } else if (first.type === type && first.eventType === eventType) {
        kind = first;
      } else {
        let more = moreKinds.get(message);
        if (more === undefined) moreKinds.set(message, (more = []));
        kind = more.find((k) => k.type === type && k.eventType === eventType);
        if (kind === undefined) more.push((kind = { type, message: first.message, eventType }));
      }
      this.entryOf[slot] = entry + 1;
      this.entryKinds[entry] = kind;
      this.entrySeqs[entry] = entries[i + 4] as number;
    }
    this.count = errors;
  }

  /** The slots with an error, in slot order. */
  *slots(): IterableIterator<number> {
    const { entryOf } = this;
    for (let slot = 0; slot < entryOf.length; slot++) if (entryOf[slot] !== 0) yield slot;
  }

  private entry(slot: number): number {
    return slot < this.entryOf.length ? (this.entryOf[slot] as number) - 1 : NONE;
  }

  private kind({ type, message, eventType }: JobError): ErrorKind {
    // \u0001 stands for a missing text, which an empty one must not be taken for.
    const key = `${eventType}\u0000${type ?? '\u0001'}\u0000${message ?? '\u0001'}`;
    let kind = this.known.get(key);
    if (kind === undefined) {
      if (this.known.size >= KNOWN_KINDS) this.known.clear();
      kind = { type, message, eventType };
      this.known.set(key, kind);
    }
    return kind;
  }
}
