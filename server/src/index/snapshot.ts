import { createHash } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { columnOf, JOB_COLUMNS, NumberColumn, StoredColumnName, StoredColumns } from './jobColumns';
import { JobIndex } from './jobIndex';
import { IdPool } from './idPool';
import { ERROR_FIELDS, ErrorTable } from './jobErrors';
import { JOB_STATUSES } from './jobStatus';
import type { TableImage } from './jobTable';
import { SequenceLists } from './sequenceLists';
import { CHECKSUM, CHECKSUM_BYTES, checksumHolds } from './snapshotChecksum';

const VERSION = 14;
const ALIGN = 8;

/** Which stream a snapshot describes: a recreated stream (new creation time) invalidates it. */
export interface StreamIdentity {
  name: string;
  created: string;
}

/** The error fields at `i` of a table's entries: position, type, message, event type, sequence. */
function errorAt(entries: Float64Array, i: number): [number, number, number, number, number] {
  return [entries[i] as number, entries[i + 1] as number, entries[i + 2] as number, entries[i + 3] as number, entries[i + 4] as number];
}

function checkErrors({ texts, entries }: ErrorTable, jobs: number): void {
  const seen = new Uint8Array(jobs);
  for (let i = 0; i < entries.length; i += ERROR_FIELDS) {
    const [position, type, message, eventType, seq] = errorAt(entries, i);
    if (!(Number.isInteger(position) && position >= 0 && position < jobs)) throw new Error('an error of no job');
    if (seen[position] === 1) throw new Error(`two errors of the job at position ${position}`);
    seen[position] = 1;
    if (![type, message, eventType].every((n) => Number.isInteger(n) && n >= -1 && n < texts.length) || eventType < 0) throw new Error('an error text number out of range');
    if (!(Number.isInteger(seq) && seq >= 0)) throw new Error('an error sequence that is not a sequence');
  }
}

/**
 * The strings and small parts, as JSON. The table's numbers follow it as binary columns, in the machine's
 * byte order (a snapshot never leaves the machine that wrote it), the jobs' last errors' numbers after the
 * sequences, then the handlers' states, then the job ids as the id pool keeps them (see `IdPool`) up to the
 * checksum: a column of how each is kept, then their bytes one after another, read straight into the pool's
 * pages. As one JSON array, 2,000,000 ids took 130 ms to parse and made 2,000,000 strings for the collector.
 */
interface Header {
  version: number;
  stream: StreamIdentity;
  lastSeq: number;
  indexedEvents: number;
  workers: [id: string, lastState: string | null, lastSeen: number][];
  names: string[];
  messages: string[];
  jobs: number;
  sequences: number;
  /** What the loaded sequence pool counts offsets from (see `SequenceLists.offsetBase`). */
  sequenceBase: number;
  /** Whether the sequences column holds whole sequences, 8 bytes each, rather than 4-byte offsets from `sequenceBase`. */
  wideSequences: boolean;
  idBuckets: number;
  /** Ids kept as strings rather than bytes: [position, id]. */
  wideIds: [position: number, id: string][];
  /** The texts of the jobs' last errors (see `ErrorTable`); their numbers are a binary column after the sequences. */
  errorTexts: string[];
  /** Jobs with an error: the error column holds `ERROR_FIELDS` numbers for each. */
  errors: number;
  /** Jobs' earlier workers: [position, name numbers]. */
  pastWorkers: [position: number, workers: number[]][];
  /** Jobs whose rows still count events gone from the stream, to be built again. */
  stale: string[];
  /** The job limit the index kept to: a snapshot made under another is built again. */
  maxJobs: number;
  /** The newest sequences of the jobs let go at that limit (see `LeftOutJobs`). */
  leftOut: number[];
  /** The stream handlers' own states (see `StreamHandler.saveState`), by name and length, after the columns in this order. */
  states: [name: string, bytes: number][];
}

/** The binary columns in the order `JOB_COLUMNS` lists them: changing that list changes the format (bump VERSION). */
const COLUMN_ORDER = JOB_COLUMNS.map((column) => column.name);
const STORED_COLUMNS = COLUMN_ORDER.filter((name): name is StoredColumnName => name !== 'sequences');

let saves = 0;

const padding = (length: number): number => (ALIGN - (length % ALIGN)) % ALIGN;
const bytesOf = (column: ArrayBufferView): Uint8Array => new Uint8Array(column.buffer, column.byteOffset, column.byteLength);

