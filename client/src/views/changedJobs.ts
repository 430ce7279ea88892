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

/**
 * One change that says what `earlier` and then `later` said: the trees apply changes that came close
 * together as one. Items are the later ones; past {@link MAX_CHANGED_ITEMS} jobs, none (as the backend does).
 */
export function mergeChanges(earlier: IndexChange, later: IndexChange): IndexChange {
  const jobs = [...new Set([...earlier.jobs, ...later.jobs])];
  let items: JobItem[] = [];
  if (jobs.length <= MAX_CHANGED_ITEMS) {
    const latest = new Map<string, JobItem | null>();
    for (const change of [earlier, later]) {
      for (const jobId of change.jobs) latest.set(jobId, null);
      for (const item of change.items) latest.set(item.jobId, item);
    }
    items = [...latest.values()].filter((item): item is JobItem => item !== null);
  }
  return {
    reset: earlier.reset || later.reset,
    queues: [...new Set([...earlier.queues, ...later.queues])],
    workers: [...new Set([...earlier.workers, ...later.workers])],
    jobs,
    items,
    failed: [...earlier.failed, ...later.failed],
  };
}
