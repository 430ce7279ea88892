import { isFailureType } from '../model/eventType';
import { IdHash } from './idHash';
import type { IndexRecord } from './indexRecord';
import { JOB_STATUSES, JobStatus, transitionOf } from './jobStatus';
import type { JobError, JobOverview, JobSummary } from './jobSummary';
import { NameTable } from './nameTable';
import { errorText, SearchText } from './searchText';

const NONE = -1;
const STATUS_CODES = new Map<JobStatus, number>(JOB_STATUSES.map((status, code) => [status, code]));
const UNKNOWN = STATUS_CODES.get('unknown') as number;

/**
 * What an event type does to a job, packed in a byte per type: the status it moves the job to (its
 * number plus one, 0 for none), whether it starts an attempt and whether it is a failure. `KNOWN`
 * tells a worked-out entry from an empty one.
 */
const MOVES_TO = 0x0f;
const STARTS = 0x10;
const FAILS = 0x20;
const KNOWN = 0x80;

function effectOf(type: string): number {
  const status = transitionOf(type);
  return (
    KNOWN |
    (status === undefined ? 0 : (STATUS_CODES.get(status) as number) + 1) |
    (type === 'started' || type === 'retry_started' ? STARTS : 0) |
    (isFailureType(type) ? FAILS : 0)
  );
}

type Column = Uint8Array | Int32Array | Uint32Array | Float64Array;

function grown<T extends Column>(column: T, length: number): T {
  if (length <= column.length) return column;
  const next = new (column.constructor as new (length: number) => T)(Math.max(length, column.length * 2));
  next.set(column);
  return next;
}

/**
 * The numbers of every job, oldest activity first, one entry each; `sequences` holds every job's
 * sequences one job after another, `sequenceCount[i]` of them for job i.
 */
export interface TableColumns {
  status: Uint8Array;
  /** Numbers in `names`, or -1. */
  queue: Int32Array;
  worker: Int32Array;
  lastType: Int32Array;
  /** Numbers in `messages`, or -1. */
  message: Int32Array;
  attempts: Uint32Array;
  eventCount: Uint32Array;
  sequenceCount: Uint32Array;
  firstTime: Float64Array;
  lastTime: Float64Array;
  /** The last completion's `duration_ms`, NaN when none said it. */
  duration: Float64Array;
  sequences: Float64Array;
  /** Job id → position, as `IdHash` keeps it. */
  idTable: Int32Array;
}

/** The whole table as a snapshot keeps it. */
export interface TableImage {
  names: string[];
  /** Each distinct last message once. */
  messages: string[];
  ids: string[];
  /** Errors by position. */
  errors: Map<number, JobError>;
  /** By position: the name numbers of the job's earlier workers (see `workersOf`), for jobs that had any. */
  pastWorkers: Map<number, number[]>;
  columns: TableColumns;
}

export function emptyColumns(jobs: number, sequences: number, idBuckets: number): TableColumns {
  return {
    status: new Uint8Array(jobs),
    queue: new Int32Array(jobs),
    worker: new Int32Array(jobs),
    lastType: new Int32Array(jobs),
    message: new Int32Array(jobs),
    attempts: new Uint32Array(jobs),
    eventCount: new Uint32Array(jobs),
    sequenceCount: new Uint32Array(jobs),
    firstTime: new Float64Array(jobs),
    lastTime: new Float64Array(jobs),
    duration: new Float64Array(jobs),
    sequences: new Float64Array(sequences),
    idTable: new Int32Array(idBuckets),
  };
}

/** What a page of jobs may be filtered by; `queue` and `worker` are name numbers, `search` lower case. */
export interface RowFilter {
  status?: JobStatus;
  queue?: number;
  worker?: number;
  search?: string;
  /** Epoch seconds: the row's first-to-last span overlaps [activeFrom, activeTo). */
  activeFrom?: number;
  activeTo?: number;
}

/**
 * Last messages repeat ("Job completed successfully in ..."): one copy of each of the recent ones.
 * Bounded, because messages that embed ids or durations never repeat.
 */
class MessageCache {
  private readonly known = new Map<string, string>();

  constructor(private readonly capacity = 4096) {}

  get(message: string | null): string | null {
    if (message === null) return null;
    const known = this.known.get(message);
    if (known !== undefined) return known;
    if (this.known.size >= this.capacity) this.known.clear();
    this.known.set(message, message);
    return message;
  }
}

