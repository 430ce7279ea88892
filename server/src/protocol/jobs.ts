/** Jobs, queues and workers as the index lists them, and one job's timeline. */
import { RequestType, RequestType0 } from 'vscode-languageserver-protocol';
import type { DecodeProblem, JobEvent } from './events';

/** Every status a job can be in, as the index derives it from the job's events. */
export const JOB_STATUSES = [
  'queued',
  'scheduled',
  'waiting',
  'running',
  'retrying',
  'paused',
  'completed',
  'failed',
  'cancelled',
  'expired',
  'unknown',
] as const;

export type JobStatus = (typeof JOB_STATUSES)[number];

export type StatusCounts = Partial<Record<JobStatus, number>>;

export interface JobError {
  type: string | null;
  message: string | null;
  eventType: string;
  seq: number | null;
}

/** A job as the index summarises it. */
export interface JobItem {
  jobId: string;
  status: JobStatus;
  queue: string | null;
  worker: string | null;
  /** Epoch seconds of the first and last event. */
  firstTime: number;
  lastTime: number;
  /** Times the job was started, retries included. */
  attempts: number;
  lastError: JobError | null;
  lastEventType: string;
  lastMessage: string | null;
  eventCount: number;
}

/**
 * A page of jobs, filtered; `search` matches job ids and last error messages, case-insensitively;
 * `activeFrom`/`activeTo` (epoch seconds, inclusive/exclusive) keep the jobs whose first-to-last event
 * span overlaps that range (a range brushed on a dashboard chart).
 */
export interface JobListParams {
  offset: number;
  limit: number;
  queue?: string;
  worker?: string;
  status?: JobStatus;
  search?: string;
  activeFrom?: number;
  activeTo?: number;
}

export interface JobPage {
  items: JobItem[];
  /** Jobs that match, over all pages. */
  total: number;
}

export namespace ListJobsRequest {
  /** Client → server: one page of jobs, newest activity first. */
  export const method = 'jobs/list';
  export const type = new RequestType<JobListParams, JobPage, void>(method);
}

export interface JobParams {
  jobId: string;
}

export namespace GetJobRequest {
  /** Client → server: one job's item; null when the index does not hold it. */
  export const method = 'jobs/get';
  export const type = new RequestType<JobParams, JobItem | null, void>(method);
}

export interface QueueItem {
  name: string;
  counts: StatusCounts;
  /** Jobs in the queue, whatever their status. */
  total: number;
}

export interface WorkerItem {
  id: string;
  counts: StatusCounts;
  total: number;
  /** The last worker lifecycle event (`worker_idle`, `worker_busy` ...), if it logs them. */
  lastState: string | null;
  lastSeen: number;
}

export namespace ListQueuesRequest {
  /** Client → server: every queue that has jobs, by name. */
  export const method = 'queues/list';
  export const type = new RequestType0<QueueItem[], void>(method);
}

export namespace ListWorkersRequest {
  /** Client → server: every worker that has jobs, by id. */
  export const method = 'workers/list';
  export const type = new RequestType0<WorkerItem[], void>(method);
}

/** Default and largest `limit` of a timeline page. */
export const TIMELINE_PAGE = { default: 500, max: 5000 } as const;

/** Newest page first; `afterSeq` for live updates, `beforeSeq` for the next older page. */
export interface TimelineParams {
  jobId: string;
  /** Only events stored after this stream sequence. */
  afterSeq?: number;
  /** Only events stored before this stream sequence. */
  beforeSeq?: number;
  /** Events at most; default 500, at most 5000. */
  limit?: number;
}

export interface Timeline {
  jobId: string;
  job: JobItem | null;
  /** In stream order: the newest `limit` of those the parameters select. */
  events: JobEvent[];
  problems: DecodeProblem[];
  /** `index`: direct gets by sequence; `consumer`: a filtered read while the index is still building. */
  source: 'index' | 'consumer';
  /** This job's events older than the first returned. */
  olderCount: number;
}

export namespace TimelineRequest {
  /** Client → server: one page of a job's events. */
  export const method = 'jobs/timeline';
  export const type = new RequestType<TimelineParams, Timeline, void>(method);
}

export namespace DeleteJobRequest {
  /** Client → server: purge a job's events from the stream, as NAQ deletes a job. */
  export const method = 'jobs/delete';
  export const type = new RequestType<JobParams, { purged: number }, void>(method);
}
