/**
 * A job's events, in stream order, grouped into attempts and flattened into the rows the timeline
 * list shows. Pure: unit-tested in node.
 *
 * An attempt starts at `started` or `retry_started`. One exception keeps producers that log both
 * for one run from counting it twice: a `started` right after a `retry_started` (no outcome between,
 * same worker or no worker named) continues that attempt.
 */
import * as l10n from '@vscode/l10n';
import type { JobEvent } from '../../../server/src/shared/events';
import { isFailureType } from '../../../server/src/shared/events';

export type AttemptOutcome = 'running' | 'completed' | 'failed' | 'timeout' | 'cancelled' | 'interrupted';

export interface Attempt {
  /** 1-based. */
  number: number;
  /** Index of the event that started it; events [start, end) belong to it. */
  start: number;
  end: number;
  worker: string | null;
  workerType: string | null;
  outcome: AttemptOutcome;
  /** The event that decided the outcome, if any. */
  outcomeIndex: number | null;
  /** Reported `duration_ms` of the outcome event, else from its start to its outcome (or last event). */
  durationMs: number | null;
  /** Where `durationMs` comes from: the outcome event's `duration_ms`, or the events' timestamps. */
  durationSource: 'reported' | 'measured';
  error: { type: string | null; message: string | null } | null;
}

export interface Grouping {
  /** Events before the first attempt (enqueued, scheduled ...): [0, preambleEnd). */
  preambleEnd: number;
  attempts: Attempt[];
}

type GroupedEvent = Pick<JobEvent, 'event_type' | 'timestamp' | 'worker_id' | 'worker_type' | 'error_type' | 'error_message' | 'duration_ms'>;

const START_TYPES = new Set(['started', 'retry_started']);
const OUTCOMES: Record<string, AttemptOutcome> = {
  completed: 'completed',
  failed: 'failed',
  timeout: 'timeout',
  cancelled: 'cancelled',
  max_retries_exceeded: 'failed',
  ttl_expired: 'failed',
  dependency_failed: 'failed',
};

export function isAttemptStart(type: string): boolean {
  return START_TYPES.has(type);
}

export function groupAttempts(events: readonly GroupedEvent[]): Grouping {
  const attempts: Attempt[] = [];
  let preambleEnd = events.length;
  let current: Attempt | null = null;
  let sawOutcomeInCurrent = false;
  let lastStartType = '';

  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    const type = event.event_type;
    if (START_TYPES.has(type)) {
      const continues =
        current !== null &&
        type === 'started' &&
        lastStartType === 'retry_started' &&
        !sawOutcomeInCurrent &&
        (current.worker === null || event.worker_id === null || current.worker === event.worker_id);
      if (continues && current) {
        current.worker ??= event.worker_id;
        current.workerType ??= event.worker_type;
        lastStartType = type;
        continue;
      }
      if (current) current.end = i;
      else preambleEnd = i;
      current = {
        number: attempts.length + 1,
        start: i,
        end: events.length,
        worker: event.worker_id,
        workerType: event.worker_type,
        outcome: 'running',
        outcomeIndex: null,
        durationMs: null,
        durationSource: 'measured',
        error: null,
      };
      attempts.push(current);
      sawOutcomeInCurrent = false;
      lastStartType = type;
      continue;
    }
    if (!current) continue;
    current.worker ??= event.worker_id;
    current.workerType ??= event.worker_type;
    const outcome = OUTCOMES[type];
    // The first outcome decides; a later `max_retries_exceeded` after `failed` does not change it.
    if (outcome && current.outcomeIndex === null) {
      current.outcome = outcome;
      current.outcomeIndex = i;
      sawOutcomeInCurrent = true;
    } else if (type === 'retry_scheduled' && current.outcomeIndex === null) {
      current.outcome = 'failed';
      current.outcomeIndex = i;
      sawOutcomeInCurrent = true;
    }
    if ((isFailureType(type) || event.error_type || event.error_message) && current.error === null) {
      current.error = { type: event.error_type, message: event.error_message };
    }
  }

  attempts.forEach((attempt, k) => {
    if (attempt.outcomeIndex === null && k < attempts.length - 1) attempt.outcome = 'interrupted';
    const outcomeEvent = attempt.outcomeIndex === null ? null : events[attempt.outcomeIndex]!;
    if (outcomeEvent && outcomeEvent.duration_ms !== null && Number.isFinite(outcomeEvent.duration_ms)) {
      attempt.durationMs = outcomeEvent.duration_ms;
      attempt.durationSource = 'reported';
    } else {
      // Up to the outcome when there is one (a retry_scheduled after it is not run time).
      const first = events[attempt.start]!.timestamp;
      const last = (outcomeEvent ?? events[attempt.end - 1]!).timestamp;
      attempt.durationMs = Number.isFinite(first) && Number.isFinite(last) ? (last - first) * 1000 : null;
    }
  });

  return { preambleEnd: attempts.length === 0 ? events.length : preambleEnd, attempts };
}