/**
 * Every job's summary in columns of typed arrays, one row (a slot) per job: 200,000 jobs as objects,
 * each with its own array of sequences, cost about 400 bytes a job and long garbage-collection pauses;
 * as columns they cost about a third of that and the collector has almost nothing to walk.
 *
 * Rows are also linked in order of last activity (a job moves to the newest end when an event of it
 * arrives), which is the order pages list them in and eviction takes them from. A job's stream
 * sequences are a linked list of cells in one shared pool, appended in stream order.
 */
export class JobTable {
  readonly names = new NameTable();
  private readonly messages = new MessageCache();
  private ids: string[] = [];
  private readonly slotOf = new IdHash((slot) => this.ids[slot] as string);
  private lastMessage: (string | null)[] = [];
  private readonly errors = new Map<number, JobError>();
  private readonly searchText = new SearchText(
    (slot) => this.ids[slot] as string,
    (slot) => {
      const queue = this.queue[slot] as number;
      const worker = this.worker[slot] as number;
      return [errorText(this.errors.get(slot)), queue === NONE ? null : this.names.name(queue), worker === NONE ? null : this.names.name(worker)];
    },
    () => this.oldestFirst(),
  );
  /** By the type's name number: per event, an array read rather than lookups by the type's name. */
  private typeEffects = new Uint8Array(64);
  /** By slot, for the few jobs that moved between workers: the workers before the current one. */
  private readonly pastWorkers = new Map<number, number[]>();
  private status = new Uint8Array(1024);
  private queue = new Int32Array(1024);
  private worker = new Int32Array(1024);
  private lastType = new Int32Array(1024);
  private firstTime = new Float64Array(1024);
  private lastTime = new Float64Array(1024);
  private duration = new Float64Array(1024);
  private attempts = new Uint32Array(1024);
  private eventCount = new Uint32Array(1024);
  private older = new Int32Array(1024);
  private newer = new Int32Array(1024);
  private seqHead = new Int32Array(1024);
  private seqTail = new Int32Array(1024);
  private seqCount = new Uint32Array(1024);
  private cellSeq = new Float64Array(4096);
  private cellNext = new Int32Array(4096);
  private cellsUsed = 0;
  private freeCell = NONE;
  private slotsUsed = 0;
  private readonly freeSlots: number[] = [];
  private oldest = NONE;
  private newest = NONE;
  /** Sequences held over all jobs. */
  sequenceCount = 0;
  /** Events counted over all jobs: `eventCount` summed. */
  eventTotal = 0;
  /** No sequence below this is held (a lower bound, tightened by `forgetBelow`). */
  private lowestSequence = Number.POSITIVE_INFINITY;

  get size(): number {
    return this.slotOf.size;
  }

  find(jobId: string): number | undefined {
    return this.slotOf.find(jobId);
  }

  /** A new row for `jobId`, the newest. */
  add(jobId: string, time: number): number {
    const slot = this.freeSlots.pop() ?? this.slotsUsed++;
    if (slot >= this.status.length) this.growRows(slot + 1);
    // A job id split out of a subject can be a slice that keeps the whole subject alive: keep a copy.
    const id = (' ' + jobId).slice(1);
    this.ids[slot] = id;
    this.slotOf.insert(id, slot);
    this.status[slot] = UNKNOWN;
    this.queue[slot] = NONE;
    this.worker[slot] = NONE;
    this.searchText.set(slot);
    this.lastType[slot] = NONE;
    this.firstTime[slot] = time;
    this.lastTime[slot] = time;
    this.duration[slot] = Number.NaN;
    this.attempts[slot] = 0;
    this.eventCount[slot] = 0;
    this.lastMessage[slot] = null;
    this.seqHead[slot] = NONE;
    this.seqTail[slot] = NONE;
    this.seqCount[slot] = 0;
    this.linkNewest(slot);
    return slot;
  }

  /** Moves a row to the newest end of the activity order. */
  touch(slot: number): void {
    if (slot === this.newest) return;
    this.unlink(slot);
    this.linkNewest(slot);
  }

  remove(slot: number): void {
    this.unlink(slot);
    this.sequenceCount -= this.seqCount[slot] as number;
    this.eventTotal -= this.eventCount[slot] as number;
    for (let cell = this.seqHead[slot] as number; cell !== NONE; ) {
      const next = this.cellNext[cell] as number;
      this.releaseCell(cell);
      cell = next;
    }
    this.slotOf.remove(this.ids[slot] as string);
    this.ids[slot] = '';
    this.lastMessage[slot] = null;
    this.errors.delete(slot);
    this.pastWorkers.delete(slot);
    this.searchText.remove(slot);
    this.freeSlots.push(slot);
  }

