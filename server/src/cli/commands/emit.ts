import { createEvent } from '../../model/event';
import { isKnownEventType, KNOWN_EVENT_TYPES } from '../../model/eventType';
import type { EventStorage } from '../../storage/eventStorage';
import { CliArgs, numberOption, requiredOption, stringOption } from '../args';
import { UsageError } from '../usage';

export async function emit(storage: EventStorage, args: CliArgs, print: (line: string) => void): Promise<void> {
  const type = requiredOption(args, 'type');
  if (!isKnownEventType(type)) throw new UsageError(`unknown event type "${type}"; known types: ${KNOWN_EVENT_TYPES.join(', ')}`);
  const event = createEvent({
    job_id: requiredOption(args, 'job'),
    event_type: type,
    worker_id: stringOption(args, 'worker'),
    worker_type: stringOption(args, 'worker-type'),
    queue_name: stringOption(args, 'queue'),
    duration_ms: numberOption(args, 'duration-ms', (n) => n >= 0, 'a duration in milliseconds, 0 or more'),
    error_type: stringOption(args, 'error-type'),
    error_message: stringOption(args, 'error-message'),
    message: stringOption(args, 'message'),
  });
  const ref = await storage.store(event);
  print(JSON.stringify({ seq: ref.seq, subject: ref.subject }));
}
