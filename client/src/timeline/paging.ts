/**
 * The part of a job's timeline an open panel holds: the newest page first, older pages prepended on
 * demand, newer events appended from reads with `afterSeq`. Pure, unit-tested.
 */
import type { JobEvent } from '../../../server/src/shared/events';
import { TIMELINE_PAGE, type Timeline } from '../../../server/src/protocol/protocol';
import type { ShownTimeline } from '../webview/messages';

/** One answer of the paged `jobs/timeline`. */
export type TimelinePage = Timeline;

export const TIMELINE_PAGE_SIZE = TIMELINE_PAGE.default;
/** The largest page the backend gives: live updates ask for this many at a time. */
export const TIMELINE_MAX_PAGE = TIMELINE_PAGE.max;

export type TimelineRest = Omit<ShownTimeline, 'events'>;

function seqOf(event: JobEvent | undefined): number | null {
  const seq = event?.nats_sequence;
  return typeof seq === 'number' && Number.isFinite(seq) ? seq : null;
}

export class TimelineWindow {
  events: JobEvent[] = [];
  olderCount = 0;
  rest: TimelineRest | null = null;

  constructor(readonly jobId: string) {}

  get loaded(): boolean {
    return this.rest !== null;
  }

  /** The sequence a live read continues after; null when the newest event has none (then read it whole). */
  get lastSeq(): number | null {
    return this.events.length === 0 ? null : seqOf(this.events[this.events.length - 1]);
  }

  /** The sequence the next older page ends before; null when there is nothing older to ask for. */
  get firstSeq(): number | null {
    return this.olderCount > 0 ? seqOf(this.events[0]) : null;
  }

  /** The timeline as the page holds it. */
  timeline(): ShownTimeline {
    return { ...this.rest!, events: this.events };
  }

  /** Takes a newest page (or a whole timeline) in place of what was held. */
  replace(page: TimelinePage): void {
    const { events, olderCount, ...rest } = page;
    this.events = events;
    this.olderCount = olderCount;
    this.rest = withoutOlderCount(rest);
  }

  /** Takes the answer to a read with `afterSeq` = `lastSeq`; returns the events it added. */
  appendNewer(page: TimelinePage, afterSeq: number): JobEvent[] {
    const added = page.events.filter((event) => (seqOf(event) ?? -1) > afterSeq);
    this.events = added.length > 0 ? this.events.concat(added) : this.events;
    const { job, source } = page;
    this.rest = { ...this.rest!, job, source, problems: mergeProblems(this.rest?.problems ?? [], page.problems) };
    return added;
  }

  /** Takes the answer to a read with `beforeSeq` = `firstSeq`; returns the events it put in front. */
  prependOlder(page: TimelinePage, beforeSeq: number): JobEvent[] {
    const older = page.events.filter((event) => (seqOf(event) ?? Infinity) < beforeSeq);
    this.events = older.concat(this.events);
    this.olderCount = older.length === 0 ? 0 : page.olderCount;
    this.rest = { ...this.rest!, problems: mergeProblems(this.rest?.problems ?? [], page.problems) };
    return older;
  }
}

function withoutOlderCount(rest: TimelineRest): TimelineRest {
  return { jobId: rest.jobId, job: rest.job, problems: rest.problems, source: rest.source };
}

/** Decode problems of several reads, each once (by sequence and message). */
function mergeProblems(held: ShownTimeline['problems'], more: ShownTimeline['problems']): ShownTimeline['problems'] {
  if (more.length === 0) return held;
  const seen = new Set(held.map((p) => `${p.seq}:${p.message}`));
  return held.concat(more.filter((p) => !seen.has(`${p.seq}:${p.message}`)));
}
