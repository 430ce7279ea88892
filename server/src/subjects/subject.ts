import type { JobEvent } from '../model/event';
import type { EventType } from '../model/eventType';
import { checkJobId, checkToken } from './tokens';

/** Where, under a job, an event sits in the subject hierarchy. */
export type SubjectShape =
  | { kind: 'basic' }
  | { kind: 'lifecycle' }
  | { kind: 'system' }
  | { kind: 'worker'; workerId: string }
  | { kind: 'queue'; queueName: string }
  | { kind: 'retry'; retryCount: number }
  | { kind: 'schedule'; scheduleName: string };

export interface ParsedSubject {
  jobId: string;
  eventType: EventType;
  shape: SubjectShape;
}

export function buildSubject(prefix: string, jobId: string, eventType: EventType, shape: SubjectShape = { kind: 'basic' }): string {
  const base = `${prefix}.${checkJobId(jobId)}`;
  const type = checkToken('event type', eventType);
  switch (shape.kind) {
    case 'basic':
      return `${base}.${type}`;
    case 'lifecycle':
    case 'system':
      return `${base}.${shape.kind}.${type}`;
    case 'worker':
      return `${base}.worker.${checkToken('worker id', shape.workerId)}.${type}`;
    case 'queue':
      return `${base}.queue.${checkToken('queue name', shape.queueName)}.${type}`;
    case 'retry':
      if (!Number.isSafeInteger(shape.retryCount) || shape.retryCount < 0) {
        throw new RangeError(`invalid retry count ${shape.retryCount}: must be a whole number of 0 or more`);
      }
      return `${base}.retry.${shape.retryCount}.${type}`;
    case 'schedule':
      return `${base}.schedule.${checkToken('schedule name', shape.scheduleName)}.${type}`;
  }
}

/** The seed's routing: by worker when there is one, else by queue, else the bare job subject. */
export function shapeOf(event: Pick<JobEvent, 'worker_id' | 'queue_name'>): SubjectShape {
  if (event.worker_id) return { kind: 'worker', workerId: event.worker_id };
  if (event.queue_name) return { kind: 'queue', queueName: event.queue_name };
  return { kind: 'basic' };
}

export function subjectForEvent(prefix: string, event: JobEvent, shape: SubjectShape = shapeOf(event)): string {
  return buildSubject(prefix, event.job_id, event.event_type, shape);
}

/** Shared: the bare shape carries nothing that could differ. */
const BARE: SubjectShape = Object.freeze({ kind: 'basic' });

/** Whether the token of `subject` from `from` to `to` (exclusive) is `token`, without slicing it out. */
function tokenIs(subject: string, from: number, to: number, token: string): boolean {
  return to - from === token.length && subject.startsWith(token, from);
}

/** The shape of the tokens between the job id and the event type, `from` to `to` (exclusive), not empty. */
function shapeBetween(subject: string, from: number, to: number): SubjectShape | undefined {
  const dot = subject.indexOf('.', from);
  if (dot === to) {
    if (tokenIs(subject, from, to, 'lifecycle')) return { kind: 'lifecycle' };
    if (tokenIs(subject, from, to, 'system')) return { kind: 'system' };
    return undefined;
  }
  if (subject.indexOf('.', dot + 1) !== to) return undefined;
  const value = subject.slice(dot + 1, to);
  if (tokenIs(subject, from, dot, 'worker')) return { kind: 'worker', workerId: value };
  if (tokenIs(subject, from, dot, 'queue')) return { kind: 'queue', queueName: value };
  if (tokenIs(subject, from, dot, 'schedule')) return { kind: 'schedule', scheduleName: value };
  if (tokenIs(subject, from, dot, 'retry')) {
    const retryCount = Number(value);
    return /^\d+$/.test(value) && Number.isSafeInteger(retryCount) ? { kind: 'retry', retryCount } : undefined;
  }
  return undefined;
}

/** Reads a stored subject back; undefined for anything outside the job hierarchy (the `global` aggregations too). */
export function parseSubject(prefix: string, subject: string): ParsedSubject | undefined {
  // Runs for every message the index reads: positions, never a split.
  const start = prefix.length + 1;
  if (subject.charCodeAt(prefix.length) !== 46 || !subject.startsWith(prefix)) return undefined;
  const firstDot = subject.indexOf('.', start);
  if (firstDot < 0) return undefined;
  const lastDot = subject.lastIndexOf('.');
  const jobId = subject.slice(start, firstDot);
  const eventType = subject.slice(lastDot + 1);
  if (jobId === 'global' || jobId === '' || eventType === '') return undefined;
  const shape = firstDot === lastDot ? BARE : shapeBetween(subject, firstDot + 1, lastDot);
  return shape ? { jobId, eventType, shape } : undefined;
}

/** Every subject of one job, whatever its shape. */
export function jobFilter(prefix: string, jobId: string): string {
  return `${prefix}.${checkJobId(jobId)}.>`;
}

/** The whole event space. */
export function allFilter(prefix: string): string {
  return `${prefix}.>`;
}

/**
 * Filters that together cover "every event of type T" whatever the shape: the bare shape,
 * the one-token shapes (lifecycle, system) and the two-token ones (worker, queue, retry, schedule).
 */
export function typeFilters(prefix: string, eventType: EventType, jobId = '*'): string[] {
  const type = checkToken('event type', eventType);
  const job = jobId === '*' ? '*' : checkJobId(jobId);
  return [`${prefix}.${job}.${type}`, `${prefix}.${job}.*.${type}`, `${prefix}.${job}.*.*.${type}`];
}

/** Core-NATS subject matching, so filters can be checked in the client as well. */
export function subjectMatches(filter: string, subject: string): boolean {
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return s.length > i;
    if (i >= s.length) return false;
    if (f[i] !== '*' && f[i] !== s[i]) return false;
  }
  return f.length === s.length;
}

export type PatternProblem = { index: number; reason: string };

/** Checks a subscription pattern as the user types it: empty tokens, misplaced `>`, partial wildcards, spaces. */
export function patternProblem(pattern: string): PatternProblem | undefined {
  if (pattern.length === 0) return { index: 0, reason: 'the subject is empty' };
  if (/\s/.test(pattern)) return { index: pattern.search(/\s/), reason: 'subjects cannot contain whitespace' };
  const tokens = pattern.split('.');
  let index = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    if (token === '') return { index, reason: 'empty token (two dots in a row, or a leading or trailing dot)' };
    if (token === '>' && i !== tokens.length - 1) return { index, reason: "'>' may only be the last token" };
    if (token.length > 1 && (token.includes('*') || token.includes('>'))) {
      return { index, reason: `wildcards must be whole tokens: '${token}'` };
    }
    index += token.length + 1;
  }
  return undefined;
}
