/**
 * Jobs the index let go at its job limit while the stream still holds them, kept as the sequence of
 * each one's newest event, ascending. A stream's limits remove its oldest messages first, so such a job
 * is gone from the stream once the stream's first sequence passes its newest: what is left is the
 * count of jobs the stream holds that the lists do not show.
 */
export class LeftOutJobs {
  private seqs = new Float64Array(1024);
  private start = 0;
  private end = 0;

  get count(): number {
    return this.end - this.start;
  }

  /** A job let go, whose newest event is `lastSeq`. */
  add(lastSeq: number): void {
    if (this.end === this.seqs.length) this.makeRoom();
    // Jobs go least recently active first, so their newest sequences come almost in order: the
    // insertion moves at most a few entries.
    let at = this.end;
    while (at > this.start && (this.seqs[at - 1] as number) > lastSeq) {
      this.seqs[at] = this.seqs[at - 1] as number;
      at--;
    }
    this.seqs[at] = lastSeq;
    this.end++;
  }

  /** The stream's first sequence is now `firstSeq`: jobs whose newest event is below it are gone. */
  forgetBelow(firstSeq: number): void {
    while (this.start < this.end && (this.seqs[this.start] as number) < firstSeq) this.start++;
  }

  clear(): void {
    this.start = 0;
    this.end = 0;
  }

  /** For a snapshot. */
  toArray(): number[] {
    return Array.from(this.seqs.subarray(this.start, this.end));
  }

  load(seqs: readonly number[]): void {
    this.clear();
    for (const seq of seqs) this.add(seq);
  }

  /** Reuses the room forgotten entries left at the front, else doubles. */
  private makeRoom(): void {
    const live = this.seqs.subarray(this.start, this.end);
    const target = this.start >= this.seqs.length / 2 ? this.seqs : new Float64Array(this.seqs.length * 2);
    target.set(live);
    this.seqs = target;
    this.end -= this.start;
    this.start = 0;
  }
}