/** Appends to a file and to its checksum, counting what it wrote (for the alignment of the next column). */
class ChecksummedWriter {
  private readonly checksum = createHash(CHECKSUM);
  written = 0;

  constructor(private readonly fd: number) {}

  write(bytes: Uint8Array): void {
    this.checksum.update(bytes);
    for (let at = 0; at < bytes.length; ) at += writeSync(this.fd, bytes, at, bytes.length - at);
    this.written += bytes.length;
  }

  align(): void {
    const gap = padding(this.written);
    if (gap > 0) this.write(new Uint8Array(gap));
  }

  end(): void {
    const digest = this.checksum.digest();
    for (let at = 0; at < digest.length; ) at += writeSync(this.fd, digest, at, digest.length - at);
  }
}

/**
 * Writes the index, and `states` (the stream handlers', taken at the same point of the stream), next to the
 * extension's other state; a crash mid-write leaves the previous file intact. Synchronous from the first read
 * of the index to the last byte: the table is read in place, so it must not change meanwhile.
 */
export async function saveSnapshot(file: string, index: JobIndex, stream: StreamIdentity, states: ReadonlyMap<string, Uint8Array> = new Map()): Promise<void> {
  const view = index.table.view();
  const header: Header = {
    version: VERSION,
    stream,
    lastSeq: index.lastSeq,
    indexedEvents: index.indexedEvents,
    workers: [...index.allWorkers()].map((w) => [w.name, w.lastState, w.lastSeen]),
    names: view.names,
    messages: view.messages,
    jobs: view.jobs,
    sequences: view.sequences,
    sequenceBase: view.sequenceBase,
    wideSequences: view.wideSequences,
    idBuckets: view.idBuckets,
    wideIds: [...view.wideIds],
    errorTexts: view.errors.texts,
    errors: view.errors.entries.length / ERROR_FIELDS,
    pastWorkers: [...view.pastWorkers],
    stale: index.staleIds(),
    maxJobs: index.maxJobs,
    leftOut: index.leftOutSequences(),
    states: [...states].map(([name, state]) => [name, state.byteLength]),
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32LE(json.length);
  mkdirSync(dirname(file), { recursive: true });
  // One temporary file per save: two saves at once must not write into the same one.
  const temporary = `${file}.${process.pid}.${++saves}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    const out = new ChecksummedWriter(fd);
    out.write(prefix);
    out.write(json);
    for (const name of COLUMN_ORDER) {
      out.align();
      for (const slice of view.column(name)) out.write(bytesOf(slice));
    }
    out.align();
    out.write(bytesOf(view.errors.entries));
    for (const state of states.values()) {
      out.align();
      out.write(state);
    }
    out.align();
    for (const slice of view.idLengths()) out.write(bytesOf(slice));
    for (const slice of view.idBytes()) out.write(slice);
    out.end();
  } catch (error) {
    closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  closeSync(fd);
  await rename(temporary, file);
}

export type LoadOutcome = { loaded: true; index: JobIndex; states: Map<string, Uint8Array> } | { loaded: false; reason: string };

/** Reads a file from its start up to the checksum that ends it (which `checksumHolds` verifies meanwhile). */
class SnapshotReader {
  private at = 0;
  private readonly end: number;

  constructor(
    private readonly fd: number,
    size: number,
  ) {
    if (size < CHECKSUM_BYTES) throw new Error('no checksum');
    this.end = size - CHECKSUM_BYTES;
  }

  /** What is left before the checksum. */
  get left(): number {
    return this.end - this.at;
  }

  /** Throws unless `bytes` more are left: checked before making room for them, so a garbled length makes nothing. */
  expect(bytes: number, what: string): void {
    if (!(bytes <= this.left)) throw new Error(`${what} is cut short`);
  }

  /** The next `bytes` bytes, in a buffer of their own. */
  take(bytes: number, what: string): Buffer {
    this.expect(bytes, what);
    const into = Buffer.alloc(bytes);
    this.read(into, what);
    return into;
  }

  /** Fills `into` with the next bytes; `what` names them when the file ends first. */
  read(into: Uint8Array, what: string): void {
    this.expect(into.length, what);
    for (let filled = 0; filled < into.length; ) {
      const got = readSync(this.fd, into, filled, into.length - filled, this.at + filled);
      if (got === 0) throw new Error(`${what} is cut short`);
      filled += got;
    }
    this.at += into.length;
  }

  align(what: string): void {
    const gap = padding(this.at);
    if (gap > 0) this.read(new Uint8Array(gap), what);
  }

  /** Throws unless everything before the checksum was read. */
  finish(): void {
    if (this.left !== 0) throw new Error(`${this.left} bytes after the job ids`);
  }
}

class ChecksumError extends Error {
  constructor() {
    super('the checksum does not verify (the file was changed or cut short)');
  }
}

/** A snapshot that does not add up is refused whole: the index is then rebuilt from the stream. */
function check(header: Header, c: StoredColumns): void {
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
  for (let i = 0; i < c.status.length; i++) {
    if ((c.status[i] as number) >= JOB_STATUSES.length) throw new Error('a status number out of range');
  }
  for (const [position, workers] of header.pastWorkers) {
    if (!(position >= 0 && position < header.jobs)) throw new Error('an earlier worker of no job');
    if (!workers.every((n) => Number.isInteger(n) && n >= 0 && n < header.names.length)) throw new Error('a worker number out of range');
  }
  if (!(Array.isArray(header.stale) && header.stale.every((id) => typeof id === 'string'))) throw new Error('stale jobs that are not job ids');
  if (!Number.isInteger(header.maxJobs) || header.maxJobs < header.jobs) throw new Error('a job limit below the jobs it holds');
  if (!(Array.isArray(header.leftOut) && header.leftOut.every((seq) => Number.isInteger(seq) && seq > 0))) throw new Error('jobs left out that are not sequences');
}

function checkSizes(header: Header): void {
  for (const field of ['jobs', 'sequences', 'idBuckets', 'errors'] as const) {
    if (!(Number.isInteger(header[field]) && header[field] >= 0)) throw new Error(`the header's ${field} is not a count`);
  }
  if (!Number.isFinite(header.sequenceBase)) throw new Error("the header's sequenceBase is not a number");
  if (typeof header.wideSequences !== 'boolean') throw new Error("the header's wideSequences is not true or false");
  if (!Array.isArray(header.states)) throw new Error('no list of handler states');
  if (!(Array.isArray(header.errorTexts) && header.errorTexts.every((t) => typeof t === 'string'))) throw new Error('error texts that are not strings');
}

