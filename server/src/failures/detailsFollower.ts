/**
 * Takes the tracebacks that failed events carry in their `details` straight from the backend's follow of the
 * stream, which hands every stored message to its handlers during the build and live. Reading each failed event
 * back from the stream instead (a direct get per job, 32 at a time) made placing 100,000 failures take minutes
 * and a new failure wait behind that queue. Jobs whose event has no traceback in its details are left to the
 * service's lookups (NAQ's own layout: the result bucket, the failed-jobs stream).
 */
import { EventDecodeError } from '../codec/decode';
import { isFailureType } from '../model/eventType';
import type { StoredMessage, StreamHandler } from '../processor/streamHandlers';
import type { FailureRecord } from './failureStore';
import { tracebackFromDetails } from './tracebackSources';

export class DetailsFollower implements StreamHandler {
  readonly name = 'failure tracebacks';

  constructor(private readonly found: (record: FailureRecord) => void) {}

  onMessage(message: StoredMessage): void {
    // Job subjects end with the event type: the others are not decoded here.
    if (!isFailureType(message.subject.slice(message.subject.lastIndexOf('.') + 1))) return;
    const event = message.event();
    if (event instanceof EventDecodeError || !isFailureType(event.event_type)) return;
    const traceback = tracebackFromDetails(event.details, event.error_type, event.error_message);
    if (!traceback) return;
    this.found({
      jobId: event.job_id,
      seq: message.seq,
      time: event.timestamp,
      queue: event.queue_name,
      worker: event.worker_id,
      errorType: event.error_type,
      errorMessage: event.error_message,
      traceback,
      origin: 'details',
    });
  }
}
