/**
 * The failures the stream holds, one per job (its latest failed or timed-out event), grouped by signature and
 * by raise site. Fed incrementally: `put` when a failure is known, `remove` when its job's events are gone.
 *
 * Compact because it holds every failure of the stream (100,000 on the 1M-event benchmark, 200,000 at 10M): failures
 * of one code path share one frame list and its placement in the workspace, queue, worker and type names are
 * shared, and each failure keeps only what differs (job, sequence, time, message), in a row of columns rather than
 * an object, its signature's failures linked through the rows rather than in a set. Shared entries go with their
 * last failure.
 */
import { createHash } from 'node:crypto';
import { BlockReader } from '../util/blockReader';
import { BlockWriter } from '../util/blockWriter';
import { grown } from '../index/jobColumns';
import { MessageCache } from '../index/messageCache';
import { Interner, ownCopy, StringPool } from './interner';
import type { PathMapper, MappedFrame } from './pathMapper';
import { signatureOf, signatureOfNormalised, type SignatureKey } from './signature';
import { exceptionType, type RaisedTraceback, type TracebackFrame } from './traceback';
import type { FailedCall } from './failedJobsStream';
import type { TracebackOrigin } from './tracebackSources';

/** The layout of `saveState`'s block: a change to it bumps this, and an older block is refused. */
const STATE_FORMAT = 2;
/** A failure's origin as the state block numbers it (0: no traceback was found). */
const ORIGINS: readonly (TracebackOrigin | undefined)[] = [undefined, 'details', 'result', 'failed-jobs'];

export interface FailureRecord {
  readonly jobId: string;
  /** Stream sequence of the failed event. */
  readonly seq: number;
  /** Epoch seconds of the failed event. */
  readonly time: number;
  readonly queue: string | null;
  readonly worker: string | null;
  /** The event's `error_type` and `error_message` as stored. */
  readonly errorType: string | null;
  readonly errorMessage: string | null;
  readonly traceback?: RaisedTraceback;
  readonly origin?: TracebackOrigin;
  /** The function and argument reprs, from NAQ's failed-jobs stream. */
  readonly call?: FailedCall;
}

/**
 * A traceback kept until its failure is known (NAQ's failed-jobs stream holds one per job), as compactly as the
 * store keeps its failures: the frame list is the store's shared one for that code path, the type name pooled.
 */
export interface HeldTraceback extends RaisedTraceback {
  readonly raised: { readonly type: string; readonly message: string; readonly frames: readonly TracebackFrame[] };
}

/** Where a code path's frames land in the workspace: shared by every failure that took that path. */
export interface FailureShape {
  /** The raised block's frames, outermost first; empty when the failure has no traceback. */
  readonly frames: readonly TracebackFrame[];
  /** The innermost frame that maps into the workspace, and the mapped frames that called it (outermost first). */
  readonly site?: MappedFrame;
  readonly siteFrame?: TracebackFrame;
  readonly callers: readonly { readonly at: MappedFrame; readonly function?: string }[];
}

/** A failure as the features show it: its job, type, message, signature and where it lands in the workspace. */
export interface PlacedFailure extends FailureShape {
  readonly jobId: string;
  readonly seq: number;
  readonly time: number;
  readonly queue: string | null;
  readonly worker: string | null;
  /** The event's type unless useless, else the traceback's; `Error` when neither tells. */
  readonly type: string;
  /** The event's message, else the traceback's. */
  readonly message: string;
  readonly signature: SignatureKey;
  /** Where the traceback came from; absent when none was found. */
  readonly origin?: TracebackOrigin;
  /** The function and argument reprs, from NAQ's failed-jobs stream. */
  readonly call?: FailedCall;
  /** The shared frames and placement (the same object for every failure of this code path). */
  readonly shape: FailureShape;
}

export interface SignatureSummary {
  readonly signature: SignatureKey;
  readonly count: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly queues: readonly string[];
  readonly workers: readonly string[];
  /** Newest first, at most `MAX_SIGNATURE_JOBS`. */
  readonly jobs: readonly string[];
  /** Failures per hour, keyed by the hour's start in epoch seconds. */
  readonly perHour: ReadonlyMap<number, number>;
  readonly site?: MappedFrame;
}

export const MAX_SIGNATURE_JOBS = 50;