/** The job ids: how each is kept, then their bytes (see `Header`). */
function readIds(reader: SnapshotReader, header: Header): IdPool {
  const { jobs, wideIds } = header;
  if (!(Array.isArray(wideIds) && wideIds.every((entry) => Array.isArray(entry) && Number.isInteger(entry[0]) && typeof entry[1] === 'string'))) throw new Error('ids kept apart that are not [position, id]');
  reader.align('the job id column');
  reader.expect(jobs * Uint16Array.BYTES_PER_ELEMENT, 'the job id column');
  const lengths = new Uint16Array(jobs);
  reader.read(bytesOf(lengths), 'the job id column');
  const ids = new IdPool();
  ids.load(lengths, new Map(wideIds), (into) => reader.read(into, 'the job id text'));
  return ids;
}

interface Parsed {
  header: Header;
  image?: TableImage;
  states: Map<string, Uint8Array>;
  /** Why the header alone rules the snapshot out here (see `parse`). */
  refused?: string;
}

/** Everything after the header, read into its own arrays: the file is never held whole. */
function readBody(reader: SnapshotReader, header: Header): Parsed {
  checkSizes(header);
  const lengths = { jobs: header.jobs, idBuckets: header.idBuckets };
  const columns: Partial<Record<StoredColumnName, NumberColumn>> = {};
  for (const name of STORED_COLUMNS) {
    reader.align(`the ${name} column`);
    const descriptor = JOB_COLUMNS.find((d) => d.name === name) as (typeof JOB_COLUMNS)[number] & { length: 'jobs' | 'idBuckets' };
    const length = lengths[descriptor.length];
    reader.expect(length * descriptor.type.BYTES_PER_ELEMENT, `the ${name} column`);
    const column = columnOf(name, length);
    reader.read(bytesOf(column), `the ${name} column`);
    columns[name] = column;
  }
  const stored = columns as StoredColumns;
  let counted = 0;
  for (const count of stored.sequenceCount) counted += count;
  if (counted !== header.sequences) throw new Error(`the jobs count ${counted} sequences, the file holds ${header.sequences}`);
  reader.align('the sequences column');
  reader.expect(header.sequences * (header.wideSequences ? 8 : 4), 'the sequences column');
  const sequences = new SequenceLists();
  sequences.load(stored.sequenceCount, header.sequenceBase, header.wideSequences, (into) => reader.read(bytesOf(into), 'the sequences column'));
  reader.align('the error column');
  reader.expect(header.errors * ERROR_FIELDS * Float64Array.BYTES_PER_ELEMENT, 'the error column');
  const errors: ErrorTable = { texts: header.errorTexts, entries: new Float64Array(header.errors * ERROR_FIELDS) };
  reader.read(bytesOf(errors.entries), 'the error column');
  checkErrors(errors, header.jobs);
  const states = new Map<string, Uint8Array>();
  for (const entry of header.states) {
    const [name, length] = Array.isArray(entry) ? entry : [];
    if (typeof name !== 'string' || !(Number.isInteger(length) && (length as number) >= 0)) throw new Error(`a handler state entry ${JSON.stringify(entry)} is not [name, bytes]`);
    reader.align(`the state of ${name}`);
    states.set(name, reader.take(length as number, `the state of ${name}`));
  }
  const ids = readIds(reader, header);
  reader.finish();
  check(header, stored);
  const image: TableImage = { names: header.names, messages: header.messages, ids, errors, pastWorkers: new Map(header.pastWorkers), columns: stored, sequences };
  return { header, image, states };
}