export type TimelineRow =
  | { kind: 'preamble'; count: number }
  | { kind: 'attempt'; attempt: Attempt; of: number }
  | { kind: 'event'; index: number; attempt: number };

/**
 * The rows of the list: event rows in stream order, each attempt preceded by its header. Without any
 * attempt there are no headers at all; events before the first attempt get a "before" header.
 */
export function buildRows(grouping: Grouping, eventCount: number): TimelineRow[] {
  const rows: TimelineRow[] = [];
  const { attempts, preambleEnd } = grouping;
  if (attempts.length === 0) {
    for (let i = 0; i < eventCount; i++) rows.push({ kind: 'event', index: i, attempt: 0 });
    return rows;
  }
  if (preambleEnd > 0) rows.push({ kind: 'preamble', count: preambleEnd });
  for (let i = 0; i < preambleEnd; i++) rows.push({ kind: 'event', index: i, attempt: 0 });
  for (const attempt of attempts) {
    rows.push({ kind: 'attempt', attempt, of: attempts.length });
    for (let i = attempt.start; i < attempt.end; i++) rows.push({ kind: 'event', index: i, attempt: attempt.number });
  }
  return rows;
}

export function attemptLabel(attempt: Attempt, of: number): string {
  return l10n.t('Attempt {0} of {1}', attempt.number, of);
}

export function outcomeLabel(outcome: AttemptOutcome): string {
  switch (outcome) {
    case 'running':
      return l10n.t('running');
    case 'completed':
      return l10n.t('completed');
    case 'failed':
      return l10n.t('failed');
    case 'timeout':
      return l10n.t('timed out');
    case 'cancelled':
      return l10n.t('cancelled');
    case 'interrupted':
      return l10n.t('no outcome logged');
  }
}

// ---- Event helpers ----

type ErrorEvent = Pick<JobEvent, 'event_type' | 'error_type' | 'error_message' | 'details'>;

/** Whether an event is a failure or carries an error: shown prominently. */
export function isErrorEvent(event: ErrorEvent): boolean {
  return isFailureType(event.event_type) || !!event.error_type || !!event.error_message;
}

/** `ErrorType: message`, or null when the event carries no error. */
export function errorText(event: ErrorEvent): string | null {
  if (!event.error_type && !event.error_message) return null;
  if (!event.error_message) return event.error_type;
  return event.error_type ? `${event.error_type}: ${event.error_message}` : event.error_message;
}

/** The traceback from `details.traceback` or `details.stack` (a string, or a list of lines as Python's `format_exception` gives). */
export function tracebackOf(event: Pick<JobEvent, 'details'>): string | null {
  const details = event.details as Record<string, unknown> | null | undefined;
  if (!details || typeof details !== 'object') return null;
  for (const key of ['traceback', 'stack']) {
    const value = details[key];
    if (typeof value === 'string' && value.trim()) return value.replace(/\s+$/, '');
    if (Array.isArray(value) && value.length > 0 && value.every((line) => typeof line === 'string')) {
      const joined = (value as string[]).map((line) => (line.endsWith('\n') ? line : `${line}\n`)).join('');
      return joined.replace(/\s+$/, '');
    }
  }
  return null;
}