/** A signature's failures: rows linked through `linkedBefore` and `linkedAfter`, newest link last (NONE: none left), and their count per hour. */
interface SignatureEntry {
  readonly key: SignatureKey;
  last: number;
  readonly perHour: Map<number, number>;
}

/** A shape as interned: its key, and a placement redone when the workspace or the mappings change. */
interface Shape {
  readonly key: string;
  readonly frames: readonly TracebackFrame[];
  site?: MappedFrame;
  siteFrame?: TracebackFrame;
  callers: readonly { readonly at: MappedFrame; readonly function?: string }[];
}

const hourOf = (time: number): number => Math.floor(time / 3600) * 3600;

/** "No row": the end of a signature's list. */
const NONE = -1;

/** What places a frame list: each frame's file, line, column, function, source text, carets and repetition. */
function shapeKey(frames: readonly TracebackFrame[]): string {
  const hash = createHash('sha1');
  for (const frame of frames) {
    hash.update(`${frame.file}\0${frame.line}\0${frame.column ?? ''}\0${frame.function ?? ''}\0${frame.source ?? ''}\0${frame.caret ? `${frame.caret.start}-${frame.caret.end}` : ''}\0${frame.repeated ?? ''}\n`);
  }
  return hash.digest('base64');
}

/** A frame whose strings are copies of their own, so that the shared frame list keeps no traceback text alive. */
function ownFrame(frame: TracebackFrame): TracebackFrame {
  return {
    file: ownCopy(frame.file),
    line: frame.line,
    ...(frame.column === undefined ? {} : { column: frame.column }),
    ...(frame.caret ? { caret: { start: frame.caret.start, end: frame.caret.end } } : {}),
    ...(frame.function === undefined ? {} : { function: ownCopy(frame.function) }),
    ...(frame.source === undefined ? {} : { source: ownCopy(frame.source) }),
    ...(frame.repeated === undefined ? {} : { repeated: frame.repeated }),
  };
}

export class FailureStore {
  /** Job id → its failure's row. */
  private readonly rowOf = new Map<string, number>();
  private readonly freeRows: number[] = [];
  private rowsUsed = 0;
  // The columns, by row. Strings and shared objects in arrays (one pointer a row), numbers in typed arrays.
  private ids: string[] = [];
  private queues: (string | null)[] = [];
  private workers: (string | null)[] = [];
  private types: string[] = [];
  private texts: string[] = [];
  private shapeOf: (Shape | undefined)[] = [];
  private entryOf: (SignatureEntry | undefined)[] = [];
  private seqs = new Float64Array(1024);
  private times = new Float64Array(1024);
  private origins = new Uint8Array(1024);
  private linkedBefore = new Int32Array(1024);
  private linkedAfter = new Int32Array(1024);
  /** By row: the call NAQ recorded, for the failures that have one. */
  private readonly calls = new Map<number, FailedCall>();
  private readonly signatures = new Map<string, SignatureEntry>();
  /** By workspace file, the signatures raised there: a signature's site is part of it, so its members are the file's failures. */
  private readonly byFile = new Map<string, Set<SignatureEntry>>();
  private readonly shapes = new Interner<Shape>();
  private readonly names = new StringPool();
  /** Messages recur with their code path ("no route for tariff aa"): one copy of each recent one, not one per failure. */
  private readonly messages = new MessageCache();
  /** Counts the changes to the failures held: the snapshot is saved again when it moved. */
  private changeCount = 0;

  constructor(private currentMapper: PathMapper) {}

  get changes(): number {
    return this.changeCount;
  }

  get mapper(): PathMapper {
    return this.currentMapper;
  }

  get size(): number {
    return this.rowOf.size;
  }

  /** Shared entries held: code paths, and queue, worker and type names (tests check that they are released). */
  get shared(): { readonly shapes: number; readonly names: number } {
    return { shapes: this.shapes.size, names: this.names.size };
  }

  get(jobId: string): PlacedFailure | undefined {
    const row = this.rowOf.get(jobId);
    return row === undefined ? undefined : this.placedAt(row);
  }

