/**
 * Counted interning: equal values share one copy while something holds them, and the copy goes with its last
 * holder. The failure store keeps 100,000 failures over a few hundred code paths, queues and workers; one copy
 * each instead of one per failure is most of its memory.
 */
export class Interner<T> {
  private readonly entries = new Map<string, { value: T; holders: number }>();

  /**
   * The shared value for `key`, made by `make` (given the key as kept, a copy of its own) when no holder has it;
   * the caller holds it until `release`, once for each of `times`.
   */
  hold(key: string, make: (kept: string) => T, times = 1): T {
    let entry = this.entries.get(key);
    if (!entry) {
      const kept = ownCopy(key);
      entry = { value: make(kept), holders: 0 };
      this.entries.set(kept, entry);
    }
    entry.holders += times;
    return entry.value;
  }

  release(key: string): void {
    const entry = this.entries.get(key);
    if (entry && --entry.holders === 0) this.entries.delete(key);
  }

  /** Distinct values held. */
  get size(): number {
    return this.entries.size;
  }

  values(): IterableIterator<{ readonly value: T }> {
    return this.entries.values();
  }
}

/** Counted interning of strings (queue, worker, exception type names). */
export class StringPool {
  private readonly interner = new Interner<string>();

  hold(value: string, times?: number): string;
  hold(value: string | null, times?: number): string | null;
  hold(value: string | null, times = 1): string | null {
    return value === null ? null : this.interner.hold(value, (kept) => kept, times);
  }

  release(value: string | null): void {
    if (value !== null) this.interner.release(value);
  }

  get size(): number {
    return this.interner.size;
  }
}

/**
 * A copy of the string that holds no other string alive: V8 makes substrings (regex captures, `slice`, `split`)
 * views into their parent, so a 40-character function name cut from a traceback would keep the whole
 * traceback text. Round-tripping through JSON builds a fresh flat string with the same UTF-16 content.
 */
export function ownCopy(value: string): string {
  return value.length < 13 ? value : (JSON.parse(JSON.stringify(value)) as string);
}