  clear(): void {
    this.slotOf.clear();
    this.searchText.clear();
    this.ids = [];
    this.lastMessage = [];
    this.errors.clear();
    this.pastWorkers.clear();
    this.names.clear();
    this.typeEffects.fill(0);
    this.freeSlots.length = 0;
    this.slotsUsed = 0;
    this.cellsUsed = 0;
    this.freeCell = NONE;
    this.oldest = NONE;
    this.newest = NONE;
    this.sequenceCount = 0;
    this.eventTotal = 0;
    this.lowestSequence = Number.POSITIVE_INFINITY;
  }

  /** Folds one event, in stream order, into its job's row. */
  apply(slot: number, record: IndexRecord): void {
    // Its subject says which job it belongs to, nothing more: held (the timeline shows the problem), never believed.
    if (!record.decoded) {
      this.eventCount[slot]++;
      this.eventTotal++;
      if (record.seq > 0) this.appendSequence(slot, record.seq);
      return;
    }
    // Queue and worker first: names are numbered in the order they are met, and snapshots keep them so.
    const queueBefore = this.queue[slot];
    const workerBefore = this.worker[slot];
    const errorBefore = this.errors.get(slot);
    if (record.queue) this.queue[slot] = this.names.id(record.queue);
    if (record.worker) this.workOn(slot, this.names.id(record.worker));
    const type = this.names.id(record.type);
    const effect = this.effect(type, record.type);
    if ((effect & MOVES_TO) !== 0) this.status[slot] = (effect & MOVES_TO) - 1;
    if (record.time < (this.firstTime[slot] as number)) this.firstTime[slot] = record.time;
    if (record.time > (this.lastTime[slot] as number)) this.lastTime[slot] = record.time;
    if ((effect & STARTS) !== 0) this.attempts[slot]++;
    if (record.type === 'completed') this.duration[slot] = record.durationMs ?? Number.NaN;
    // A failure without details (max_retries_exceeded, say) keeps the error that caused it.
    if (record.errorType || record.errorMessage || ((effect & FAILS) !== 0 && !this.errors.has(slot))) {
      this.errors.set(slot, { type: record.errorType, message: record.errorMessage, eventType: this.names.name(type), seq: record.seq || null });
    }
    // The search text holds the error as "Type: message", the queue and the worker: taken in again when one changes.
    const error = this.errors.get(slot);
    const errorChanged = error !== errorBefore && (error?.type !== errorBefore?.type || error?.message !== errorBefore?.message);
    if (errorChanged || queueBefore !== this.queue[slot] || workerBefore !== this.worker[slot]) this.searchText.set(slot);
    this.lastType[slot] = type;
    this.lastMessage[slot] = this.messages.get(record.message);
    this.eventCount[slot]++;
    this.eventTotal++;
    if (record.seq > 0) this.appendSequence(slot, record.seq);
  }

  /** Every row, oldest activity first, as columns. */
  image(): TableImage {
    const jobs = this.size;
    const positions = new IdHash((position) => ids[position] as string, jobs);
    const columns = emptyColumns(jobs, this.sequenceCount, 0);
    const ids: string[] = [];
    const errors = new Map<number, JobError>();
    const pastWorkers = new Map<number, number[]>();
    const messages: string[] = [];
    const messageNumbers = new Map<string, number>();
    let position = 0;
    let cellAt = 0;
    for (let slot = this.oldest; slot !== NONE; slot = this.newer[slot] as number) {
      ids.push(this.ids[slot] as string);
      positions.insert(this.ids[slot] as string, position);
      const error = this.errors.get(slot);
      if (error) errors.set(position, error);
      const past = this.pastWorkers.get(slot);
      if (past) pastWorkers.set(position, past);
      const message = this.lastMessage[slot] ?? null;
      let number = -1;
      if (message !== null) {
        number = messageNumbers.get(message) ?? messages.length;
        if (number === messages.length) {
          messages.push(message);
          messageNumbers.set(message, number);
        }
      }
      columns.message[position] = number;
      columns.status[position] = this.status[slot] as number;
      columns.queue[position] = this.queue[slot] as number;
      columns.worker[position] = this.worker[slot] as number;
      columns.lastType[position] = this.lastType[slot] as number;
      columns.attempts[position] = this.attempts[slot] as number;
      columns.eventCount[position] = this.eventCount[slot] as number;
      columns.firstTime[position] = this.firstTime[slot] as number;
      columns.lastTime[position] = this.lastTime[slot] as number;
      columns.duration[position] = this.duration[slot] as number;
      columns.sequenceCount[position] = this.seqCount[slot] as number;
      for (let cell = this.seqHead[slot] as number; cell !== NONE; cell = this.cellNext[cell] as number) columns.sequences[cellAt++] = this.cellSeq[cell] as number;
      position++;
    }
    columns.idTable = positions.column();
    return { names: [...this.names.all()], messages, ids, errors, pastWorkers, columns };
  }