  /** Adds or replaces a job's failure; returns the workspace files whose failures changed. */
  put(record: FailureRecord): Set<string> {
    const files = this.remove(record.jobId);
    const shape = this.holdShape(record.traceback?.raised.frames ?? []);
    const type = exceptionType(record.errorType ?? undefined, record.traceback) ?? 'Error';
    const message = ownCopy(record.errorMessage || record.traceback?.raised.message || '');
    const pooledType = this.names.hold(type);
    const sharedMessage = this.messages.get(message);
    const signature = this.signatureOf(pooledType, sharedMessage, shape);
    this.keep(ownCopy(record.jobId), record.seq, record.time, this.names.hold(record.queue), this.names.hold(record.worker), pooledType, sharedMessage, record.origin, record.call, shape, files, signature);
    return files;
  }

  /** Gives a job's failure the call NAQ recorded, when it has none yet; true when it took it. */
  attachCall(jobId: string, call: FailedCall): boolean {
    const row = this.rowOf.get(jobId);
    if (row === undefined || this.calls.has(row)) return false;
    this.calls.set(row, call);
    this.changeCount++;
    return true;
  }

  /** A traceback kept compactly, its frames shared with the store's failures of that code path, until `releaseTraceback`. */
  holdTraceback(traceback: RaisedTraceback): HeldTraceback {
    const { frames } = this.holdShape(traceback.raised.frames);
    return { raised: { type: this.names.hold(traceback.raised.type), message: ownCopy(traceback.raised.message), frames } };
  }

  releaseTraceback(held: HeldTraceback): void {
    this.shapes.release(shapeKey(held.raised.frames));
    this.names.release(held.raised.type);
  }

  /** Forgets a job's failure (its events were deleted or expired); returns the files that changed. */
  remove(jobId: string): Set<string> {
    const files = new Set<string>();
    const row = this.rowOf.get(jobId);
    if (row === undefined) return files;
    this.rowOf.delete(jobId);
    this.changeCount++;
    this.unlink(row, files);
    this.shapes.release((this.shapeOf[row] as Shape).key);
    this.names.release(this.types[row] as string);
    this.names.release(this.queues[row] as string | null);
    this.names.release(this.workers[row] as string | null);
    this.calls.delete(row);
    // Nothing of the failure stays reachable from a free row: a released code path's frames go with it.
    this.ids[row] = '';
    this.texts[row] = '';
    this.types[row] = '';
    this.queues[row] = null;
    this.workers[row] = null;
    this.shapeOf[row] = undefined;
    this.entryOf[row] = undefined;
    this.freeRows.push(row);
    return files;
  }

  /** Forgets every failure; returns the files that had some. */
  clear(): Set<string> {
    const files = new Set<string>();
    for (const jobId of [...this.rowOf.keys()]) for (const file of this.remove(jobId)) files.add(file);
    return files;
  }

  /**
   * Every failure, for the index's snapshot: strings once each in a table (queue, worker and type names, messages
   * repeat across a signature's failures), each code path's frames once, the per-failure numbers as columns.
   */
  saveState(): Uint8Array {
    const strings = new Map<string, number>();
    const stringOf = (value: string | null): number => {
      if (value === null) return -1;
      let number = strings.get(value);
      if (number === undefined) strings.set(value, (number = strings.size));
      return number;
    };
    const shapes = new Map<Shape, number>();
    const count = this.rowOf.size;
    const jobs: string[] = [];
    const calls: [args: string | null, kwargs: string | null][] = [];
    const seq = new Float64Array(count);
    const time = new Float64Array(count);
    const queue = new Int32Array(count);
    const worker = new Int32Array(count);
    const type = new Int32Array(count);
    const message = new Int32Array(count);
    const normalised = new Int32Array(count);
    const shape = new Uint32Array(count);
    const origin = new Uint8Array(count);
    const callFunction = new Int32Array(count);
    let i = 0;
    for (const [jobId, row] of this.rowOf) {
      jobs.push(jobId);
      seq[i] = this.seqs[row] as number;
      time[i] = this.times[row] as number;
      queue[i] = stringOf(this.queues[row] as string | null);
      worker[i] = stringOf(this.workers[row] as string | null);
      type[i] = stringOf(this.types[row] as string);
      message[i] = stringOf(this.texts[row] as string);
      normalised[i] = stringOf((this.entryOf[row] as SignatureEntry).key.message);
      const rowShape = this.shapeOf[row] as Shape;
      let number = shapes.get(rowShape);
      if (number === undefined) shapes.set(rowShape, (number = shapes.size));
      shape[i] = number;
      origin[i] = this.origins[row] as number;
      const call = this.calls.get(row);
      callFunction[i] = call ? stringOf(call.function) : -1;
      if (call) calls.push([call.args, call.kwargs]);
      i++;
    }
    const out = new BlockWriter();
    out.field('format', STATE_FORMAT);
    out.field('strings', [...strings.keys()]);
    out.field('jobs', jobs);
    out.field('shapes', [...shapes.keys()].map((s) => s.frames));
    out.field('calls', calls);
    out.column('seq', seq);
    out.column('time', time);
    out.column('queue', queue);
    out.column('worker', worker);
    out.column('type', type);
    out.column('message', message);
    out.column('normalised', normalised);
    out.unsigned('shape', shape);
    out.column('origin', origin);
    out.column('callFunction', callFunction);
    return out.bytes();
  }

