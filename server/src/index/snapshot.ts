import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { JobStats } from '../analytics/jobAnalytics';
import { JobIndex } from './jobIndex';
import { JOB_STATUSES } from './jobStatus';

const VERSION = 3;
const ALIGN = 8;

/** Which stream a snapshot describes: a recreated stream (new creation time) invalidates it. */
export interface StreamIdentity {
  name: string;
  created: string;
}

type ErrorEntry = [position: number, type: string | null, message: string | null, eventType: string, seq: number | null];

/** The strings and small parts, as JSON; the numbers follow it as binary columns (see `Columns`). */
interface Header {
  version: number;
  stream: StreamIdentity;
  lastSeq: number;
  indexedEvents: number;
  stats: JobStats;
  workers: [id: string, lastState: string | null, lastSeen: number][];
  /** Queue names, worker ids and event types, referred to by position (-1: none). */
  names: string[];
  jobs: number;
  sequences: number;
  ids: string[];
  lastMessage: (string | null)[];
  errors: ErrorEntry[];
}

/**
 * Jobs in order of activity, oldest first, one entry each; `sequences` holds every job's sequences
 * one job after another, `sequenceCount[i]` of them for job i. Written in the machine's byte order:
 * a snapshot never leaves the machine that wrote it.
 */
interface Columns {
  status: Uint8Array;
  queue: Int32Array;
  worker: Int32Array;
  lastType: Int32Array;
  attempts: Uint32Array;
  eventCount: Uint32Array;
  sequenceCount: Uint32Array;
  firstTime: Float64Array;
  lastTime: Float64Array;
  sequences: Float64Array;
}

const COLUMN_ORDER = ['status', 'queue', 'worker', 'lastType', 'attempts', 'eventCount', 'sequenceCount', 'firstTime', 'lastTime', 'sequences'] as const;

function emptyColumns(jobs: number, sequences: number): Columns {
  return {
    status: new Uint8Array(jobs),
    queue: new Int32Array(jobs),
    worker: new Int32Array(jobs),
    lastType: new Int32Array(jobs),
    attempts: new Uint32Array(jobs),
    eventCount: new Uint32Array(jobs),
    sequenceCount: new Uint32Array(jobs),
    firstTime: new Float64Array(jobs),
    lastTime: new Float64Array(jobs),
    sequences: new Float64Array(sequences),
  };
}

const padding = (length: number): number => (ALIGN - (length % ALIGN)) % ALIGN;

function capture(index: JobIndex, stream: StreamIdentity): { header: Header; columns: Columns } {
  const { table } = index;
  const jobs = table.size;
  const columns = emptyColumns(jobs, table.sequenceCount);
  const ids: string[] = [];
  const lastMessage: (string | null)[] = [];
  const errors: ErrorEntry[] = [];
  const nameNumber = (name: string | null): number => (name === null || name === '' ? -1 : table.names.id(name));
  let position = 0;
  let sequenceAt = 0;
  for (const slot of table.oldestFirst()) {
    const job = table.overview(slot);
    ids.push(job.jobId);
    lastMessage.push(job.lastMessage);
    if (job.lastError) errors.push([position, job.lastError.type, job.lastError.message, job.lastError.eventType, job.lastError.seq]);
    columns.status[position] = JOB_STATUSES.indexOf(job.status);
    columns.queue[position] = nameNumber(job.queue);
    columns.worker[position] = nameNumber(job.worker);
    columns.lastType[position] = nameNumber(job.lastEventType);
    columns.attempts[position] = job.attempts;
    columns.eventCount[position] = job.eventCount;
    columns.firstTime[position] = job.firstTime;
    columns.lastTime[position] = job.lastTime;
    const sequences = table.sequences(slot);
    columns.sequenceCount[position] = sequences.length;
    columns.sequences.set(sequences, sequenceAt);
    sequenceAt += sequences.length;
    position++;
  }
  const header: Header = {
    version: VERSION,
    stream,
    lastSeq: index.lastSeq,
    indexedEvents: index.indexedEvents,
    stats: index.stats,
    workers: [...index.allWorkers()].map((w) => [w.name, w.lastState, w.lastSeen]),
    names: [...table.names.all()],
    jobs,
    sequences: sequenceAt,
    ids,
    lastMessage,
    errors,
  };
  return { header, columns };
}

