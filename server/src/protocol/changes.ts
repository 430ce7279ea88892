/** What changed in the index, pushed with the changed data so the client needs no further request. */
import { NotificationType } from 'vscode-languageserver-protocol';
import type { JobError, JobItem } from './jobs';

/** Changed jobs carried with their items, at most this many; ids beyond it are only in `jobs`. */
export const MAX_CHANGED_ITEMS = 100;

export interface IndexChange {
  /** Everything may have changed (a rebuild, a recreated stream): refresh the whole tree. */
  reset: boolean;
  queues: string[];
  workers: string[];
  jobs: string[];
  /**
   * The current items of the changed jobs the index still holds, when `jobs` has at most
   * `MAX_CHANGED_ITEMS` ids; a changed job missing from here was removed. Empty beyond that.
   */
  items: JobItem[];
  /** Jobs that moved to a failure status since the previous change. */
  failed: { jobId: string; error: JobError | null }[];
}

export namespace IndexChangedNotification {
  /** Server → client, batched a few times a second at most. */
  export const method = 'index/changed';
  export const type = new NotificationType<IndexChange>(method);
}