  /**
   * Replaces every failure with what `saveState` wrote, placed with the current mapper; returns the files touched
   * before or after. Throws, naming what does not add up, before changing anything.
   */
  restoreState(state: Uint8Array): Set<string> {
    const from = new BlockReader(state, 'the failures state');
    const format = from.number('format');
    if (format !== STATE_FORMAT) throw new Error(`${from.what} is of format ${format}, not ${STATE_FORMAT}`);
    const strings = from.strings('strings');
    const jobs = from.strings('jobs');
    const count = jobs.length;
    const shapes = framesOf(from.field('shapes'), from.what);
    const seq = from.column('seq', 'Float64Array', count);
    const time = from.column('time', 'Float64Array', count);
    const queue = from.column('queue', 'Int32Array', count);
    const worker = from.column('worker', 'Int32Array', count);
    const type = from.column('type', 'Int32Array', count);
    const message = from.column('message', 'Int32Array', count);
    const normalised = from.column('normalised', 'Int32Array', count);
    const shape = from.unsigned('shape', count);
    const origin = from.column('origin', 'Uint8Array', count);
    const callFunction = from.column('callFunction', 'Int32Array', count);
    const calls = callsOf(from.field('calls'), from.what);
    const string = (column: Int32Array, i: number, nullable: boolean): string | null => {
      const number = column[i] as number;
      if (number === -1 && nullable) return null;
      const value = strings[number];
      if (value === undefined) throw new Error(`${from.what}: failure ${i} names string ${number} of ${strings.length}`);
      return value;
    };
    // Checked whole before anything changes, then kept: no intermediate object, nor signature key string, per failure.
    let called = 0;
    for (let i = 0; i < count; i++) {
      if ((shape[i] as number) >= shapes.length) throw new Error(`${from.what}: failure ${i} names code path ${shape[i]} of ${shapes.length}`);
      if ((origin[i] as number) >= ORIGINS.length) throw new Error(`${from.what}: failure ${i} has origin ${origin[i]}`);
      string(queue, i, true);
      string(worker, i, true);
      string(type, i, false);
      string(message, i, false);
      string(normalised, i, false);
      if (string(callFunction, i, true) !== null) called++;
    }
    if (called !== calls.length) throw new Error(`${from.what}: ${called} failures have a call, ${calls.length} calls follow`);
    const files = this.clear();
    this.startRows(count);
    // Each name and code path held once, for as many failures as name it, not once per failure; messages are shared
    // through the state's own table. Held one failure at a time, they were a third of a restore's time.
    const nameUses = new Uint32Array(strings.length);
    const pathUses = new Uint32Array(shapes.length);
    for (let i = 0; i < count; i++) {
      nameUses[type[i] as number]++;
      if ((queue[i] as number) >= 0) nameUses[queue[i] as number]++;
      if ((worker[i] as number) >= 0) nameUses[worker[i] as number]++;
      pathUses[shape[i] as number]++;
    }
    const pooled = strings.map((value, n) => ((nameUses[n] as number) > 0 ? this.names.hold(value, nameUses[n]) : value));
    const heldShapes = shapes.map((frames, path) =>
      (pathUses[path] as number) > 0 ? this.shapes.hold(shapeKey(frames), (key) => this.placed({ key, frames, callers: [] }), pathUses[path]) : undefined,
    );
    const name = (column: Int32Array, i: number): string | null => {
      const number = column[i] as number;
      return number === -1 ? null : (pooled[number] as string);
    };
    // A signature per code path, type and normalised message, not per failure: the failures of one signature share them.
    const signatures = new Map<number, Map<number, SignatureKey>>();
    let nextCall = 0;
    for (let i = 0; i < count; i++) {
      const path = shape[i] as number;
      const held = heldShapes[path] as Shape;
      const typeName = name(type, i) as string;
      const text = string(message, i, false) as string;
      const callee = string(callFunction, i, true);
      const [args, kwargs] = callee === null ? [null, null] : (calls[nextCall++] as [string | null, string | null]);
      let ofPath = signatures.get(path);
      if (!ofPath) signatures.set(path, (ofPath = new Map()));
      const same = (type[i] as number) * strings.length + (normalised[i] as number);
      let signature = ofPath.get(same);
      if (!signature) ofPath.set(same, (signature = this.signatureOf(typeName, text, held, string(normalised, i, false) as string)));
      const call = callee === null ? undefined : { function: callee, args, kwargs };
      this.keep(jobs[i] as string, seq[i] as number, time[i] as number, name(queue, i), name(worker, i), typeName, text, ORIGINS[origin[i] as number], call, held, files, signature);
    }
    return files;
  }

