/** When an open timeline reads its job again. Pure, unit-tested. */
import type { IndexChange } from '../../../server/src/protocol/protocol';
export { Throttle } from '../webview/throttle';

/** The index changed this job's events, or everything may have changed (a rebuild, a new stream). */
export function shouldReload(change: Pick<IndexChange, 'reset' | 'jobs' | 'failed'>, jobId: string): boolean {
  if (change.reset) return true;
  if (Array.isArray(change.jobs) && change.jobs.includes(jobId)) return true;
  return Array.isArray(change.failed) && change.failed.some((f) => f.jobId === jobId);
}
