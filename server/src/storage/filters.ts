import type { JobEvent } from '../model/event';
import type { EventType } from '../model/eventType';
import { allFilter, jobFilter, typeFilters } from '../subjects/subject';
import { checkToken } from '../subjects/tokens';

/** What `list` and `count` can filter on; every given field must match. */
export interface EventFilters {
  jobId?: string;
  workerId?: string;
  queueName?: string;
  types?: EventType[];
  /** Epoch seconds, inclusive. */
  since?: number;
  /** Epoch seconds, inclusive. */
  until?: number;
}

/**
 * The narrowest subject filters that still cover every event matching `filters`; what subjects
 * cannot express (queue of a worker-routed event, several types, time) is checked by {@link matchesFilters}.
 */
export function subjectFiltersFor(prefix: string, filters: EventFilters): string[] {
  const types = filters.types ?? [];
  if (types.length === 1) return typeFilters(prefix, types[0] as string, filters.jobId ?? '*');
  if (filters.jobId !== undefined) return [jobFilter(prefix, filters.jobId)];
  // The seed routes every event that has a worker id under `.worker.{id}.`.
  if (filters.workerId !== undefined) return [`${prefix}.*.worker.${checkToken('worker id', filters.workerId)}.*`];
  return [allFilter(prefix)];
}

export function matchesFilters(event: JobEvent, filters: EventFilters): boolean {
  if (filters.jobId !== undefined && event.job_id !== filters.jobId) return false;
  if (filters.workerId !== undefined && event.worker_id !== filters.workerId) return false;
  if (filters.queueName !== undefined && event.queue_name !== filters.queueName) return false;
  if (filters.types && filters.types.length > 0 && !filters.types.includes(event.event_type)) return false;
  if (filters.since !== undefined && event.timestamp < filters.since) return false;
  if (filters.until !== undefined && event.timestamp > filters.until) return false;
  return true;
}

/** Whether stream state (per-subject counts) answers a count without reading events. */
export function countableFromState(filters: EventFilters): boolean {
  return filters.queueName === undefined && filters.since === undefined && filters.until === undefined && (filters.types ?? []).length <= 1;
}