  /** A new workspace or new mappings place every code path anew; returns every file touched before or after. */
  remap(mapper: PathMapper): Set<string> {
    this.currentMapper = mapper;
    const files = new Set(this.byFile.keys());
    this.signatures.clear();
    this.byFile.clear();
    for (const { value } of this.shapes.values()) this.placed(value);
    for (const row of this.rowOf.values()) {
      const shape = this.shapeOf[row] as Shape;
      this.link(row, this.signatureOf(this.types[row] as string, this.texts[row] as string, shape), files);
    }
    return files;
  }

  /** Failures whose raise site is in this workspace file, newest first, at or after `since` (epoch seconds). */
  inFile(file: string, since: number): PlacedFailure[] {
    const rows: number[] = [];
    for (const entry of this.byFile.get(file) ?? []) this.collect(entry, since, rows);
    return this.newestFirst(rows).map((row) => this.placedAt(row));
  }

  jobIds(): IterableIterator<string> {
    return this.rowOf.keys();
  }

  files(): string[] {
    return [...this.byFile.keys()];
  }

  summaries(since: number): SignatureSummary[] {
    return [...this.signatures.values()]
      .map((entry) => this.summarise(entry, since))
      .filter((summary): summary is SignatureSummary => summary !== undefined)
      .sort((a, b) => b.lastSeen - a.lastSeen);
  }

  /** How many signatures `summaries(since)` would list, without summarising them (every publish sends it). */
  signatureCount(since: number): number {
    let count = 0;
    for (const entry of this.signatures.values()) {
      for (let row = entry.last; row !== NONE; row = this.linkedBefore[row] as number) {
        if ((this.times[row] as number) >= since) {
          count++;
          break;
        }
      }
    }
    return count;
  }

  summary(signatureId: string, since: number): SignatureSummary | undefined {
    const entry = this.signatures.get(signatureId);
    return entry ? this.summarise(entry, since) : undefined;
  }

  private summarise(entry: SignatureEntry, since: number): SignatureSummary | undefined {
    const rows = this.newestFirst(this.collect(entry, since, []));
    const newest = rows[0];
    if (newest === undefined) return undefined;
    const distinct = (values: (string | null)[]): string[] => [...new Set(values.filter((value): value is string => value !== null))].sort();
    const site = (this.shapeOf[newest] as Shape).site;
    return {
      signature: entry.key,
      count: rows.length,
      firstSeen: this.times[rows[rows.length - 1] as number] as number,
      lastSeen: this.times[newest] as number,
      queues: distinct(rows.map((row) => this.queues[row] as string | null)),
      workers: distinct(rows.map((row) => this.workers[row] as string | null)),
      jobs: rows.slice(0, MAX_SIGNATURE_JOBS).map((row) => this.ids[row] as string),
      perHour: new Map(entry.perHour),
      ...(site ? { site } : {}),
    };
  }

  /** Adds the signature's rows at or after `since` to `rows`, and returns it. */
  private collect(entry: SignatureEntry, since: number, rows: number[]): number[] {
    for (let row = entry.last; row !== NONE; row = this.linkedBefore[row] as number) if ((this.times[row] as number) >= since) rows.push(row);
    return rows;
  }

