import type { JobEvent } from './event';

// eslint-disable-next-line no-control-regex
const controlCharacters = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** Shows control characters as escapes, so hostile event content cannot drive a terminal or break a line. */
export function printable(text: string): string {
  return text.replace(controlCharacters, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function isoTime(epochSeconds: number): string {
  const date = new Date(epochSeconds * 1000);
  return Number.isNaN(date.getTime()) ? `@${epochSeconds}` : date.toISOString();
}

/** One event on one line: time, sequence, type, job, context, error, message. */
export function eventLine(event: JobEvent): string {
  const parts = [isoTime(event.timestamp), `#${event.nats_sequence ?? '?'}`, event.event_type, event.job_id];
  if (event.worker_id) parts.push(`worker=${event.worker_id}`);
  if (event.queue_name) parts.push(`queue=${event.queue_name}`);
  if (event.duration_ms !== null) parts.push(`${event.duration_ms.toFixed(2)}ms`);
  if (event.error_type || event.error_message) parts.push(`${event.error_type ?? 'Error'}: ${event.error_message ?? ''}`);
  if (event.message) parts.push(`- ${event.message}`);
  return printable(parts.join('  '));
}
