/**
 * The lines a tail page holds: capped, pausable, filterable. Pure: unit-tested in node.
 *
 * While paused, what is shown stays put; new lines wait in `pending` (capped too, the oldest
 * dropped and counted) and are shown on resume.
 */
import type { TailLine } from '../../../client/src/webview/messages';

export const DEFAULT_CAP = 5000;

export class TailModel {
  private shown: TailLine[] = [];
  private pending: TailLine[] = [];
  private droppedWhilePaused = 0;
  private paused = false;
  private pausedAtN: number | null = null;
  /** Bumped on every change that alters the shown lines; the view re-filters when it moves. */
  version = 0;

  constructor(public cap = DEFAULT_CAP) {}

  get isPaused(): boolean {
    return this.paused;
  }

  /** `n` of the last line shown when paused (saved with setState); null while running. */
  get pausedAt(): number | null {
    return this.paused ? this.pausedAtN : null;
  }

  get pendingCount(): number {
    return this.pending.length + this.droppedWhilePaused;
  }

  get lines(): readonly TailLine[] {
    return this.shown;
  }

  /** Replaces everything (the extension's buffer after a reload); `pausedAt` restores a pause. */
  reset(lines: readonly TailLine[], pausedAt: number | null = null): void {
    this.droppedWhilePaused = 0;
    if (pausedAt === null) {
      this.paused = false;
      this.pausedAtN = null;
      this.shown = lines.slice(-this.cap);
      this.pending = [];
    } else {
      this.paused = true;
      this.pausedAtN = pausedAt;
      this.shown = lines.filter((line) => line.n <= pausedAt).slice(-this.cap);
      this.pending = lines.filter((line) => line.n > pausedAt).slice(-this.cap);
    }
    this.version++;
  }

  /** Adds lines; returns true if the shown lines changed. */
  append(lines: readonly TailLine[]): boolean {
    if (lines.length === 0) return false;
    if (this.paused) {
      this.pending.push(...lines);
      const over = this.pending.length - this.cap;
      if (over > 0) {
        this.pending.splice(0, over);
        this.droppedWhilePaused += over;
      }
      return false;
    }
    this.shown.push(...lines);
    const over = this.shown.length - this.cap;
    if (over > 0) this.shown.splice(0, over);
    this.version++;
    return true;
  }

  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.pausedAtN = this.shown.length > 0 ? this.shown[this.shown.length - 1]!.n : 0;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.pausedAtN = null;
    const merged = this.shown.concat(this.pending);
    this.shown = merged.slice(-this.cap);
    this.pending = [];
    this.droppedWhilePaused = 0;
    this.version++;
  }

  clear(): void {
    this.shown = [];
    this.pending = [];
    this.droppedWhilePaused = 0;
    if (this.paused) this.pausedAtN = 0;
    this.version++;
  }
}

/** The text a filter matches against: every column of the line, lower-cased. */
export function lineText(line: TailLine): string {
  return [line.type, line.jobId, line.worker, line.queue, line.error, line.message, line.seq === null ? null : `#${line.seq}`]
    .filter((part): part is string => !!part)
    .join(' ')
    .toLowerCase();
}

export interface Filter {
  include: string[];
  exclude: string[];
}

/** Whitespace-separated terms, all of which must match; `-term` must not match. Case-insensitive. */
export function parseFilter(query: string): Filter {
  const include: string[] = [];
  const exclude: string[] = [];
  for (const term of query.toLowerCase().split(/\s+/)) {
    if (!term) continue;
    if (term.startsWith('-') && term.length > 1) exclude.push(term.slice(1));
    else include.push(term);
  }
  return { include, exclude };
}

export function isEmptyFilter(filter: Filter): boolean {
  return filter.include.length === 0 && filter.exclude.length === 0;
}

const textCache = new WeakMap<TailLine, string>();

export function matches(line: TailLine, filter: Filter): boolean {
  if (isEmptyFilter(filter)) return true;
  let text = textCache.get(line);
  if (text === undefined) {
    text = lineText(line);
    textCache.set(line, text);
  }
  return filter.include.every((term) => text.includes(term)) && !filter.exclude.some((term) => text.includes(term));
}

export function filterLines(lines: readonly TailLine[], filter: Filter): readonly TailLine[] {
  return isEmptyFilter(filter) ? lines : lines.filter((line) => matches(line, filter));
}
