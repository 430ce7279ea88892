import { grown, NONE } from './jobColumns';
import type { JobError } from './jobSummary';

/** What the failed jobs of one code path share: the error's type and message and the event that carried it. */
export interface ErrorKind {
  readonly type: string | null;
  readonly message: string | null;
  readonly eventType: string;
}

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
    if (slot >= this.entryOf.length) this.entryOf = grown(this.entryOf, slot + 1);
    let entry = this.entry(slot);
    if (entry === NONE) {
      entry = this.freeEntries.pop() ?? this.entryKinds.length;
      if (entry === this.entryKinds.length) this.entryKinds.push(undefined);
      if (entry >= this.entrySeqs.length) this.entrySeqs = grown(this.entrySeqs, entry + 1);
      this.entryOf[slot] = entry + 1;
      this.count++;
    }
    this.entryKinds[entry] = this.kind(error);
    this.entrySeqs[entry] = error.seq ?? 0;
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