  /** Newest first; failures stored in the same millisecond go by stream order, so "latest" is the last one stored. */
  private newestFirst(rows: number[]): number[] {
    const { times, seqs } = this;
    return rows.sort((a, b) => (times[b] as number) - (times[a] as number) || (seqs[b] as number) - (seqs[a] as number));
  }

  /** The failure in `row` as the features read it, its placement the shared shape's of this moment. */
  private placedAt(row: number): PlacedFailure {
    const shape = this.shapeOf[row] as Shape;
    const origin = ORIGINS[this.origins[row] as number];
    const call = this.calls.get(row);
    return {
      jobId: this.ids[row] as string,
      seq: this.seqs[row] as number,
      time: this.times[row] as number,
      queue: this.queues[row] as string | null,
      worker: this.workers[row] as string | null,
      type: this.types[row] as string,
      message: this.texts[row] as string,
      signature: (this.entryOf[row] as SignatureEntry).key,
      shape,
      frames: shape.frames,
      callers: shape.callers,
      ...(shape.site ? { site: shape.site } : {}),
      ...(shape.siteFrame ? { siteFrame: shape.siteFrame } : {}),
      ...(origin ? { origin } : {}),
      ...(call ? { call } : {}),
    };
  }

  /** The shared shape of a frame list, held until the failure (or held traceback) that holds it goes. */
  private holdShape(frames: readonly TracebackFrame[]): Shape {
    return this.shapes.hold(shapeKey(frames), (key) => this.placed({ key, frames: frames.map(ownFrame), callers: [] }));
  }

  /**
   * Puts a failure in a row and links it into its signature, adding the files it lands in. Its names and code path
   * are held for it already, its message shared; `signature` is the one `signatureOf` gives for its type, message
   * and shape (a restore works it out once for many).
   */
  private keep(jobId: string, seq: number, time: number, queue: string | null, worker: string | null, type: string, message: string, origin: TracebackOrigin | undefined, call: FailedCall | undefined, shape: Shape, files: Set<string>, signature: SignatureKey): void {
    const row = this.freeRows.pop() ?? this.newRow();
    this.rowOf.set(jobId, row);
    this.ids[row] = jobId;
    this.seqs[row] = seq;
    this.times[row] = time;
    this.queues[row] = queue;
    this.workers[row] = worker;
    this.types[row] = type;
    this.texts[row] = message;
    this.shapeOf[row] = shape;
    this.origins[row] = ORIGINS.indexOf(origin);
    if (call) this.calls.set(row, call);
    this.changeCount++;
    this.link(row, signature, files);
  }

  /**
   * Empty columns sized for `rows` failures, in place of the old ones: only once every row is free (after `clear`).
   * Grown a row at a time, the seven arrays of a restore's 200,000 failures took 55-75 ms; sized once, 20-40.
   */
  private startRows(rows: number): void {
    const size = Math.max(1024, rows);
    this.freeRows.length = 0;
    this.rowsUsed = 0;
    this.ids = new Array<string>(rows);
    this.queues = new Array<string | null>(rows);
    this.workers = new Array<string | null>(rows);
    this.types = new Array<string>(rows);
    this.texts = new Array<string>(rows);
    this.shapeOf = new Array<Shape | undefined>(rows);
    this.entryOf = new Array<SignatureEntry | undefined>(rows);
    this.seqs = new Float64Array(size);
    this.times = new Float64Array(size);
    this.origins = new Uint8Array(size);
    this.linkedBefore = new Int32Array(size);
    this.linkedAfter = new Int32Array(size);
  }

  private newRow(): number {
    const row = this.rowsUsed++;
    this.seqs = grown(this.seqs, row + 1);
    this.times = grown(this.times, row + 1);
    this.origins = grown(this.origins, row + 1);
    this.linkedBefore = grown(this.linkedBefore, row + 1);
    this.linkedAfter = grown(this.linkedAfter, row + 1);
    return row;
  }

  /** The failure's signature as the store shares it: one key object per signature. `normalised`: the message's, when known. */
  private signatureOf(type: string, message: string, shape: Shape, normalised?: string): SignatureKey {
    const site = { file: shape.site?.file, function: shape.siteFrame?.function };
    const key = normalised === undefined ? signatureOf(type, message, site) : signatureOfNormalised(type, normalised, site);
    return this.signatures.get(key.id)?.key ?? key;
  }