  /**
   * Replaces everything with an image: whole columns copied at once, so that a restart reads 200,000
   * jobs in a few tens of milliseconds. An image whose id table disagrees with its ids (a job listed
   * twice, say) is refused and leaves the table empty. The table takes the image's arrays as they are.
   */
  load(image: TableImage): void {
    this.clear();
    const { columns: c, ids } = image;
    const jobs = ids.length;
    for (const name of image.names) this.names.id(name);
    this.growRows(jobs);
    this.ids = ids;
    try {
      this.slotOf.load(c.idTable, jobs, jobs);
      // Every job must be found where it is: this also refuses a job listed twice.
      for (let slot = 0; slot < jobs; slot++) {
        const found = this.slotOf.find(ids[slot] as string);
        if (found !== slot) throw new Error(found === undefined ? `job ${ids[slot]} is missing from the id table` : `job ${ids[slot]} appears twice`);
      }
    } catch (error) {
      this.clear();
      throw error;
    }
    this.lastMessage = Array.from(c.message, (number) => (number < 0 ? null : (image.messages[number] ?? null)));
    for (const [position, error] of image.errors) this.errors.set(position, error);
    for (const [position, workers] of image.pastWorkers) this.pastWorkers.set(position, workers);
    // A restart is ready without it; see `prepareSearch`.
    this.searchText.rebuildLater();
    this.status.set(c.status);
    this.queue.set(c.queue);
    this.worker.set(c.worker);
    this.lastType.set(c.lastType);
    this.attempts.set(c.attempts);
    this.eventCount.set(c.eventCount);
    this.firstTime.set(c.firstTime);
    this.lastTime.set(c.lastTime);
    this.duration.set(c.duration);
    this.seqCount.set(c.sequenceCount);
    const cells = c.sequences.length;
    this.cellSeq = grown(this.cellSeq, cells);
    this.cellNext = grown(this.cellNext, cells);
    this.cellSeq.set(c.sequences);
    let cell = 0;
    for (let slot = 0; slot < jobs; slot++) {
      this.older[slot] = slot - 1;
      this.newer[slot] = slot + 1 < jobs ? slot + 1 : NONE;
      const count = c.sequenceCount[slot] as number;
      this.seqHead[slot] = count > 0 ? cell : NONE;
      this.seqTail[slot] = count > 0 ? cell + count - 1 : NONE;
      for (let i = 0; i < count; i++, cell++) {
        this.cellNext[cell] = i + 1 < count ? cell + 1 : NONE;
        if ((this.cellSeq[cell] as number) < this.lowestSequence) this.lowestSequence = this.cellSeq[cell] as number;
      }
    }
    this.slotsUsed = jobs;
    this.cellsUsed = cells;
    this.sequenceCount = cells;
    this.eventTotal = c.eventCount.reduce((sum, count) => sum + count, 0);
    this.oldest = jobs > 0 ? 0 : NONE;
    this.newest = jobs > 0 ? jobs - 1 : NONE;
  }

  jobId(slot: number): string {
    return this.ids[slot] as string;
  }

  statusOf(slot: number): JobStatus {
    return JOB_STATUSES[this.status[slot] as number] as JobStatus;
  }

  /** The status as its position in JOB_STATUSES. */
  statusCodeOf(slot: number): number {
    return this.status[slot] as number;
  }

  /** Name numbers (see `names`), or -1. */
  queueId(slot: number): number {
    return this.queue[slot] as number;
  }

  workerId(slot: number): number {
    return this.worker[slot] as number;
  }

  /**
   * Name numbers of the workers the job's events named before its current one (`workerId`), or
   * undefined. A change makes a new array, so an unchanged list is the same array.
   */
  pastWorkersOf(slot: number): readonly number[] | undefined {
    return this.pastWorkers.get(slot);
  }

