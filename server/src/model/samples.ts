import type { JobEvent } from './event';
import { JobEventType } from './eventType';
import { JobEvents } from './factories';
import type { SubjectShape } from '../subjects/subject';

export type SampleScenario = 'success' | 'failure-with-retries' | 'timeout' | 'cancellation' | 'schedule';

export const SAMPLE_SCENARIOS: readonly SampleScenario[] = ['success', 'failure-with-retries', 'timeout', 'cancellation', 'schedule'];

export interface SampleEvent {
  event: JobEvent;
  shape?: SubjectShape;
}

export interface SampleOptions {
  jobId: string;
  queue: string;
  worker: string;
  /** Epoch seconds of the first event; the others follow at realistic intervals. */
  start: number;
}

const TRACEBACK = `Traceback (most recent call last):
  File "/app/worker.py", line 42, in run_job
    result = await job.func(*job.args)
  File "/app/tasks/billing.py", line 17, in charge
    raise ConnectionError("payment gateway unreachable")
ConnectionError: payment gateway unreachable`;

/** A realistic job history for one scenario, to fill an empty stream or try the views. */
export function sampleLifecycle(scenario: SampleScenario, o: SampleOptions): SampleEvent[] {
  let t = o.start;
  const at = (seconds: number): { timestamp: number } => {
    t += seconds;
    return { timestamp: t };
  };
  const error = { name: 'ConnectionError', message: 'payment gateway unreachable', stack: TRACEBACK };
  const base = { queue_name: o.queue };
  switch (scenario) {
    case 'success':
      return [
        { event: JobEvents.enqueued(o.jobId, o.queue, 1, at(0)) },
        { event: JobEvents.dequeued(o.jobId, o.queue, null, at(0.4)) },
        { event: JobEvents.started(o.jobId, o.worker, 'async', { ...base, ...at(0.1), memory_mb: 48 }) },
        { event: JobEvents.completed(o.jobId, o.worker, 1250.5, { ...base, ...at(1.25), memory_mb: 52, cpu_time_ms: 830 }) },
      ];
    case 'failure-with-retries': {
      const events: SampleEvent[] = [{ event: JobEvents.enqueued(o.jobId, o.queue, 0, at(0)) }];
      for (let attempt = 0; attempt < 3; attempt++) {
        events.push(
          attempt === 0
            ? { event: JobEvents.started(o.jobId, o.worker, 'async', { ...base, ...at(0.3) }) }
            : { event: JobEvents.retryStarted(o.jobId, o.worker, attempt, { ...base, ...at(5) }), shape: { kind: 'worker', workerId: o.worker } },
          { event: JobEvents.failed(o.jobId, o.worker, error, 310 + attempt * 40, attempt, { ...base, ...at(0.35) }) },
        );
        if (attempt < 2) events.push({ event: JobEvents.retryScheduled(o.jobId, attempt + 1, 5, { ...base, ...at(0.01) }) });
      }
      events.push({ event: JobEvents.maxRetriesExceeded(o.jobId, 2, { ...base, ...at(0.01) }) });
      return events;
    }
    case 'timeout':
      return [
        { event: JobEvents.enqueued(o.jobId, o.queue, 0, at(0)) },
        { event: JobEvents.started(o.jobId, o.worker, 'thread', { ...base, ...at(0.2) }) },
        { event: JobEvents.timeout(o.jobId, o.worker, 300, 300_000, { ...base, ...at(300) }) },
      ];
    case 'cancellation':
      return [
        { event: JobEvents.enqueued(o.jobId, o.queue, 2, at(0)) },
        { event: JobEvents.waitingForDependencies(o.jobId, ['job-upstream-1'], { ...base, ...at(0.1) }) },
        { event: JobEvents.cancelled(o.jobId, 'cancelled by user', { ...base, ...at(12) }) },
      ];
    case 'schedule':
      return [
        { event: JobEvents.scheduled(o.jobId, t + 60, '*/5 * * * *', { ...base, ...at(0) }) },
        { event: JobEvents.scheduleChanged(o.jobId, JobEventType.SCHEDULE_TRIGGERED, { ...base, ...at(60) }) },
        { event: JobEvents.enqueued(o.jobId, o.queue, 0, at(0.05)) },
        { event: JobEvents.started(o.jobId, o.worker, 'async', { ...base, ...at(0.2) }) },
        { event: JobEvents.completed(o.jobId, o.worker, 95.2, { ...base, ...at(0.1) }) },
        { event: JobEvents.scheduleChanged(o.jobId, JobEventType.SCHEDULE_PAUSED, { ...base, ...at(30) }) },
      ];
  }
}

/** Seconds a scenario spans, so it can be placed to end about now. */
export function sampleSpan(scenario: SampleScenario): number {
  const events = sampleLifecycle(scenario, { jobId: 'x', queue: 'q', worker: 'w', start: 0 });
  return events[events.length - 1]?.event.timestamp ?? 0;
}

/** Events per synthetic job: enqueued, dequeued, started, completed or failed, released. */
export const SYNTHETIC_EVENTS_PER_JOB = 5;

/** The events of one synthetic job for benchmarks: 20 queues, 50 workers, one job in ten failing. */
export function syntheticJobEvents(job: number, start: number, prefix = 'bench'): JobEvent[] {
  const jobId = `${prefix}-${job}`;
  const queue = `queue-${job % 20}`;
  const worker = `worker-${job % 50}`;
  const t = start + job * 0.001;
  const outcome =
    job % 10 === 0
      ? JobEvents.failed(jobId, worker, { name: 'ValueError', message: `bad input ${job}` }, 12.5, 0, { timestamp: t + 0.3 })
      : JobEvents.completed(jobId, worker, 250.25, { timestamp: t + 0.3 });
  return [
    JobEvents.enqueued(jobId, queue, 0, { timestamp: t }),
    JobEvents.dequeued(jobId, queue, null, { timestamp: t + 0.1 }),
    JobEvents.started(jobId, worker, 'async', { timestamp: t + 0.2, queue_name: queue }),
    outcome,
    JobEvents.workerReleased(jobId, worker, { timestamp: t + 0.4 }),
  ];
}