export interface Headline {
  /** The last failure (or error-carrying) event. */
  final: number;
  /** The last event at or before it that carries an error type or message (its traceback too); -1 if none does. */
  error: number;
}

/**
 * What the timeline's "last error" banner shows: null when the job has no failure, or completed
 * after its failures (then they are in the list, not the headline).
 */
export function headlineError(events: readonly Pick<JobEvent, 'event_type' | 'error_type' | 'error_message' | 'details'>[]): Headline | null {
  if (events.length === 0 || events[events.length - 1]!.event_type === 'completed') return null;
  let final = -1;
  for (let i = events.length - 1; i >= 0; i--) {
    if (isErrorEvent(events[i]!)) {
      final = i;
      break;
    }
  }
  if (final < 0) return null;
  let error = -1;
  for (let i = final; i >= 0; i--) {
    if (errorText(events[i]!) !== null) {
      error = i;
      break;
    }
  }
  return { final, error };
}

/** A stable key for an event across refreshes: its stream sequence, else its position. */
export function eventKey(event: Pick<JobEvent, 'nats_sequence'>, index: number): string {
  return event.nats_sequence !== null && event.nats_sequence !== undefined ? `s${event.nats_sequence}` : `i${index}`;
}

/** Total runtime of the job: last minus first timestamp, in ms; null without two finite timestamps. */
export function spanMs(events: readonly Pick<JobEvent, 'timestamp'>[]): number | null {
  let min = Infinity;
  let max = -Infinity;
  for (const event of events) {
    if (!Number.isFinite(event.timestamp)) continue;
    if (event.timestamp < min) min = event.timestamp;
    if (event.timestamp > max) max = event.timestamp;
  }
  return min === Infinity ? null : (max - min) * 1000;
}

/** Epoch milliseconds of an epoch-seconds timestamp, or null when it is not a finite number. */
function epochMs(seconds: number): number | null {
  return Number.isFinite(seconds) ? seconds * 1000 : null;
}

/**
 * How long an attempt ran: a running attempt from its start until `nowMs` (it ticks), any other
 * its `durationMs`.
 */
export function attemptElapsedMs(attempt: Attempt, events: readonly Pick<JobEvent, 'timestamp'>[], nowMs: number): number | null {
  if (attempt.outcome !== 'running') return attempt.durationMs;
  const start = epochMs(events[attempt.start]!.timestamp);
  return start === null ? attempt.durationMs : Math.max(0, nowMs - start);
}

export interface JobTimes {
  /**
   * Time spent running: the sum of the attempts' durations (a running one up to now); without any
   * attempt, the `duration_ms` the last outcome event reports. Null when nothing tells it.
   */
  runMs: number | null;
  /** Whether `runMs` includes time measured from timestamps (else every part was reported by a worker). */
  runMeasured: boolean;
  running: boolean;
  /** From the first to the last event; null with fewer than two timestamped events. */
  spanMs: number | null;
}

export function jobTimes(grouping: Grouping, events: readonly GroupedEvent[], nowMs: number): JobTimes {
  let runMs: number | null = null;
  let runMeasured = false;
  let running = false;
  for (const attempt of grouping.attempts) {
    const elapsed = attemptElapsedMs(attempt, events, nowMs);
    if (elapsed === null) continue;
    runMs = (runMs ?? 0) + elapsed;
    if (attempt.outcome === 'running') running = true;
    if (attempt.outcome === 'running' || attempt.durationSource === 'measured') runMeasured = true;
  }
  if (grouping.attempts.length === 0) {
    for (let i = events.length - 1; i >= 0; i--) {
      const event = events[i]!;
      if (OUTCOMES[event.event_type] && event.duration_ms !== null && Number.isFinite(event.duration_ms)) {
        runMs = event.duration_ms;
        break;
      }
    }
  }
  const timed = events.filter((e) => Number.isFinite(e.timestamp)).length;
  return { runMs, runMeasured, running, spanMs: timed >= 2 ? spanMs(events) : null };
}
