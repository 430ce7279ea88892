/**
 * The publisher's bookkeeping of what it has to send, what is on its way and what is settled, kept
 * apart from NATS, timers and handlers so that every transition can be checked on its own.
 *
 * Messages keep the order they were pushed in. Each is WAITING (to be sent), SENT (waiting for its
 * acknowledgement) or DONE (stored or failed: settled). Sending goes forward from a cursor; `goBack`
 * moves it back to the oldest unsettled message, because after a disconnect nothing unacknowledged is
 * known to have got out, and the resends must keep the original order.
 */

export const WAITING = 0;
export const SENT = 1;
export const DONE = 2;
export type SendState = typeof WAITING | typeof SENT | typeof DONE;

export interface WindowEntry<M> {
  /** Fixed for the message's life, counting from 0 in push order: it names the message on the wire. */
  readonly id: number;
  readonly message: M;
  state: SendState;
  /** When the latest attempt was sent. */
  sentAt: number;
  /** Highest stream sequence acknowledged before the latest send: if that send was stored, it is above. */
  sentAfterSeq: number;
  attempts: number;
  /** An attempt reached the server with an unknown outcome: a failure must say "maybe stored". */
  uncertain: boolean;
  /**
   * Since when (send time of the oldest unresolved attempt, 0: none) and above which stream sequence
   * the message may be stored without the sender knowing: what a look-up must cover before a late resend.
   */
  doubtSince: number;
  doubtAfterSeq: number;
}

export class SendWindow<M> {
  /**
   * Every message not yet known to be settled, in push order. Entries before `head` are settled;
   * entries in [head, cursor) are SENT or DONE; entries from `cursor` on are WAITING or DONE
   * (a late acknowledgement of an earlier attempt can settle a WAITING entry).
   */
  private entries: WindowEntry<M>[] = [];
  /** Id of `entries[0]`. */
  private base = 0;
  private head = 0;
  private cursor = 0;
  private sent = 0;
  private open = 0;

  /** Sent, waiting for the acknowledgement. */
  get inFlight(): number {
    return this.sent;
  }

  /** Neither stored nor failed yet (in flight included). */
  get unsettled(): number {
    return this.open;
  }

  /** The id the next `push` gives its message. */
  get nextId(): number {
    return this.base + this.entries.length;
  }

  /** Adds a message at the end, WAITING. */
  push(message: M): WindowEntry<M> {
    const entry: WindowEntry<M> = {
      id: this.nextId,
      message,
      state: WAITING,
      sentAt: 0,
      sentAfterSeq: 0,
      attempts: 0,
      uncertain: false,
      doubtSince: 0,
      doubtAfterSeq: 0,
    };
    this.entries.push(entry);
    this.open++;
    return entry;
  }

  /** The unsettled message with this id; undefined when it is settled or was never pushed. */
  unsettledById(id: number): WindowEntry<M> | undefined {
    const index = id - this.base;
    if (!(index >= this.head && index < this.entries.length)) return undefined;
    const entry = this.entries[index] as WindowEntry<M>;
    return entry.state === DONE ? undefined : entry;
  }

  /**
   * The next message after the cursor that is WAITING, moving the cursor past it (and past settled
   * ones); undefined when everything pushed has been sent or settled.
   */
  nextToSend(): WindowEntry<M> | undefined {
    while (this.cursor < this.entries.length) {
      const entry = this.entries[this.cursor++] as WindowEntry<M>;
      if (entry.state === WAITING) return entry;
    }
    return undefined;
  }

  /** `entry`, just taken from `nextToSend`, went out at `now`, after stream sequence `afterSeq` was acknowledged. */
  markSent(entry: WindowEntry<M>, now: number, afterSeq: number): void {
    entry.attempts++;
    entry.state = SENT;
    entry.sentAt = now;
    entry.sentAfterSeq = afterSeq;
    this.sent++;
  }

  /**
   * The server answered the latest attempt with "not stored, try again": the attempt certainly did not
   * store it, so it goes back to WAITING without doubt. False when `entry` was not in flight (the answer
   * is to an attempt made before the latest `goBack`, and moot).
   */
  refused(entry: WindowEntry<M>): boolean {
    if (entry.state !== SENT) return false;
    entry.state = WAITING;
    this.sent--;
    return true;
  }

  /** Stored or failed: the message leaves the window. */
  settle(entry: WindowEntry<M>): void {
    if (entry.state === DONE) return;
    if (entry.state === SENT) this.sent--;
    entry.state = DONE;
    this.open--;
    this.advanceHead();
  }

  /**
   * Every SENT message goes back to WAITING, in doubt (it may have been stored; its resend carries
   * the same id); sending restarts at the oldest unsettled one.
   */
  goBack(): void {
    for (let i = this.head; i < this.cursor; i++) {
      const entry = this.entries[i] as WindowEntry<M>;
      if (entry.state === SENT) {
        entry.state = WAITING;
        entry.uncertain = true;
        if (!entry.doubtSince) {
          entry.doubtSince = entry.sentAt;
          entry.doubtAfterSeq = entry.sentAfterSeq;
        }
      }
    }
    this.cursor = this.head;
    this.sent = 0;
  }

  /** The message in flight the longest, if any: sends go out in push order, so the first SENT one. */
  oldestSent(): WindowEntry<M> | undefined {
    for (let i = this.head; i < this.cursor; i++) {
      const entry = this.entries[i] as WindowEntry<M>;
      if (entry.state === SENT) return entry;
    }
    return undefined;
  }

  /** Every unsettled message, oldest first, as a new array: the caller may settle them while it walks. */
  pending(): WindowEntry<M>[] {
    const out: WindowEntry<M>[] = [];
    for (let i = this.head; i < this.entries.length; i++) {
      const entry = this.entries[i] as WindowEntry<M>;
      if (entry.state !== DONE) out.push(entry);
    }
    return out;
  }

  private advanceHead(): void {
    const entries = this.entries;
    while (this.head < entries.length && (entries[this.head] as WindowEntry<M>).state === DONE) this.head++;
    if (this.cursor < this.head) this.cursor = this.head;
    // Drop the settled prefix now and then, not on every ack: a splice per ack would be quadratic.
    if (this.head >= 4096 && this.head * 2 >= entries.length) {
      this.entries = entries.slice(this.head);
      this.base += this.head;
      this.cursor -= this.head;
      this.head = 0;
    }
  }
}
