/**
 * The failures the stream holds, one per job (its latest failed or timed-out event), grouped by signature and
 * by raise site. Fed incrementally: `put` when a failure is known, `remove` when its job's events are gone.
 *
 * Compact because it holds every failure of the stream (100,000 on the 1M-event benchmark): failures of one code
 * path share one frame list and its placement in the workspace, queue, worker and type names are shared, and
 * each failure keeps only what differs (job, sequence, time, message). Shared entries go with their last failure.
 */
import { createHash } from 'node:crypto';
import { BlockReader } from '../util/blockReader';
import { BlockWriter } from '../util/blockWriter';
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

interface SignatureEntry {
  readonly key: SignatureKey;
  readonly members: Set<string>;
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

/** One object per failure, its per-failure fields only; the placement is read through the shared shape. */
class StoredFailure implements PlacedFailure {
  constructor(
    readonly jobId: string,
    readonly seq: number,
    readonly time: number,
    readonly queue: string | null,
    readonly worker: string | null,
    readonly type: string,
    readonly message: string,
    readonly origin: TracebackOrigin | undefined,
    /** Set later when NAQ's failed-jobs stream names the job after its traceback was found elsewhere. */
    public call: FailedCall | undefined,
    readonly shape: Shape,
    public signature: SignatureKey,
  ) {}

  get frames(): readonly TracebackFrame[] {
    return this.shape.frames;
  }

  get site(): MappedFrame | undefined {
    return this.shape.site;
  }

  get siteFrame(): TracebackFrame | undefined {
    return this.shape.siteFrame;
  }