  attemptsOf(slot: number): number {
    return this.attempts[slot] as number;
  }

  /** The last completion's duration in ms, NaN when none said it. */
  durationOf(slot: number): number {
    return this.duration[slot] as number;
  }

  lastErrorOf(slot: number): JobError | null {
    return this.errors.get(slot) ?? null;
  }

  /** The ids of the jobs that have a last error: a walk over the few that do, not over every row. */
  *idsWithError(): IterableIterator<string> {
    for (const slot of this.errors.keys()) yield this.ids[slot] as string;
  }

  overview(slot: number): JobOverview {
    const queue = this.queue[slot] as number;
    const worker = this.worker[slot] as number;
    const lastType = this.lastType[slot] as number;
    const error = this.errors.get(slot);
    return {
      jobId: this.ids[slot] as string,
      status: this.statusOf(slot),
      queue: queue === NONE ? null : this.names.name(queue),
      worker: worker === NONE ? null : this.names.name(worker),
      firstTime: this.firstTime[slot] as number,
      lastTime: this.lastTime[slot] as number,
      attempts: this.attempts[slot] as number,
      lastError: error ? { ...error } : null,
      lastEventType: lastType === NONE ? '' : this.names.name(lastType),
      lastMessage: this.lastMessage[slot] ?? null,
      eventCount: this.eventCount[slot] as number,
    };
  }

  summary(slot: number): JobSummary {
    return { ...this.overview(slot), sequences: this.sequences(slot) };
  }

  sequences(slot: number): number[] {
    const out: number[] = [];
    for (let cell = this.seqHead[slot] as number; cell !== NONE; cell = this.cellNext[cell] as number) out.push(this.cellSeq[cell] as number);
    return out;
  }

  /**
   * Rows newest activity first that pass `filter`: the slots of the page [offset, offset + limit) and
   * how many passed in all. One tight loop over the columns, as a page of a filtered list must come
   * back in milliseconds at 200,000 jobs.
   */
  select(filter: RowFilter, offset: number, limit: number): { slots: number[]; total: number } {
    const status = filter.status === undefined ? -1 : (STATUS_CODES.get(filter.status) as number);
    const { queue, worker, search } = filter;
    const activeFrom = filter.activeFrom ?? Number.NEGATIVE_INFINITY;
    const activeTo = filter.activeTo ?? Number.POSITIVE_INFINITY;
    const timed = filter.activeFrom !== undefined || filter.activeTo !== undefined;
    const slots: number[] = [];
    const end = offset + limit;
    if (status < 0 && queue === undefined && worker === undefined && search === undefined && !timed) {
      let position = 0;
      for (let slot = this.newest; slot !== NONE && position < end; slot = this.older[slot] as number, position++) {
        if (position >= offset) slots.push(slot);
      }
      return { slots, total: this.size };
    }
    const found = search === undefined ? 0 : this.searchText.search(search);
    const marks = this.searchText.marks;
    let total = 0;
    for (let slot = this.newest; slot !== NONE; slot = this.older[slot] as number) {
      if (status >= 0 && this.status[slot] !== status) continue;
      if (queue !== undefined && this.queue[slot] !== queue) continue;
      if (worker !== undefined && this.worker[slot] !== worker && !this.pastWorkers.get(slot)?.includes(worker)) continue;
      if (search !== undefined && marks[slot] !== found) continue;
      if (timed && ((this.lastTime[slot] as number) < activeFrom || (this.firstTime[slot] as number) >= activeTo)) continue;
      if (total >= offset && total < end) slots.push(slot);
      total++;
    }
    return { slots, total };
  }

  /** Builds the search text a load left out, if it has not been built yet. */
  prepareSearch(): void {
    this.searchText.catchUp();
  }

  /** Rows oldest activity first: the order a snapshot keeps. */
  *oldestFirst(): IterableIterator<number> {
    for (let slot = this.oldest; slot !== NONE; ) {
      const next = this.newer[slot] as number;
      yield slot;
      slot = next;
    }
  }

  oldestSlot(): number | undefined {
    return this.oldest === NONE ? undefined : this.oldest;
  }

