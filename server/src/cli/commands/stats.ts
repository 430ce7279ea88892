import { addToStats, emptyStats } from '../../analytics/jobAnalytics';
import type { EventStorage } from '../../storage/eventStorage';
import type { CliArgs } from '../args';

export async function stats(storage: EventStorage, args: CliArgs, print: (line: string) => void): Promise<void> {
  const { events } = await storage.list();
  const metrics = emptyStats();
  for (const event of events) addToStats(metrics, event);
  if (args.values.json) {
    print(JSON.stringify(metrics, null, 2));
    return;
  }
  print('--- Job Metrics ---');
  print(`Started: ${metrics.jobsStarted}`);
  print(`Completed: ${metrics.jobsCompleted}`);
  print(`Failed: ${metrics.jobsFailed}`);
  if (metrics.averageDurationMs !== null) print(`Average Duration: ${metrics.averageDurationMs.toFixed(2)}ms`);
  print(`Worker Usage: ${JSON.stringify(metrics.workerUsage)}`);
  print(`Queue Usage: ${JSON.stringify(metrics.queueUsage)}`);
}
