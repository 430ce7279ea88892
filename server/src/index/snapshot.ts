import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { JobIndex } from './jobIndex';
import { JOB_STATUSES } from './jobStatus';
import type { JobError } from './jobSummary';
import { emptyColumns, JOB_COLUMNS, TableColumns } from './jobColumns';

const VERSION = 10;
const ALIGN = 8;
/** A SHA-256 of everything before it ends the file: one flipped bit anywhere refuses the whole snapshot. */
const CHECKSUM = 'sha256';
const CHECKSUM_BYTES = 32;

/** Which stream a snapshot describes: a recreated stream (new creation time) invalidates it. */
export interface StreamIdentity {
  name: string;
  created: string;
}

/**
 * Jobs' last errors as a table of their distinct texts and one flat list of numbers, `ERROR_FIELDS` per error:
 * position, type, message and event type as text numbers (-1: none), sequence (0: none). An array per error made
 * 100,000 small arrays at every save of a stream with 100,000 failures, and their JSON repeated each message.
 */
interface ErrorTable {
  texts: string[];
  entries: number[];
}

const ERROR_FIELDS = 5;

function errorTable(errors: ReadonlyMap<number, JobError>): ErrorTable {
  const texts: string[] = [];
  const numbers = new Map<string, number>();
  const number = (text: string | null): number => {
    if (text === null) return -1;
    let n = numbers.get(text);
    if (n === undefined) {
      n = texts.push(text) - 1;
      numbers.set(text, n);
    }
    return n;
  };
  const entries: number[] = [];
  for (const [position, e] of errors) entries.push(position, number(e.type), number(e.message), number(e.eventType), e.seq ?? 0);
  return { texts, entries };
}

/** The error fields at `i` of a table's entries: position, type, message, event type, sequence. */
function errorAt(entries: readonly number[], i: number): [number, number, number, number, number] {
  return [entries[i] as number, entries[i + 1] as number, entries[i + 2] as number, entries[i + 3] as number, entries[i + 4] as number];
}

function errorsOf({ texts, entries }: ErrorTable): Map<number, JobError> {
  const text = (n: number): string | null => (n < 0 ? null : (texts[n] as string));
  const errors = new Map<number, JobError>();
  for (let i = 0; i < entries.length; i += ERROR_FIELDS) {
    const [position, type, message, eventType, seq] = errorAt(entries, i);
    errors.set(position, { type: text(type), message: text(message), eventType: texts[eventType] as string, seq: seq || null });
  }
  return errors;
}

function checkErrors(errors: ErrorTable | undefined, jobs: number): void {
  const { texts, entries } = errors ?? {};
  if (!Array.isArray(texts) || !texts.every((t) => typeof t === 'string') || !Array.isArray(entries) || entries.length % ERROR_FIELDS !== 0) throw new Error('an unreadable table of errors');
  for (let i = 0; i < entries.length; i += ERROR_FIELDS) {
    const [position, type, message, eventType, seq] = errorAt(entries, i);
    if (!(Number.isInteger(position) && position >= 0 && position < jobs)) throw new Error('an error of no job');
    if (![type, message, eventType].every((n) => Number.isInteger(n) && n >= -1 && n < texts.length) || eventType < 0) throw new Error('an error text number out of range');
    if (!(Number.isInteger(seq) && seq >= 0)) throw new Error('an error sequence that is not a sequence');
  }
}

/**
 * The strings and small parts, as JSON; the table's numbers follow it as binary columns, in the
 * machine's byte order (a snapshot never leaves the machine that wrote it).
 */
interface Header {
  version: number;
  stream: StreamIdentity;
  lastSeq: number;
  indexedEvents: number;
  workers: [id: string, lastState: string | null, lastSeen: number][];
  names: string[];
  messages: string[];
  ids: string[];
  sequences: number;
  idBuckets: number;
  errors: ErrorTable;
  /** Jobs' earlier workers: [position, name numbers]. */
  pastWorkers: [position: number, workers: number[]][];
  /** Jobs whose rows still count events gone from the stream, to be built again (absent in older files). */
  stale?: string[];
  /** The job limit the index kept to: a snapshot made under another is built again. */
  maxJobs: number;
  /** The newest sequences of the jobs let go at that limit (see `LeftOutJobs`). */
  leftOut: number[];
  /** The stream handlers' own states (see `StreamHandler.saveState`), by name and length, after the columns in this order. */
  states: [name: string, bytes: number][];
}