/**
 * Reads a snapshot unless `refuse` rules it out by its header (another stream, another job limit): the rest
 * of such a file is not read into arrays and checked. The checksum is verified meanwhile on another thread,
 * and its verdict comes first: a file changed since it was written says so, rather than what the change
 * broke, and a header changed since then is not taken at its word.
 */
async function parse(file: string, refuse: (header: Header) => string | undefined): Promise<Parsed> {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const verdict = checksumHolds(fd, size);
    let parsed: Parsed | undefined;
    let failure: unknown;
    try {
      parsed = readFile(new SnapshotReader(fd, size), refuse);
    } catch (error) {
      failure = error;
    }
    if (!(await verdict)) throw new ChecksumError();
    if (parsed === undefined) throw failure;
    return parsed;
  } finally {
    closeSync(fd);
  }
}

function readFile(reader: SnapshotReader, refuse: (header: Header) => string | undefined): Parsed {
  const json = reader.take(reader.take(4, 'the header').readUInt32LE(0), 'the header');
  const header = JSON.parse(json.toString('utf8')) as Header;
  // Another version is refused by its number, whatever else it holds.
  if (header.version !== VERSION) return { header, states: new Map() };
  const refused = refuse(header);
  if (refused === undefined) return readBody(reader, header);
  return { header, states: new Map(), refused };
}

/** Loads a snapshot of the same stream; anything else (missing, another stream, corrupt) starts afresh. */
export async function loadSnapshot(file: string, stream: StreamIdentity, maxJobs?: number): Promise<LoadOutcome> {
  const index = new JobIndex(maxJobs);
  const refuse = (header: Header): string | undefined => {
    if (header.stream?.name !== stream.name || header.stream.created !== stream.created) return 'the stream was recreated since the snapshot';
    if (header.maxJobs !== index.maxJobs) return `the index's job limit is now ${index.maxJobs}, not ${header.maxJobs}`;
    return undefined;
  };
  let parsed: Parsed;
  try {
    parsed = await parse(file, refuse);
  } catch (error) {
    return { loaded: false, reason: (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no snapshot yet' : `unreadable snapshot: ${(error as Error).message}` };
  }
  const { header, image, states, refused } = parsed;
  if (refused !== undefined) return { loaded: false, reason: refused };
  if (header.version !== VERSION || !image) return { loaded: false, reason: `snapshot version ${header.version} is not ${VERSION}` };
  try {
    index.restoreJobs(image);
  } catch (error) {
    return { loaded: false, reason: `unreadable snapshot: ${(error as Error).message}` };
  }
  for (const [id, lastState, lastSeen] of header.workers) index.restoreWorker(id, lastState, lastSeen);
  index.markStale(header.stale);
  index.restoreLeftOut(header.leftOut);
  index.lastSeq = header.lastSeq;
  index.indexedEvents = header.indexedEvents;
  // One reset, as at the end of a build: followers of the index (the failures) learn of every restored job,
  // which no per-job change would name until that job moves again.
  index.announceReset();
  return { loaded: true, index, states };
}
