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
 * Every job's last error by slot: the job's own part (the sequence of the event that carried it) in a column, the
 * part failed jobs share in one object per distinct error while it recurs. An object and a Map entry per failed
 * job held about 95 bytes each, 9 MB for 100,000 failures of 200 kinds; the columns hold 16 bytes a slot.
 */
export class JobErrors {
  private kinds: (ErrorKind | undefined)[] = [];
  /** 0: no sequence known. */
  private seqs: number[] = [];
  private count = 0;
  private readonly known = new Map<string, ErrorKind>();

  /** Jobs with an error. */
  get size(): number {
    return this.count;
  }

  has(slot: number): boolean {
    return this.kinds[slot] !== undefined;
  }

  kindOf(slot: number): ErrorKind | undefined {
    return this.kinds[slot];
  }

  get(slot: number): JobError | undefined {
    const kind = this.kinds[slot];
    return kind && { type: kind.type, message: kind.message, eventType: kind.eventType, seq: this.seqs[slot] || null };
  }

  set(slot: number, error: JobError): void {
    // Filled up to the slot: an array written far past its end turns into a slow dictionary.
    while (this.kinds.length <= slot) {
      this.kinds.push(undefined);
      this.seqs.push(0);
    }
    if (this.kinds[slot] === undefined) this.count++;
    this.kinds[slot] = this.kind(error);
    this.seqs[slot] = error.seq ?? 0;
  }

  delete(slot: number): void {
    if (this.kinds[slot] === undefined) return;
    this.kinds[slot] = undefined;
    this.count--;
  }

  clear(): void {
    this.kinds = [];
    this.seqs = [];
    this.count = 0;
    this.known.clear();
  }

  /** The slots with an error, in slot order. */
  *slots(): IterableIterator<number> {
    for (let slot = 0; slot < this.kinds.length; slot++) if (this.kinds[slot] !== undefined) yield slot;
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
