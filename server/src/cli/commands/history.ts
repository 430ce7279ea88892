import { eventLine, printable } from '../../model/eventLine';
import type { EventStorage } from '../../storage/eventStorage';
import { CliArgs, onePositional } from '../args';

export async function history(storage: EventStorage, args: CliArgs, print: (line: string) => void, warn: (line: string) => void): Promise<void> {
  const jobId = onePositional(args, 'job id');
  const { events, errors } = await storage.jobEvents(jobId);
  for (const error of errors) warn(printable(error.message));
  if (args.values.json) {
    print(JSON.stringify(events, null, 2));
    return;
  }
  if (events.length === 0) warn(`no events for job ${JSON.stringify(jobId)}`);
  for (const event of events) print(eventLine(event));
}