/** The binary columns in the order `JOB_COLUMNS` lists them: changing that list changes the format (bump VERSION). */
const COLUMN_ORDER = JOB_COLUMNS.map((column) => column.name);

let saves = 0;

const padding = (length: number): number => (ALIGN - (length % ALIGN)) % ALIGN;

/**
 * Writes the index, and `states` (the stream handlers', taken at the same point of the stream), next to the
 * extension's other state; a crash mid-write leaves the previous file intact.
 */
export async function saveSnapshot(file: string, index: JobIndex, stream: StreamIdentity, states: ReadonlyMap<string, Uint8Array> = new Map()): Promise<void> {
  const image = index.table.image();
  const header: Header = {
    version: VERSION,
    stream,
    lastSeq: index.lastSeq,
    indexedEvents: index.indexedEvents,
    workers: [...index.allWorkers()].map((w) => [w.name, w.lastState, w.lastSeen]),
    names: image.names,
    messages: image.messages,
    ids: image.ids,
    sequences: image.columns.sequences.length,
    idBuckets: image.columns.idTable.length,
    errors: errorTable(image.errors),
    pastWorkers: [...image.pastWorkers],
    stale: index.staleIds(),
    maxJobs: index.maxJobs,
    leftOut: index.leftOutSequences(),
    states: [...states].map(([name, state]) => [name, state.byteLength]),
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32LE(json.length);
  await mkdir(dirname(file), { recursive: true });
  // One temporary file per save: two saves at once must not write into the same one.
  const temporary = `${file}.${process.pid}.${++saves}.tmp`;
  const handle = await open(temporary, 'w');
  const checksum = createHash(CHECKSUM);
  const write = async (bytes: Uint8Array): Promise<void> => {
    checksum.update(bytes);
    await handle.write(bytes);
  };
  try {
    await write(prefix);
    await write(json);
    let written = 4 + json.length;
    for (const name of COLUMN_ORDER) {
      const gap = padding(written);
      if (gap > 0) await write(Buffer.alloc(gap));
      const column = image.columns[name];
      await write(new Uint8Array(column.buffer, column.byteOffset, column.byteLength));
      written += gap + column.byteLength;
    }
    for (const state of states.values()) {
      const gap = padding(written);
      if (gap > 0) await write(Buffer.alloc(gap));
      await write(state);
      written += gap + state.byteLength;
    }
    await handle.write(checksum.digest());
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  await rename(temporary, file);
}

export type LoadOutcome = { loaded: true; index: JobIndex; states: Map<string, Uint8Array> } | { loaded: false; reason: string };

/** The table's columns, then the handlers' states (views of `bytes`: their readers copy what they keep). */
function readColumns(bytes: Buffer, start: number, header: Header): { columns: TableColumns; states: Map<string, Uint8Array> } {
  const columns = emptyColumns(header.ids.length, header.sequences, header.idBuckets);
  let at = start;
  for (const name of COLUMN_ORDER) {
    at += padding(at);
    const column = columns[name];
    if (at + column.byteLength > bytes.length) throw new Error(`the ${name} column is cut short`);
    // Copied rather than viewed: the file's bytes need not be aligned for the column's element size.
    new Uint8Array(column.buffer).set(bytes.subarray(at, at + column.byteLength));
    at += column.byteLength;
  }
  const states = new Map<string, Uint8Array>();
  if (!Array.isArray(header.states)) throw new Error('no list of handler states');
  for (const entry of header.states) {
    const [name, length] = Array.isArray(entry) ? entry : [];
    if (typeof name !== 'string' || !(Number.isInteger(length) && (length as number) >= 0)) throw new Error(`a handler state entry ${JSON.stringify(entry)} is not [name, bytes]`);
    at += padding(at);
    if (at + (length as number) > bytes.length) throw new Error(`the state of ${name} is cut short`);
    states.set(name, bytes.subarray(at, at + (length as number)));
    at += length as number;
  }
  return { columns, states };
}

/** A snapshot that does not add up is refused whole: the index is then rebuilt from the stream. */
function check(header: Header, c: TableColumns): void {
  const inRange = (column: Int32Array, size: number, what: string): void => {
    for (let i = 0; i < column.length; i++) {
      const n = column[i] as number;
      if (n < -1 || n >= size) throw new Error(`a ${what} number out of range`);
    }
  };
  inRange(c.queue, header.names.length, 'queue');
  inRange(c.worker, header.names.length, 'worker');
  inRange(c.lastType, header.names.length, 'event type');
  inRange(c.message, header.messages.length, 'message');
  let sequences = 0;
  for (let i = 0; i < c.status.length; i++) {
    if ((c.status[i] as number) >= JOB_STATUSES.length) throw new Error('a status number out of range');
    sequences += c.sequenceCount[i] as number;
  }
  if (sequences !== c.sequences.length) throw new Error(`the jobs count ${sequences} sequences, the file holds ${c.sequences.length}`);
  checkErrors(header.errors, header.ids.length);
  for (const [position, workers] of header.pastWorkers) {
    if (!(position >= 0 && position < header.ids.length)) throw new Error('an earlier worker of no job');
    if (!workers.every((n) => Number.isInteger(n) && n >= 0 && n < header.names.length)) throw new Error('a worker number out of range');
  }
  if (header.stale !== undefined && !(Array.isArray(header.stale) && header.stale.every((id) => typeof id === 'string'))) throw new Error('stale jobs that are not job ids');
  if (!Number.isInteger(header.maxJobs) || header.maxJobs < header.ids.length) throw new Error('a job limit below the jobs it holds');
  if (!(Array.isArray(header.leftOut) && header.leftOut.every((seq) => Number.isInteger(seq) && seq > 0))) throw new Error('jobs left out that are not sequences');
}

function verified(file: Buffer): Buffer {
  if (file.length < CHECKSUM_BYTES) throw new Error('no checksum');
  const body = file.subarray(0, file.length - CHECKSUM_BYTES);
  if (!createHash(CHECKSUM).update(body).digest().equals(file.subarray(body.length))) throw new Error('the checksum does not verify (the file was changed or cut short)');
  return body;
}

function parse(file: Buffer): { header: Header; columns: TableColumns; states: Map<string, Uint8Array> } {
  const bytes = verified(file);
  if (bytes.length < 4) throw new Error('no header');
  const headerLength = bytes.readUInt32LE(0);
  if (4 + headerLength > bytes.length) throw new Error('the header is cut short');
  const header = JSON.parse(bytes.toString('utf8', 4, 4 + headerLength)) as Header;
  if (header.version !== VERSION) return { header, columns: emptyColumns(0, 0, 0), states: new Map() };
  const { columns, states } = readColumns(bytes, 4 + headerLength, header);
  check(header, columns);
  return { header, columns, states };
}

/** Loads a snapshot of the same stream; anything else (missing, another stream, corrupt) starts afresh. */
export async function loadSnapshot(file: string, stream: StreamIdentity, maxJobs?: number): Promise<LoadOutcome> {
  let header: Header;
  let columns: TableColumns;
  let states: Map<string, Uint8Array>;
  try {
    ({ header, columns, states } = parse(await readFile(file)));
  } catch (error) {
    return { loaded: false, reason: (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no snapshot yet' : `unreadable snapshot: ${(error as Error).message}` };
  }
  if (header.version !== VERSION) return { loaded: false, reason: `snapshot version ${header.version} is not ${VERSION}` };
  if (header.stream?.name !== stream.name || header.stream.created !== stream.created) {
    return { loaded: false, reason: 'the stream was recreated since the snapshot' };
  }
  const index = new JobIndex(maxJobs);
  if (header.maxJobs !== index.maxJobs) return { loaded: false, reason: `the index's job limit is now ${index.maxJobs}, not ${header.maxJobs}` };
  const errors = errorsOf(header.errors);
  try {
    index.restoreJobs({ names: header.names, messages: header.messages, ids: header.ids, errors, pastWorkers: new Map(header.pastWorkers), columns });
  } catch (error) {
    return { loaded: false, reason: `unreadable snapshot: ${(error as Error).message}` };
  }
  for (const [id, lastState, lastSeen] of header.workers) index.restoreWorker(id, lastState, lastSeen);
  index.markStale(header.stale ?? []);
  index.restoreLeftOut(header.leftOut);
  index.lastSeq = header.lastSeq;
  index.indexedEvents = header.indexedEvents;
  // One reset, as at the end of a build: followers of the index (the failures) learn of every restored job,
  // which no per-job change would name until that job moves again.
  index.announceReset();
  return { loaded: true, index, states };
}
