/**
 * Where a tail's lines change calendar day: those lines show their date next to the clock, so a
 * tail left open overnight says which day a line is from. Pure: unit-tested in node.
 */
import type { TailLine } from '../../../client/src/webview/messages';
import { dayOf } from '../lib/time';

/** `n` of each line whose day differs from the previous timed line's (the first timed line included). */
export function dayStarts(lines: readonly TailLine[], utc = false): Set<number> {
  const starts = new Set<number>();
  let previous: string | null = null;
  for (const line of lines) {
    if (line.time === null) continue;
    const day = dayOf(line.time, utc);
    if (day !== previous) starts.add(line.n);
    previous = day;
  }
  return starts;
}