/** Writes the index next to the extension's other state; a crash mid-write leaves the previous file intact. */
export async function saveSnapshot(file: string, index: JobIndex, stream: StreamIdentity): Promise<void> {
  const { header, columns } = capture(index, stream);
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32LE(json.length);
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  const handle = await open(temporary, 'w');
  try {
    await handle.write(prefix);
    await handle.write(json);
    let written = 4 + json.length;
    for (const name of COLUMN_ORDER) {
      const gap = padding(written);
      if (gap > 0) await handle.write(Buffer.alloc(gap));
      const column = columns[name];
      await handle.write(new Uint8Array(column.buffer, column.byteOffset, column.byteLength));
      written += gap + column.byteLength;
    }
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  await rename(temporary, file);
}

export type LoadOutcome = { loaded: true; index: JobIndex } | { loaded: false; reason: string };

function readColumns(bytes: Buffer, start: number, jobs: number, sequences: number): Columns {
  const columns = emptyColumns(jobs, sequences);
  let at = start;
  for (const name of COLUMN_ORDER) {
    at += padding(at);
    const column = columns[name];
    if (at + column.byteLength > bytes.length) throw new Error(`the ${name} column is cut short`);
    // Copied rather than viewed: the file's bytes need not be aligned for the column's element size.
    new Uint8Array(column.buffer).set(bytes.subarray(at, at + column.byteLength));
    at += column.byteLength;
  }
  return columns;
}

function parse(bytes: Buffer): { header: Header; columns: Columns } {
  if (bytes.length < 4) throw new Error('no header');
  const headerLength = bytes.readUInt32LE(0);
  if (4 + headerLength > bytes.length) throw new Error('the header is cut short');
  const header = JSON.parse(bytes.toString('utf8', 4, 4 + headerLength)) as Header;
  if (header.version !== VERSION) return { header, columns: emptyColumns(0, 0) };
  return { header, columns: readColumns(bytes, 4 + headerLength, header.jobs, header.sequences) };
}

/** Loads a snapshot of the same stream; anything else (missing, another stream, corrupt) starts afresh. */
export async function loadSnapshot(file: string, stream: StreamIdentity, maxJobs?: number): Promise<LoadOutcome> {
  let header: Header;
  let columns: Columns;
  try {
    ({ header, columns } = parse(await readFile(file)));
  } catch (error) {
    return { loaded: false, reason: (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no snapshot yet' : `unreadable snapshot: ${(error as Error).message}` };
  }
  if (header.version !== VERSION) return { loaded: false, reason: `snapshot version ${header.version} is not ${VERSION}` };
  if (header.stream?.name !== stream.name || header.stream.created !== stream.created) {
    return { loaded: false, reason: 'the stream was recreated since the snapshot' };
  }
  const { names } = header;
  const name = (i: number): string | null => (i < 0 ? null : (names[i] ?? null));
  const errors = new Map(header.errors.map(([position, type, message, eventType, seq]) => [position, { type, message, eventType, seq }]));
  const index = new JobIndex(maxJobs);
  let sequenceAt = 0;
  for (let i = 0; i < header.jobs; i++) {
    const count = columns.sequenceCount[i] as number;
    index.restoreJob({
      jobId: header.ids[i] as string,
      status: JOB_STATUSES[columns.status[i] as number] ?? 'unknown',
      queue: name(columns.queue[i] as number),
      worker: name(columns.worker[i] as number),
      firstTime: columns.firstTime[i] as number,
      lastTime: columns.lastTime[i] as number,
      attempts: columns.attempts[i] as number,
      lastError: errors.get(i) ?? null,
      lastEventType: name(columns.lastType[i] as number) ?? '',
      lastMessage: header.lastMessage[i] ?? null,
      eventCount: columns.eventCount[i] as number,
      sequences: columns.sequences.subarray(sequenceAt, sequenceAt + count),
    });
    sequenceAt += count;
  }
  for (const [id, lastState, lastSeen] of header.workers) index.restoreWorker(id, lastState, lastSeen);
  index.stats = header.stats;
  index.lastSeq = header.lastSeq;
  index.indexedEvents = header.indexedEvents;
  index.takeChanges();
  return { loaded: true, index };
}
