import type { EventDecodeError } from '../codec/decode';
import type { JobEvent } from '../model/event';

/** Events read from the stream, plus the payloads that were not events (kept apart, never fatal). */
export interface ReadResult {
  events: JobEvent[];
  errors: EventDecodeError[];
}

/** Where a read starts in the stream. */
export type StartPosition = { from: 'all' } | { from: 'new' } | { from: 'sequence'; seq: number } | { from: 'time'; time: Date };