  /** Links the row last into its signature's list (made when it has none), adding the file it lands in. */
  private link(row: number, signature: SignatureKey, files: Set<string>): void {
    let entry = this.signatures.get(signature.id);
    const file = signature.site.file;
    if (!entry) {
      entry = { key: signature, last: NONE, perHour: new Map() };
      this.signatures.set(signature.id, entry);
      if (file !== undefined) {
        const entries = this.byFile.get(file) ?? new Set<SignatureEntry>();
        entries.add(entry);
        this.byFile.set(file, entries);
      }
    }
    this.entryOf[row] = entry;
    this.linkedBefore[row] = entry.last;
    this.linkedAfter[row] = NONE;
    if (entry.last !== NONE) this.linkedAfter[entry.last] = row;
    entry.last = row;
    const hour = hourOf(this.times[row] as number);
    entry.perHour.set(hour, (entry.perHour.get(hour) ?? 0) + 1);
    if (file !== undefined) files.add(file);
  }

  private unlink(row: number, files: Set<string>): void {
    const entry = this.entryOf[row] as SignatureEntry;
    const file = entry.key.site.file;
    const before = this.linkedBefore[row] as number;
    const after = this.linkedAfter[row] as number;
    if (before !== NONE) this.linkedAfter[before] = after;
    if (after !== NONE) this.linkedBefore[after] = before;
    else entry.last = before;
    const hour = hourOf(this.times[row] as number);
    const left = (entry.perHour.get(hour) ?? 1) - 1;
    if (left > 0) entry.perHour.set(hour, left);
    else entry.perHour.delete(hour);
    if (entry.last === NONE) {
      this.signatures.delete(entry.key.id);
      const entries = file === undefined ? undefined : this.byFile.get(file);
      entries?.delete(entry);
      if (entries?.size === 0) this.byFile.delete(file as string);
    }
    if (file !== undefined) files.add(file);
  }

  /** Places the shape's frames with the current mapper: the innermost that maps is the site, mapped outer ones its callers. */
  private placed(shape: Shape): Shape {
    const mapped = shape.frames.map((frame) => ({ frame, mapped: this.currentMapper.mapFrame(frame) }));
    const innermost = [...mapped].reverse().find((entry) => entry.mapped !== undefined);
    shape.callers = innermost ? mapped.slice(0, mapped.indexOf(innermost)).flatMap((entry) => (entry.mapped ? [{ at: entry.mapped, function: entry.frame.function }] : [])) : [];
    shape.site = innermost?.mapped;
    shape.siteFrame = innermost?.frame;
    return shape;
  }
}

/** The frame lists of a state block, each frame checked field by field. */
function framesOf(value: unknown, what: string): TracebackFrame[][] {
  if (!Array.isArray(value)) throw new Error(`${what}: shapes must be a list`);
  return value.map((frames: unknown, i) => {
    if (!Array.isArray(frames)) throw new Error(`${what}: code path ${i} is not a list of frames`);
    return frames.map((frame: unknown) => {
      const f = (frame ?? {}) as Record<string, unknown>;
      const optional = (name: string, type: string): boolean => f[name] === undefined || typeof f[name] === type;
      const caret = f.caret as { start?: unknown; end?: unknown } | undefined;
      const caretOk = caret === undefined || (typeof caret === 'object' && caret !== null && typeof caret.start === 'number' && typeof caret.end === 'number');
      if (typeof f.file !== 'string' || typeof f.line !== 'number' || !optional('column', 'number') || !optional('function', 'string') || !optional('source', 'string') || !optional('repeated', 'number') || !caretOk) {
        throw new Error(`${what}: code path ${i} holds a frame that is not one: ${JSON.stringify(frame)?.slice(0, 200)}`);
      }
      return frame as TracebackFrame;
    });
  });
}

/** The argument reprs of a state block's calls, in the order of the failures that have one. */
function callsOf(value: unknown, what: string): [string | null, string | null][] {
  const reprOk = (repr: unknown): boolean => repr === null || typeof repr === 'string';
  if (!Array.isArray(value) || !value.every((call) => Array.isArray(call) && call.length === 2 && reprOk(call[0]) && reprOk(call[1]))) {
    throw new Error(`${what}: calls must be a list of [args, kwargs]`);
  }
  return value as [string | null, string | null][];
}
