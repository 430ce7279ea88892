/**
 * Where a tail's lines change calendar day: those lines show their date next to the clock, so a
 * tail left open overnight says which day a line is from. Pure: unit-tested in node.
 */
import type { TailLine } from '../../../client/src/webview/messages';
import { dayOf } from '../lib/time';

/**
 * Each line's day, made once: the page looks for day starts among all its lines (5,000) at every
 * frame that brings lines, and formatting them all took 6% of those frames' time.
 */
const localDays = new WeakMap<TailLine, string>();
const utcDays = new WeakMap<TailLine, string>();

/** `n` of each line whose day differs from the previous timed line's (the first timed line included). */
export function dayStarts(lines: readonly TailLine[], utc = false): Set<number> {
  const starts = new Set<number>();
  const days = utc ? utcDays : localDays;
  let previous: string | null = null;
  for (const line of lines) {
    if (line.time === null) continue;
    let day = days.get(line);
    if (day === undefined) {
      day = dayOf(line.time, utc);
      days.set(line, day);
    }
    if (day !== previous) starts.add(line.n);
    previous = day;
  }
  return starts;
}
