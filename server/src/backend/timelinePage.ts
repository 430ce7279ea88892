/** Which of a job's events one `jobs/timeline` page holds: the newest `limit` within the bounds. */
import { TIMELINE_PAGE, type TimelineParams } from '../protocol/protocol';

export interface TimelinePage {
  /** Ascending, the page's stream sequences. */
  sequences: number[];
  /** The job's events before the page's first. */
  olderCount: number;
}

/** First index whose sequence is greater than `seq` (ascending input). */
function firstAbove(sequences: readonly number[], seq: number): number {
  let lo = 0;
  let hi = sequences.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sequences[mid] as number) <= seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function timelinePage(sequences: readonly number[], params: Omit<TimelineParams, 'jobId'>): TimelinePage {
  const limit = params.limit ?? TIMELINE_PAGE.default;
  const lo = params.afterSeq === undefined ? 0 : firstAbove(sequences, params.afterSeq);
  const hi = params.beforeSeq === undefined ? sequences.length : firstAbove(sequences, params.beforeSeq - 1);
  const start = Math.max(lo, hi - limit);
  return { sequences: sequences.slice(start, Math.max(start, hi)), olderCount: start };
}
