import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { JobStats } from '../analytics/jobAnalytics';
import { JobIndex } from './jobIndex';
import { isJobStatus } from './jobStatus';
import type { JobError } from './jobSummary';

const VERSION = 2;

/** Which stream a snapshot describes: a recreated stream (new creation time) invalidates it. */
export interface StreamIdentity {
  name: string;
  created: string;
}

/**
 * Columns rather than one record per job: flat arrays of numbers and strings parse several times
 * faster than as many small arrays, and a restart has to read this within a second.
 */
interface JobColumns {
  ids: string[];
  status: string[];
  /** Index into `names`, or -1. */
  queue: number[];
  worker: number[];
  firstTime: number[];
  lastTime: number[];
  attempts: number[];
  lastEventType: string[];
  lastMessage: (string | null)[];
  eventCount: number[];
  /** How many sequences each job has, and all of them one job after another. */
  sequenceCounts: number[];
  sequences: number[];
  /** Jobs that have an error, by position, and the errors. */
  errorAt: number[];
  errors: JobError[];
}

interface SnapshotFile {
  version: number;
  stream: StreamIdentity;
  lastSeq: number;
  indexedEvents: number;
  stats: JobStats;
  names: string[];
  jobs: JobColumns;
  workers: [id: string, lastState: string | null, lastSeen: number][];
}

function columns(index: JobIndex, names: string[]): JobColumns {
  const nameIndex = new Map<string, number>();
  const nameOf = (name: string | null): number => {
    if (name === null) return -1;
    let i = nameIndex.get(name);
    if (i === undefined) {
      i = names.length;
      names.push(name);
      nameIndex.set(name, i);
    }
    return i;
  };
  const c: JobColumns = {
    ids: [], status: [], queue: [], worker: [], firstTime: [], lastTime: [], attempts: [], lastEventType: [],
    lastMessage: [], eventCount: [], sequenceCounts: [], sequences: [], errorAt: [], errors: [],
  };
  let position = 0;
  for (const job of index.allJobs()) {
    c.ids.push(job.jobId);
    c.status.push(job.status);
    c.queue.push(nameOf(job.queue));
    c.worker.push(nameOf(job.worker));
    c.firstTime.push(job.firstTime);
    c.lastTime.push(job.lastTime);
    c.attempts.push(job.attempts);
    c.lastEventType.push(job.lastEventType);
    c.lastMessage.push(job.lastMessage);
    c.eventCount.push(job.eventCount);
    c.sequenceCounts.push(job.sequences.length);
    for (const seq of job.sequences) c.sequences.push(seq);
    if (job.lastError) {
      c.errorAt.push(position);
      c.errors.push(job.lastError);
    }
    position++;
  }
  return c;
}

/** Writes the index next to the extension's other state; a crash mid-write leaves the previous file intact. */
export async function saveSnapshot(file: string, index: JobIndex, stream: StreamIdentity): Promise<void> {
  const names: string[] = [];
  const jobs = columns(index, names);
  const snapshot: SnapshotFile = {
    version: VERSION,
    stream,
    lastSeq: index.lastSeq,
    indexedEvents: index.indexedEvents,
    stats: index.stats,
    names,
    jobs,
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
  const { names, jobs: c } = snapshot;
  const index = new JobIndex(maxJobs);
  const errors = new Map<number, JobError>(c.errorAt.map((at, i) => [at, c.errors[i] as JobError]));
  let offset = 0;
  for (let i = 0; i < c.ids.length; i++) {
    const count = c.sequenceCounts[i] as number;
    const status = c.status[i] as string;
    const queue = c.queue[i] as number;
    const worker = c.worker[i] as number;
    index.restoreJob({
      jobId: c.ids[i] as string,
      status: isJobStatus(status) ? status : 'unknown',
      queue: queue < 0 ? null : (names[queue] as string),
      worker: worker < 0 ? null : (names[worker] as string),
      firstTime: c.firstTime[i] as number,
      lastTime: c.lastTime[i] as number,
      attempts: c.attempts[i] as number,
      lastError: errors.get(i) ?? null,
      lastEventType: c.lastEventType[i] as string,
      lastMessage: c.lastMessage[i] ?? null,
      eventCount: c.eventCount[i] as number,
      sequences: c.sequences.slice(offset, offset + count),
    });
    offset += count;
  }
  for (const [id, lastState, lastSeen] of snapshot.workers) index.restoreWorker(id, lastState, lastSeen);
  index.stats = snapshot.stats;
  index.lastSeq = snapshot.lastSeq;
  index.indexedEvents = snapshot.indexedEvents;
  index.takeChanges();
  return { loaded: true, index };
}