  get callers(): readonly { readonly at: MappedFrame; readonly function?: string }[] {
    return this.shape.callers;
  }
}

const hourOf = (time: number): number => Math.floor(time / 3600) * 3600;

/** Newest first; failures stored in the same millisecond go by stream order, so "latest" is the last one stored. */
const newestFirst = (a: StoredFailure, b: StoredFailure): number => b.time - a.time || b.seq - a.seq;

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
  private readonly failures = new Map<string, StoredFailure>();
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
    return this.failures.size;
  }

  /** Shared entries held: code paths, and queue, worker and type names (tests check that they are released). */
  get shared(): { readonly shapes: number; readonly names: number } {
    return { shapes: this.shapes.size, names: this.names.size };
  }

  get(jobId: string): PlacedFailure | undefined {
    return this.failures.get(jobId);
  }

  /** Adds or replaces a job's failure; returns the workspace files whose failures changed. */
  put(record: FailureRecord): Set<string> {
    const files = this.remove(record.jobId);
    const shape = this.holdShape(record.traceback?.raised.frames ?? []);
    const type = exceptionType(record.errorType ?? undefined, record.traceback) ?? 'Error';
    const message = ownCopy(record.errorMessage || record.traceback?.raised.message || '');
    this.keep(ownCopy(record.jobId), record.seq, record.time, record.queue, record.worker, type, message, record.origin, record.call, shape, files);
    return files;
  }

  /** Gives a job's failure the call NAQ recorded, when it has none yet; true when it took it. */
  attachCall(jobId: string, call: FailedCall): boolean {
    const failure = this.failures.get(jobId);
    if (!failure || failure.call) return false;
    failure.call = call;
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
    const failure = this.failures.get(jobId);
    if (!failure) {
      return files;
    }
    this.failures.delete(jobId);
    this.changeCount++;
    this.unindex(failure, files);
    this.shapes.release(failure.shape.key);
    this.names.release(failure.type);
    this.names.release(failure.queue);
    this.names.release(failure.worker);
    return files;
  }

  /** Forgets every failure; returns the files that had some. */
  clear(): Set<string> {
    const files = new Set<string>();
    for (const jobId of [...this.failures.keys()]) for (const file of this.remove(jobId)) files.add(file);
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
    const count = this.failures.size;
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
    for (const failure of this.failures.values()) {
      jobs.push(failure.jobId);
      seq[i] = failure.seq;
      time[i] = failure.time;
      queue[i] = stringOf(failure.queue);
      worker[i] = stringOf(failure.worker);
      type[i] = stringOf(failure.type);
      message[i] = stringOf(failure.message);
      normalised[i] = stringOf(failure.signature.message);
      let number = shapes.get(failure.shape);
      if (number === undefined) shapes.set(failure.shape, (number = shapes.size));
      shape[i] = number;
      origin[i] = ORIGINS.indexOf(failure.origin);
      callFunction[i] = failure.call ? stringOf(failure.call.function) : -1;
      if (failure.call) calls.push([failure.call.args, failure.call.kwargs]);
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
    const keys = shapes.map(shapeKey);
    // A signature per code path, type and normalised message, not per failure: the failures of one signature share them.
    const signatures = new Map<number, Map<number, SignatureKey>>();
    let nextCall = 0;
    for (let i = 0; i < count; i++) {
      const path = shape[i] as number;
      const held = this.shapes.hold(keys[path] as string, (key) => this.placed({ key, frames: shapes[path] as TracebackFrame[], callers: [] }));
      const typeName = string(type, i, false) as string;
      const text = string(message, i, false) as string;
      const callee = string(callFunction, i, true);
      const [args, kwargs] = callee === null ? [null, null] : (calls[nextCall++] as [string | null, string | null]);
      let ofPath = signatures.get(path);
      if (!ofPath) signatures.set(path, (ofPath = new Map()));
      const same = (type[i] as number) * strings.length + (normalised[i] as number);
      let signature = ofPath.get(same);
      if (!signature) ofPath.set(same, (signature = this.signatureOf(typeName, text, held, string(normalised, i, false) as string)));
      const call = callee === null ? undefined : { function: callee, args, kwargs };
      this.keep(jobs[i] as string, seq[i] as number, time[i] as number, string(queue, i, true), string(worker, i, true), typeName, text, ORIGINS[origin[i] as number], call, held, files, signature);
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
    for (const failure of this.failures.values()) {
      failure.signature = this.signatureOf(failure.type, failure.message, failure.shape);
      this.index(failure, files);
    }
    return files;
  }

  /** Failures whose raise site is in this workspace file, newest first, at or after `since` (epoch seconds). */
  inFile(file: string, since: number): PlacedFailure[] {
    const placed: StoredFailure[] = [];
    for (const entry of this.byFile.get(file) ?? []) {
      for (const jobId of entry.members) {
        const failure = this.failures.get(jobId) as StoredFailure;
        if (failure.time >= since) placed.push(failure);
      }
    }
    return placed.sort(newestFirst);
  }

  jobIds(): IterableIterator<string> {
    return this.failures.keys();
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
      for (const jobId of entry.members) {
        if ((this.failures.get(jobId) as StoredFailure).time >= since) {
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
    const members = [...entry.members]
      .map((jobId) => this.failures.get(jobId) as StoredFailure)
      .filter((failure) => failure.time >= since)
      .sort(newestFirst);
    if (members.length === 0) return undefined;
    const distinct = (values: (string | null)[]): string[] => [...new Set(values.filter((value): value is string => value !== null))].sort();
    return {
      signature: entry.key,
      count: members.length,
      firstSeen: members[members.length - 1].time,
      lastSeen: members[0].time,
      queues: distinct(members.map((failure) => failure.queue)),
      workers: distinct(members.map((failure) => failure.worker)),
      jobs: members.slice(0, MAX_SIGNATURE_JOBS).map((failure) => failure.jobId),
      perHour: new Map(entry.perHour),
      ...(members[0].site ? { site: members[0].site } : {}),
    };
  }

  /** The shared shape of a frame list, held until the failure (or held traceback) that holds it goes. */
  private holdShape(frames: readonly TracebackFrame[]): Shape {
    return this.shapes.hold(shapeKey(frames), (key) => this.placed({ key, frames: frames.map(ownFrame), callers: [] }));
  }

  /**
   * Stores a failure whose shape is held; pools its names and indexes it, adding the files it lands in. `signature`,
   * when given, is the one `signatureOf` gives for its type, message and shape (worked out once for many).
   */
  private keep(jobId: string, seq: number, time: number, queue: string | null, worker: string | null, type: string, message: string, origin: TracebackOrigin | undefined, call: FailedCall | undefined, shape: Shape, files: Set<string>, signature?: SignatureKey): void {
    const pooledType = this.names.hold(type);
    const sharedMessage = this.messages.get(message);
    const failure = new StoredFailure(jobId, seq, time, this.names.hold(queue), this.names.hold(worker), pooledType, sharedMessage, origin, call, shape, signature ?? this.signatureOf(pooledType, sharedMessage, shape));
    this.failures.set(jobId, failure);
    this.changeCount++;
    this.index(failure, files);
  }

  /** The failure's signature as the store shares it: one key object per signature. `normalised`: the message's, when known. */
  private signatureOf(type: string, message: string, shape: Shape, normalised?: string): SignatureKey {
    const site = { file: shape.site?.file, function: shape.siteFrame?.function };
    const key = normalised === undefined ? signatureOf(type, message, site) : signatureOfNormalised(type, normalised, site);
    return this.signatures.get(key.id)?.key ?? key;
  }

  private index(failure: StoredFailure, files: Set<string>): void {
    let entry = this.signatures.get(failure.signature.id);
    const file = failure.signature.site.file;
    if (!entry) {
      entry = { key: failure.signature, members: new Set(), perHour: new Map() };
      this.signatures.set(failure.signature.id, entry);
      if (file !== undefined) {
        const entries = this.byFile.get(file) ?? new Set<SignatureEntry>();
        entries.add(entry);
        this.byFile.set(file, entries);
      }
    }
    entry.members.add(failure.jobId);
    const hour = hourOf(failure.time);
    entry.perHour.set(hour, (entry.perHour.get(hour) ?? 0) + 1);
    if (file !== undefined) files.add(file);
  }

  private unindex(failure: StoredFailure, files: Set<string>): void {
    const entry = this.signatures.get(failure.signature.id);
    const file = failure.signature.site.file;
    if (entry) {
      entry.members.delete(failure.jobId);
      const hour = hourOf(failure.time);
      const left = (entry.perHour.get(hour) ?? 1) - 1;
      if (left > 0) entry.perHour.set(hour, left);
      else entry.perHour.delete(hour);
      if (entry.members.size === 0) {
        this.signatures.delete(failure.signature.id);
        const entries = file === undefined ? undefined : this.byFile.get(file);
        entries?.delete(entry);
        if (entries?.size === 0) this.byFile.delete(file as string);
      }
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
