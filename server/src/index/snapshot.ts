import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { JobStats } from '../analytics/jobAnalytics';
import { JobIndex } from './jobIndex';
import { isJobStatus } from './jobStatus';
import type { JobSummary } from './jobSummary';

const VERSION = 1;

/** Which stream a snapshot describes: a recreated stream (new creation time) invalidates it. */
export interface StreamIdentity {
  name: string;
  created: string;
}

type JobRow = [
  jobId: string,
  status: string,
  queue: string | null,
  worker: string | null,
  firstTime: number,
  lastTime: number,
  attempts: number,
  lastError: JobSummary['lastError'],
  lastEventType: string,
  lastMessage: string | null,
  eventCount: number,
  sequences: number[],
];

interface SnapshotFile {
  version: number;
  stream: StreamIdentity;
  lastSeq: number;
  indexedEvents: number;
  stats: JobStats;
  jobs: JobRow[];
  workers: [id: string, lastState: string | null, lastSeen: number][];
}

function row(job: JobSummary): JobRow {
  return [
    job.jobId,
    job.status,
    job.queue,
    job.worker,
    job.firstTime,
    job.lastTime,
    job.attempts,
    job.lastError,
    job.lastEventType,
    job.lastMessage,
    job.eventCount,
    job.sequences,
  ];
}

/** Writes the index next to the extension's other state; a crash mid-write leaves the previous file intact. */
export async function saveSnapshot(file: string, index: JobIndex, stream: StreamIdentity): Promise<void> {
  const snapshot: SnapshotFile = {
    version: VERSION,
    stream,
    lastSeq: index.lastSeq,
    indexedEvents: index.indexedEvents,
    stats: index.stats,
    jobs: [...index.allJobs()].map(row),
    workers: [...index.allWorkers()].map((w) => [w.name, w.lastState, w.lastSeen]),
  };
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(snapshot));
  await rename(temporary, file);
}

export type LoadOutcome = { loaded: true; index: JobIndex } | { loaded: false; reason: string };

/** Loads a snapshot of the same stream; anything else (missing, another stream, corrupt) starts afresh. */
export async function loadSnapshot(file: string, stream: StreamIdentity, maxJobs?: number): Promise<LoadOutcome> {
  let snapshot: SnapshotFile;
  try {
    snapshot = JSON.parse(await readFile(file, 'utf8')) as SnapshotFile;
  } catch (error) {
    return { loaded: false, reason: (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no snapshot yet' : `unreadable snapshot: ${(error as Error).message}` };
  }
  if (snapshot.version !== VERSION) return { loaded: false, reason: `snapshot version ${snapshot.version} is not ${VERSION}` };
  if (snapshot.stream?.name !== stream.name || snapshot.stream.created !== stream.created) {
    return { loaded: false, reason: 'the stream was recreated since the snapshot' };
  }
  const index = new JobIndex(maxJobs);
  for (const r of snapshot.jobs) {
    const [jobId, status, queue, worker, firstTime, lastTime, attempts, lastError, lastEventType, lastMessage, eventCount, sequences] = r;
    index.restoreJob({
      jobId,
      status: isJobStatus(status) ? status : 'unknown',
      queue,
      worker,
      firstTime,
      lastTime,
      attempts,
      lastError,
      lastEventType,
      lastMessage,
      eventCount,
      sequences,
    });
  }
  for (const [id, lastState, lastSeen] of snapshot.workers) index.restoreWorker(id, lastState, lastSeen);
  index.stats = snapshot.stats;
  index.lastSeq = snapshot.lastSeq;
  index.indexedEvents = snapshot.indexedEvents;
  index.takeChanges();
  return { loaded: true, index };
}
