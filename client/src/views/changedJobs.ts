import { MAX_CHANGED_ITEMS, type IndexChange, type JobItem } from '../../../server/src/protocol/protocol';

/** What the views know of the jobs an `index/changed` names, straight from the notification. */
export interface ChangedJobs {
  /** Null: the job is gone from the index. */
  jobs: Map<string, JobItem | null>;
  /** False: more changed than the notification carries; every loaded group reloads. */
  complete: boolean;
}

/** The changed jobs' items as the notification carries them; a changed job without one was removed. */
export function changedJobs(change: IndexChange): ChangedJobs {
  if (change.jobs.length > MAX_CHANGED_ITEMS) return { jobs: new Map(), complete: false };
  const jobs = new Map<string, JobItem | null>(change.jobs.map((jobId) => [jobId, null]));
  for (const item of change.items) jobs.set(item.jobId, item);
  return { jobs, complete: true };
}
