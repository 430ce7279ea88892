/** When an open timeline reads its job again. Pure, unit-tested. */
import type { JobEvent } from '../../../server/src/model/event';
import type { IndexChange, Timeline } from '../../../server/src/protocol/protocol';
export { Throttle } from '../webview/throttle';

/** The index changed this job's events, or everything may have changed (a rebuild, a new stream). */
export function shouldReload(change: Pick<IndexChange, 'reset' | 'jobs' | 'failed'>, jobId: string): boolean {
  if (change.reset) return true;
  if (Array.isArray(change.jobs) && change.jobs.includes(jobId)) return true;
  return Array.isArray(change.failed) && change.failed.some((f) => f.jobId === jobId);
}

function sameEvent(a: JobEvent, b: JobEvent): boolean {
  return a.nats_sequence === b.nats_sequence && a.timestamp === b.timestamp && a.event_type === b.event_type;
}

/**
 * Whether `next` only adds events after those of `previous` (same job, same first and last old
 * event in the same places): then the page is sent the new events alone.
 */
export function extendsTimeline(previous: Pick<Timeline, 'jobId' | 'events'>, next: Pick<Timeline, 'jobId' | 'events'>): boolean {
  if (previous.jobId !== next.jobId || next.events.length < previous.events.length) return false;
  const n = previous.events.length;
  if (n === 0) return true;
  return sameEvent(previous.events[0]!, next.events[0]!) && sameEvent(previous.events[n - 1]!, next.events[n - 1]!);
}
