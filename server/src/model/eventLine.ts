import { isoTime } from '../shared/time';
import type { JobEvent } from './event';

/**
 * C0 and C1 controls, line and paragraph separators, and the bidirectional controls (U+061C, U+200E,
 * U+200F, U+202A-U+202E, U+2066-U+2069), which reorder what a terminal shows: "invoice\u202egpj.exe"
 * would print as "invoiceexe.jpg".
 */
// eslint-disable-next-line no-control-regex
const controlCharacters = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Shows control characters as escapes, so hostile event content cannot drive a terminal, break a line or reorder it. */
export function printable(text: string): string {
  return text.replace(controlCharacters, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
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
