import type { EventStorage } from '../../storage/eventStorage';
import { CliArgs, onePositional } from '../args';

export async function deleteJob(storage: EventStorage, args: CliArgs, print: (line: string) => void): Promise<void> {
  const jobId = onePositional(args, 'job id');
  const purged = await storage.deleteJobEvents(jobId);
  print(`deleted ${purged} events of job ${JSON.stringify(jobId)}`);
}
