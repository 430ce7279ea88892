/**
 * Internals to wire types, field by field: a field added to the index, the model or the analytics
 * reaches the client only once it is named here (and in the protocol), never by accident.
 */
import type { JobStats as IndexStats } from '../analytics/jobAnalytics';
import type { IndexerProgress } from '../index/indexer';
import type { GroupEntry, StatusCounts as IndexCounts, WorkerEntry } from '../index/jobIndex';
import type { JobError as IndexError, JobOverview } from '../index/jobSummary';
import type { JobEvent as ModelEvent } from '../model/event';
import type { IndexProgress, JobError, JobEvent, JobItem, JobStats, QueueItem, StatusCounts, WorkerItem } from '../protocol/protocol';

export function wireError(error: IndexError | null): JobError | null {
  return error && { type: error.type, message: error.message, eventType: error.eventType, seq: error.seq };
}

export function wireJob(job: JobOverview): JobItem {
  return {
    jobId: job.jobId,
    status: job.status,
    queue: job.queue,
    worker: job.worker,
    firstTime: job.firstTime,
    lastTime: job.lastTime,
    attempts: job.attempts,
    lastError: wireError(job.lastError),
    lastEventType: job.lastEventType,
    lastMessage: job.lastMessage,
    eventCount: job.eventCount,
  };
}

export function wireCounts(counts: IndexCounts): StatusCounts {
  return { ...counts };
}

export function wireQueue(queue: GroupEntry): QueueItem {
  return { name: queue.name, counts: wireCounts(queue.counts), total: queue.total };
}

export function wireWorker(worker: WorkerEntry): WorkerItem {
  return { id: worker.name, counts: wireCounts(worker.counts), total: worker.total, lastState: worker.lastState, lastSeen: worker.lastSeen };
}

export function wireEvent(event: ModelEvent): JobEvent {
  return {
    job_id: event.job_id,
    event_type: event.event_type,
    timestamp: event.timestamp,
    worker_id: event.worker_id,
    worker_type: event.worker_type,
    queue_name: event.queue_name,
    message: event.message,
    details: event.details,
    error_type: event.error_type,
    error_message: event.error_message,
    duration_ms: event.duration_ms,
    memory_mb: event.memory_mb,
    cpu_time_ms: event.cpu_time_ms,
    tags: event.tags,
    metadata: event.metadata,
    nats_subject: event.nats_subject,
    nats_sequence: event.nats_sequence,
  };
}

export function wireStats(stats: IndexStats): JobStats {
  return {
    jobsStarted: stats.jobsStarted,
    jobsRunning: stats.jobsRunning,
    jobsCompleted: stats.jobsCompleted,
    jobsFailed: stats.jobsFailed,
    totalDurationMs: stats.totalDurationMs,
    averageDurationMs: stats.averageDurationMs,
    workerUsage: { ...stats.workerUsage },
    queueUsage: { ...stats.queueUsage },
    eventsSeen: stats.eventsSeen,
  };
}

export function wireProgress(progress: IndexerProgress): IndexProgress {
  const { building, indexedEvents, targetSequence, jobs, maxJobs, jobsLeftOut, stalled } = progress;
  return { building, indexedEvents, targetSequence, jobs, maxJobs, jobsLeftOut, ...(stalled ? { stalled: { ...stalled } } : {}) };
}
