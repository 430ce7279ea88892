/**
 * The elements of the three NAQ trees. Elements are kept and updated in place (never recreated
 * for the same thing), so that `onDidChangeTreeData` can name exactly the ones that changed and
 * `reveal` can find a job through `getParent`.
 */
import type { JobItem, JobListParams, JobStatus, QueueItem, WorkerItem } from '../../../server/src/protocol/protocol';

/** The part of a `jobs/list` request that says which jobs a group holds. */
export type JobFilter = Omit<JobListParams, 'offset' | 'limit'>;

export interface QueueNode {
  kind: 'queue';
  id: string;
  item: QueueItem;
  /** Its status groups, by status, reused across refreshes. */
  groups: Map<JobStatus, GroupNode>;
  parent: undefined;
}

/** A paged list of jobs: a status (under a queue or at the root), a worker, or a search. */
export interface GroupNode {
  kind: 'group';
  id: string;
  role: 'status' | 'worker' | 'search';
  filter: JobFilter;
  /** Jobs in the group over all pages, as last known. */
  count: number;
  status?: JobStatus;
  worker?: WorkerItem;
  search?: string;
  parent: QueueNode | undefined;
  /** The pages loaded so far; undefined until the group is first expanded. */
  page?: LoadedPage;
  /** Reload the loaded pages at the next getChildren. */
  stale: boolean;
  /** Its rows are on screen: the editor listed them and has not collapsed the group (or its queue) since. */
  shown: boolean;
  /** Job nodes by job id, reused across reloads. */
  jobNodes: Map<string, JobNode>;
  more: MoreNode;
}

export interface LoadedPage {
  jobs: JobNode[];
  total: number;
  /** How many jobs were asked for over all pages: a reload asks for as many again. */
  requested: number;
}

export interface JobNode {
  kind: 'job';
  id: string;
  job: JobItem;
  parent: GroupNode;
}

/** The "Load more…" row at the end of a group with more jobs than loaded. */
export interface MoreNode {
  kind: 'more';
  id: string;
  parent: GroupNode;
}

/** A row that says something instead of listing (an error, "no matches"). */
export interface MessageNode {
  kind: 'message';
  id: string;
  text: string;
  detail?: string;
  icon: 'warning' | 'info' | 'error';
  parent: QueueNode | GroupNode | undefined;
}

export type NaqNode = QueueNode | GroupNode | JobNode | MoreNode | MessageNode;

export function newGroup(init: Pick<GroupNode, 'id' | 'role' | 'filter' | 'count' | 'parent'> & Partial<GroupNode>): GroupNode {
  const group: GroupNode = { stale: false, shown: false, jobNodes: new Map(), ...init, kind: 'group', more: undefined as unknown as MoreNode };
  group.more = { kind: 'more', id: `${init.id}/more`, parent: group };
  return group;
}

/** The job a command was invoked on: a job row, a job id, or `{ jobId }` (from hover links). */
export function jobIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg.trim() || undefined;
  if (typeof arg !== 'object' || arg === null) return undefined;
  const node = arg as Partial<JobNode> & { jobId?: unknown };
  if (node.kind === 'job' && node.job) return node.job.jobId;
  return typeof node.jobId === 'string' && node.jobId !== '' ? node.jobId : undefined;
}

/** The job row's data when a command was invoked on a row. */
export function jobItemOf(arg: unknown): JobItem | undefined {
  const node = arg as Partial<JobNode> | undefined;
  return typeof node === 'object' && node !== null && node.kind === 'job' ? node.job : undefined;
}
