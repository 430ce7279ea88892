import { isWorkerJobId, JobEvent } from '../model/event';
import { isFailureType } from '../model/eventType';
import type { IndexRecord } from './indexRecord';
import { JobStatus, statusAfter } from './jobStatus';

export interface JobError {
  type: string | null;
  message: string | null;
  eventType: string;
  seq: number | null;
}

/** What the index keeps of one job: enough to list, filter and find its events without reading them. */
export interface JobSummary {
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
  /** Stream sequences of the job's events, ascending. */
  sequences: number[];
}

export function newSummary(jobId: string, time: number): JobSummary {
  return {
    jobId,
    status: 'unknown',
    queue: null,
    worker: null,
    firstTime: time,
    lastTime: time,
    attempts: 0,
    lastError: null,
    lastEventType: '',
    lastMessage: null,
    eventCount: 0,
    sequences: [],
  };
}

export function recordFromEvent(event: JobEvent): IndexRecord {
  return {
    seq: event.nats_sequence ?? 0,
    jobId: event.job_id,
    type: event.event_type,
    time: event.timestamp,
    worker: event.worker_id,
    queue: event.queue_name,
    message: event.message,
    errorType: event.error_type,
    errorMessage: event.error_message,
    durationMs: event.duration_ms,
  };
}

/** Folds one event (in stream order) into a job's summary, in place. */
export function applyRecord(summary: JobSummary, record: IndexRecord): JobSummary {
  summary.status = statusAfter(summary.status, record.type);
  if (record.queue) summary.queue = record.queue;
  if (record.worker) summary.worker = record.worker;
  summary.firstTime = Math.min(summary.firstTime, record.time);
  summary.lastTime = Math.max(summary.lastTime, record.time);
  if (record.type === 'started' || record.type === 'retry_started') summary.attempts++;
  // A failure without details (max_retries_exceeded, say) keeps the error that caused it.
  if (record.errorType || record.errorMessage || (isFailureType(record.type) && !summary.lastError)) {
    summary.lastError = { type: record.errorType, message: record.errorMessage, eventType: record.type, seq: record.seq || null };
  }
  summary.lastEventType = record.type;
  summary.lastMessage = record.message;
  summary.eventCount++;
  if (record.seq > 0) summary.sequences.push(record.seq);
  return summary;
}

/** Summaries of every job (worker lifecycle records aside) in events read in stream order. */
export function summarize(events: Iterable<JobEvent>): Map<string, JobSummary> {
  const jobs = new Map<string, JobSummary>();
  for (const event of events) {
    if (isWorkerJobId(event.job_id)) continue;
    let summary = jobs.get(event.job_id);
    if (!summary) {
      summary = newSummary(event.job_id, event.timestamp);
      jobs.set(event.job_id, summary);
    }
    applyRecord(summary, recordFromEvent(event));
  }
  return jobs;
}
