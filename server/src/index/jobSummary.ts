import type { JobStatus } from './jobStatus';

export interface JobError {
  type: string | null;
  message: string | null;
  eventType: string;
  seq: number | null;
}

/** What the index knows of one job: enough to list and filter it without reading its events. */
export interface JobOverview {
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

/** A job's overview and where its events are. */
export interface JobSummary extends JobOverview {
  /** Stream sequences of the job's events, ascending. */
  sequences: number[];
}
