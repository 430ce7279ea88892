import { printable } from '../../model/eventLine';
import { isoTime } from '../../shared/time';
import { isJobStatus, JOB_STATUSES } from '../../index/jobStatus';
import { JobIndex } from '../../index/jobIndex';
import type { EventStorage } from '../../storage/eventStorage';
import { CliArgs, stringOption } from '../args';
import { UsageError } from '../usage';

export async function jobs(storage: EventStorage, args: CliArgs, print: (line: string) => void, warn: (line: string) => void): Promise<void> {
  const status = stringOption(args, 'status');
  if (status !== undefined && !isJobStatus(status)) throw new UsageError(`unknown status "${status}"; statuses: ${JOB_STATUSES.join(', ')}`);
  const queue = stringOption(args, 'queue');
  const worker = stringOption(args, 'worker');
  const { events, errors } = await storage.list();
  if (errors.length > 0) warn(`${errors.length} payloads in the stream are not job events (first: ${printable(errors[0]?.message ?? '')})`);
  const selected = JobIndex.of(events).listJobs({ offset: 0, limit: Number.POSITIVE_INFINITY, status, queue, worker }).items;
  if (args.values.json) {
    print(JSON.stringify(selected, null, 2));
    return;
  }
  for (const job of selected) {
    const error = job.lastError ? `  ${job.lastError.type ?? 'Error'}: ${job.lastError.message ?? ''}` : '';
    print(
      printable(
        `${job.jobId}  ${job.status}  queue=${job.queue ?? '-'}  worker=${job.worker ?? '-'}  attempts=${job.attempts}  events=${job.eventCount}  last=${isoTime(job.lastTime)}${error}`,
      ),
    );
  }
}