  /**
   * Drops a row's sequences for which `gone` holds; the event count follows. Returns how many went;
   * the caller removes a row left without any.
   */
  forgetSequences(slot: number, gone: (seq: number) => boolean): number {
    let removed = 0;
    let previous = NONE;
    for (let cell = this.seqHead[slot] as number; cell !== NONE; ) {
      const next = this.cellNext[cell] as number;
      if (gone(this.cellSeq[cell] as number)) {
        if (previous === NONE) this.seqHead[slot] = next;
        else this.cellNext[previous] = next;
        if (this.seqTail[slot] === cell) this.seqTail[slot] = previous;
        this.releaseCell(cell);
        removed++;
      } else {
        previous = cell;
      }
      cell = next;
    }
    if (removed > 0) {
      this.seqCount[slot] -= removed;
      this.eventTotal -= (this.eventCount[slot] as number) - (this.seqCount[slot] as number);
      this.eventCount[slot] = this.seqCount[slot] as number;
      this.sequenceCount -= removed;
    }
    return removed;
  }

  /** Whether any sequence below `firstSeq` may still be held: cheap, so expiry checks can run often. */
  holdsBelow(firstSeq: number): boolean {
    return this.sequenceCount > 0 && this.lowestSequence < firstSeq;
  }

  /** Called after every row was cleared of sequences below `firstSeq`. */
  forgotBelow(firstSeq: number): void {
    this.lowestSequence = Math.max(this.lowestSequence, firstSeq);
  }

  sequenceCountOf(slot: number): number {
    return this.seqCount[slot] as number;
  }

  /** Makes `worker` the job's current worker; the one it replaces stays among the job's workers. */
  private workOn(slot: number, worker: number): void {
    const was = this.worker[slot] as number;
    this.worker[slot] = worker;
    if (was === NONE || was === worker) return;
    const past = (this.pastWorkers.get(slot) ?? []).filter((other) => other !== worker);
    if (!past.includes(was)) past.push(was);
    this.pastWorkers.set(slot, past);
  }

  /** What the event type numbered `type` (named `name`) does to a job: see `effectOf`. */
  private effect(type: number, name: string): number {
    if (type >= this.typeEffects.length) this.typeEffects = grown(this.typeEffects, type + 1);
    let effect = this.typeEffects[type] as number;
    if (effect === 0) {
      effect = effectOf(name);
      this.typeEffects[type] = effect;
    }
    return effect;
  }

  private appendSequence(slot: number, seq: number): void {
    const cell = this.takeCell();
    this.cellSeq[cell] = seq;
    this.cellNext[cell] = NONE;
    const tail = this.seqTail[slot] as number;
    if (tail === NONE) this.seqHead[slot] = cell;
    else this.cellNext[tail] = cell;
    this.seqTail[slot] = cell;
    this.seqCount[slot]++;
    this.sequenceCount++;
    if (seq < this.lowestSequence) this.lowestSequence = seq;
  }

  private takeCell(): number {
    if (this.freeCell !== NONE) {
      const cell = this.freeCell;
      this.freeCell = this.cellNext[cell] as number;
      return cell;
    }
    const cell = this.cellsUsed++;
    if (cell >= this.cellSeq.length) {
      this.cellSeq = grown(this.cellSeq, cell + 1);
      this.cellNext = grown(this.cellNext, cell + 1);
    }
    return cell;
  }

  private releaseCell(cell: number): void {
    this.cellNext[cell] = this.freeCell;
    this.freeCell = cell;
  }

  private linkNewest(slot: number): void {
    this.older[slot] = this.newest;
    this.newer[slot] = NONE;
    if (this.newest !== NONE) this.newer[this.newest] = slot;
    this.newest = slot;
    if (this.oldest === NONE) this.oldest = slot;
  }

  private unlink(slot: number): void {
    const older = this.older[slot] as number;
    const newer = this.newer[slot] as number;
    if (older === NONE) this.oldest = newer;
    else this.newer[older] = newer;
    if (newer === NONE) this.newest = older;
    else this.older[newer] = older;
  }

  private growRows(length: number): void {
    this.status = grown(this.status, length);
    this.queue = grown(this.queue, length);
    this.worker = grown(this.worker, length);
    this.lastType = grown(this.lastType, length);
    this.firstTime = grown(this.firstTime, length);
    this.lastTime = grown(this.lastTime, length);
    this.duration = grown(this.duration, length);
    this.attempts = grown(this.attempts, length);
    this.eventCount = grown(this.eventCount, length);
    this.older = grown(this.older, length);
    this.newer = grown(this.newer, length);
    this.seqHead = grown(this.seqHead, length);
    this.seqTail = grown(this.seqTail, length);
    this.seqCount = grown(this.seqCount, length);
  }
}
