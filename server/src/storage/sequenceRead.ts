import { decodeEvent, EventDecodeError } from '../codec/decode';
import type { JobEvent } from '../model/event';
import { directGet } from './directGet';
import type { NatsSession } from './session';

export interface SequenceReadResult {
  events: JobEvent[];
  errors: EventDecodeError[];
  /** Sequences no longer in the stream (expired or deleted since they were indexed). */
  missing: number[];
}

/** Bounds requests in flight so a job with thousands of events does not flood the connection. */
const WINDOW = 256;

function isNotFound(error: unknown): boolean {
  const text = (error as Error).message ?? '';
  return /no message found|message not found|404/i.test(text);
}

/** Reads events by stream sequence with direct gets: no consumer, cost independent of the stream's size. */
export async function readSequences(session: NatsSession, sequences: readonly number[]): Promise<SequenceReadResult> {
  const slots: (JobEvent | EventDecodeError | 'missing')[] = new Array(sequences.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < sequences.length) {
      const i = next++;
      const seq = sequences[i] as number;
      try {
        const msg = await directGet(session.jsm, session.streamName, { seq });
        slots[i] = decodeEvent(msg.data, { seq: msg.seq, subject: msg.subject }, msg.time.getTime() / 1000);
      } catch (error) {
        if (error instanceof EventDecodeError) slots[i] = error;
        else if (isNotFound(error)) slots[i] = 'missing';
        else throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(WINDOW, sequences.length) }, worker));
  const result: SequenceReadResult = { events: [], errors: [], missing: [] };
  slots.forEach((slot, i) => {
    if (slot === 'missing') result.missing.push(sequences[i] as number);
    else if (slot instanceof EventDecodeError) result.errors.push(slot);
    else result.events.push(slot);
  });
  return result;
}
