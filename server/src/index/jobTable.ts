import { isFailureType } from '../model/eventType';
import { IdHash } from './idHash';
import { IdPool } from './idPool';
import type { IndexRecord } from './indexRecord';
import { adoptRows, ColumnName, columnOf, emptyRows, grown, growRows, NONE, NumberColumn, resetRow, StoredColumns } from './jobColumns';
import { JOB_STATUSES, JobStatus, transitionOf } from './jobStatus';
import type { JobError, JobOverview, JobSummary } from './jobSummary';
import { MessageCache } from './messageCache';
import { NameTable } from './nameTable';
import { RecencyList } from './recencyList';
import { ErrorTable, JobErrors } from './jobErrors';
import { errorText, SearchText } from './searchText';
import { SequenceLists, type SequencePage } from './sequenceLists';

/** How many jobs a snapshot's load looks up in its id table (see `load`). */
const ID_CHECKS = 4096;

const STATUS_CODES = new Map<JobStatus, number>(JOB_STATUSES.map((status, code) => [status, code]));

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

/** The whole table as a snapshot keeps it. */
export interface TableImage {
  names: string[];
  /** Each distinct last message once. */
  messages: string[];
  /** Ids by position. */
  ids: IdPool;
  errors: ErrorTable;
  /** By position: the name numbers of the job's earlier workers (see `workersOf`), for jobs that had any. */
  pastWorkers: Map<number, number[]>;
  /** The columns of numbers, but the sequences. */
  columns: StoredColumns;
  /** Every job's sequences, loaded from the image's sequences column as it was read. */
  sequences: SequenceLists;
}

/** The table as a snapshot writes it (see `JobTable.view`): what `TableImage` holds, with its columns in slices. */
export interface TableView {
  jobs: number;
  /** Sequences over all jobs: the length of the `sequences` column. */
  sequences: number;
  /** What the loaded pool should count sequences from (see `SequenceLists.offsetBase`). */
  sequenceBase: number;
  /** Whether the `sequences` column holds whole sequences rather than offsets (see `SequenceLists.isWide`). */
  wideSequences: boolean;
  idBuckets: number;
  names: string[];
  messages: string[];
  errors: ErrorTable;
  pastWorkers: Map<number, number[]>;
  /** A column, in slices that together are the whole column in position order; a slice may be reused by the next. */
  column(name: ColumnName): Iterable<NumberColumn>;
  /** By position, ids kept as strings rather than bytes (see `IdPool`). */
  wideIds: Map<number, string>;
  /** How each position's id is kept (see `IdPool.lengthCodeOf`), in slices. */
  idLengths(): Iterable<Uint16Array>;
  /** The bytes of the ids by position, in slices. */
  idBytes(): Iterable<Uint8Array>;
}

/** A search-only page sorts the rows it found when they are fewer than one in this many rows. */
const FEW_HITS = 8;

/** Rows (and sequences) per slice of a `TableView`: 256 kB for a 4-byte column. */
const VIEW_SLICE = 65_536;

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
 * Every job's summary in columns of typed arrays, one row (a slot) per job: 200,000 jobs as objects,
 * each with its own array of sequences, cost about 400 bytes a job and long garbage-collection pauses;
 * as columns they cost about a third of that and the collector has almost nothing to walk. The
 * columns are those of `JOB_COLUMNS`; rows are also linked in order of last activity (`RecencyList`),
 * and each job's stream sequences are kept in a shared pool (`SequenceLists`).
 */
export class JobTable {
  readonly names = new NameTable();
  private readonly messages = new MessageCache();
  /** Errors repeat far more than last messages (a failing path fails the same way): one copy of each type and message. */
  private readonly errorTexts = new MessageCache();
  private ids = new IdPool();
  private readonly slotOf = new IdHash({ hashOf: (slot) => this.ids.hashOf(slot), matches: (slot, id) => this.ids.matches(slot, id) });
  private lastMessage: (string | null)[] = [];
  private readonly errors = new JobErrors();
  /**
   * A row's last error. Its id is searched in the id pool, its queue and worker among the names: a
   * few hundred names rather than a copy per row, which was half of the text a search reads.
   */
  private readonly searchText = new SearchText(
    (slot) => [errorText(this.errors.kindOf(slot))],
    // Only a row with an error has text: a catch-up that visited every row took 200-380 ms at 2,000,000 jobs.
    () => this.errors.slots(),
  );
  /** By the type's name number: per event, an array read rather than lookups by the type's name. */
  private typeEffects = new Uint8Array(64);
  /** By slot, for the few jobs that moved between workers: the workers before the current one. */
  private readonly pastWorkers = new Map<number, number[]>();
  private readonly rows = emptyRows(1024);
  private readonly recency = new RecencyList();
  private sequenceLists = new SequenceLists();
  private slotsUsed = 0;
  private readonly freeSlots: number[] = [];
  /** Events counted over all jobs: `eventCount` summed. */
  eventTotal = 0;

  get size(): number {
    return this.slotOf.size;
  }

  /** Sequences held over all jobs. */
  get sequenceCount(): number {
    return this.sequenceLists.total;
  }

  find(jobId: string): number | undefined {
    return this.slotOf.find(jobId);
  }

  /** A new row for `jobId`, the newest. */
  add(jobId: string, time: number): number {
    const slot = this.freeSlots.pop() ?? this.slotsUsed++;
    if (slot >= this.rows.status.length) this.growRows(slot + 1);
    this.ids.set(slot, jobId);
    this.slotOf.insert(jobId, slot);
    resetRow(this.rows, slot, time);
    this.searchText.set(slot);
    this.lastMessage[slot] = null;
    this.sequenceLists.start(slot);
    this.recency.add(slot);
    return slot;
  }

  /**
   * Empties a row, its summary and its sequences, where it stands in the activity order: for a job
   * whose summary is built again from the events the stream still holds. `time`: its first event's.
   */
  clearRow(slot: number, time: number): void {
    this.eventTotal -= this.rows.eventCount[slot] as number;
    this.sequenceLists.release(slot);
    resetRow(this.rows, slot, time);
    this.lastMessage[slot] = null;
    this.errors.delete(slot);
    this.pastWorkers.delete(slot);
    this.searchText.set(slot);
  }

  /** The stream sequences a row holds, in stream order. */
  sequencesOf(slot: number): number[] {
    return this.sequenceLists.of(slot);
  }

  lastSequenceOf(slot: number): number | undefined {
    return this.sequenceLists.lastOf(slot);
  }

  /** Moves a row to the newest end of the activity order. */
  touch(slot: number): void {
    this.recency.touch(slot);
  }

  remove(slot: number): void {
    this.recency.remove(slot);
    this.eventTotal -= this.rows.eventCount[slot] as number;
    this.sequenceLists.release(slot);
    this.slotOf.remove(this.ids.get(slot));
    this.ids.remove(slot);
    this.lastMessage[slot] = null;
    this.errors.delete(slot);
    this.pastWorkers.delete(slot);
    this.searchText.remove(slot);
    this.freeSlots.push(slot);
  }

  clear(): void {
    this.slotOf.clear();
    this.searchText.clear();
    this.ids.clear();
    this.lastMessage = [];
    this.errors.clear();
    this.pastWorkers.clear();
    this.names.clear();
    this.typeEffects.fill(0);
    this.freeSlots.length = 0;
    this.slotsUsed = 0;
    this.sequenceLists.clear();
    this.recency.clear();
    this.eventTotal = 0;
  }

  /** Folds one event, in stream order, into its job's row. */
  apply(slot: number, record: IndexRecord): void {
    const rows = this.rows;
    // Its subject says which job it belongs to, nothing more: held (the timeline shows the problem), never believed.
    if (!record.decoded) {
      rows.eventCount[slot]++;
      this.eventTotal++;
      if (record.seq > 0) this.sequenceLists.append(slot, record.seq);
      return;
    }
    // Queue and worker first: names are numbered in the order they are met, and snapshots keep them so.
    const errorBefore = this.errors.kindOf(slot);
    if (record.queue) rows.queue[slot] = this.names.id(record.queue);
    if (record.worker) this.workOn(slot, this.names.id(record.worker));
    const type = this.names.id(record.type);
    const effect = this.effect(type, record.type);
    if ((effect & MOVES_TO) !== 0) rows.status[slot] = (effect & MOVES_TO) - 1;
    if (record.time < (rows.firstTime[slot] as number)) rows.firstTime[slot] = record.time;
    if (record.time > (rows.lastTime[slot] as number)) rows.lastTime[slot] = record.time;
    if ((effect & STARTS) !== 0) rows.attempts[slot]++;
    if (record.type === 'completed') rows.duration[slot] = record.durationMs ?? Number.NaN;
    // A failure without details (max_retries_exceeded, say) keeps the error that caused it.
    if (record.errorType || record.errorMessage || ((effect & FAILS) !== 0 && !this.errors.has(slot))) {
      this.errors.set(slot, { type: this.errorTexts.get(record.errorType), message: this.errorTexts.get(record.errorMessage), eventType: this.names.name(type), seq: record.seq || null });
    }
    // The search text holds the error as "Type: message": taken in again when it changes.
    const error = this.errors.kindOf(slot);
    if (error !== errorBefore && (error?.type !== errorBefore?.type || error?.message !== errorBefore?.message)) this.searchText.set(slot);
    rows.lastType[slot] = type;
    this.lastMessage[slot] = this.messages.get(record.message);
    rows.eventCount[slot]++;
    this.eventTotal++;
    if (record.seq > 0) this.sequenceLists.append(slot, record.seq);
  }

  /**
   * Every row, oldest activity first, as a snapshot writes it: the columns read from the live rows a
   * slice at a time rather than copied whole (at 2,000,000 jobs the copy added 360 MB to the peak).
   * Valid only while the table does not change: a save reads it synchronously.
   */
  view(): TableView {
    const jobs = this.size;
    const order = new Int32Array(jobs);
    let position = 0;
    for (const slot of this.recency.oldestFirst()) order[position++] = slot;
    const ids = this.ids;
    const wideIds = new Map<number, string>();
    /** By slot: its position. The id table is saved as the live one with each slot replaced by its position: an id's bucket depends on the id alone. */
    const positionOf = new Int32Array(this.slotsUsed);
    const messages: string[] = [];
    const messageNumbers = new Map<string, number>();
    const messageColumn = new Int32Array(jobs);
    const pastWorkers = new Map<number, number[]>();
    for (let at = 0; at < jobs; at++) {
      const slot = order[at] as number;
      positionOf[slot] = at;
      const wide = ids.wideId(slot);
      if (wide !== undefined) wideIds.set(at, wide);
      const past = this.pastWorkers.get(slot);
      if (past) pastWorkers.set(at, past);
      const message = this.lastMessage[slot] ?? null;
      let number = NONE;
      if (message !== null) {
        number = messageNumbers.get(message) ?? messages.length;
        if (number === messages.length) {
          messages.push(message);
          messageNumbers.set(message, number);
        }
      }
      messageColumn[at] = number;
    }
    const lists = this.sequenceLists;
    const rows = this.rows;
    /** A column's values in position order, `VIEW_SLICE` at a time, through one reused array. */
    function* gathered<T extends NumberColumn | Uint16Array>(slice: T, valueAt: (slot: number) => number): Iterable<T> {
      for (let from = 0; from < jobs; from += VIEW_SLICE) {
        const length = Math.min(VIEW_SLICE, jobs - from);
        for (let i = 0; i < length; i++) slice[i] = valueAt(order[from + i] as number);
        yield slice.subarray(0, length) as T;
      }
    }
    const live = this.slotOf.column();
    function* idTable(): Iterable<Int32Array> {
      const slice = new Int32Array(Math.min(VIEW_SLICE, live.length));
      for (let from = 0; from < live.length; from += VIEW_SLICE) {
        const length = Math.min(VIEW_SLICE, live.length - from);
        for (let i = 0; i < length; i++) {
          const slot = live[from + i] as number;
          slice[i] = slot < 0 ? slot : (positionOf[slot] as number);
        }
        yield slice.subarray(0, length);
      }
    }
    function* sequences(): Iterable<SequencePage> {
      const slice = lists.isWide ? new Float64Array(VIEW_SLICE) : new Uint32Array(VIEW_SLICE);
      let at = 0;
      for (let p = 0; p < jobs; p++) {
        const slot = order[p] as number;
        const count = lists.countOf(slot);
        if (at + count > VIEW_SLICE && at > 0) {
          yield slice.subarray(0, at);
          at = 0;
        }
        if (count > VIEW_SLICE) {
          const whole = lists.isWide ? new Float64Array(count) : new Uint32Array(count);
          lists.copyInto(slot, whole, 0);
          yield whole;
        } else at = lists.copyInto(slot, slice, at);
      }
      if (at > 0) yield slice.subarray(0, at);
    }
    return {
      jobs,
      sequences: lists.total,
      sequenceBase: lists.offsetBase,
      wideSequences: lists.isWide,
      idBuckets: this.slotOf.column().length,
      names: [...this.names.all()],
      messages,
      errors: this.errors.table(order),
      pastWorkers,
      column(name: ColumnName): Iterable<NumberColumn> {
        switch (name) {
          case 'message':
            return [messageColumn];
          case 'idTable':
            return idTable();
          case 'sequenceCount':
            return gathered(columnOf(name, Math.min(VIEW_SLICE, jobs)), (slot) => lists.countOf(slot));
          case 'sequences':
            return sequences();
          default: {
            const column = rows[name];
            return gathered(columnOf(name, Math.min(VIEW_SLICE, jobs)), (slot) => column[slot] as number);
          }
        }
      },
      wideIds,
      idLengths(): Iterable<Uint16Array> {
        const slice = new Uint16Array(Math.min(VIEW_SLICE, jobs));
        return gathered(slice, (slot) => ids.lengthCodeOf(slot));
      },
      *idBytes(): Iterable<Uint8Array> {
        const slice = new Uint8Array(VIEW_SLICE);
        let at = 0;
        for (let p = 0; p < jobs; p++) {
          const slot = order[p] as number;
          // A narrow id is shorter than a slice (see `IdPool`).
          if (at + ids.lengthCodeOf(slot) > VIEW_SLICE) {
            yield slice.subarray(0, at);
            at = 0;
          }
          at = ids.copyInto(slot, slice, at);
        }
        if (at > 0) yield slice.subarray(0, at);
      },
    };
  }

  /**
   * Replaces everything with an image: the row columns are taken as they are, so that a restart
   * reads 200,000 jobs in a few tens of milliseconds. An image whose id table disagrees with its ids
   * (a job listed twice, say) is refused and leaves the table empty.
   */
  load(image: TableImage): void {
    this.clear();
    const { columns: c, ids } = image;
    const jobs = c.status.length;
    for (const name of image.names) this.names.id(name);
    this.ids = ids;
    try {
      this.slotOf.load(c.idTable, jobs, jobs);
      // The file's checksum has shown these are the bytes its writer wrote, from a table that was
      // consistent. Left to catch: a reader whose id hash differs from the writer's, which misplaces
      // nearly every job. A sample spread over the table finds that (a small table is checked whole);
      // finding every one of 2,000,000 jobs took 0.55 s of a restart.
      const step = Math.max(1, Math.floor(jobs / ID_CHECKS));
      for (let slot = 0; slot < jobs; slot += step) {
        const id = ids.get(slot);
        const found = this.slotOf.find(id);
        if (found !== slot) throw new Error(found === undefined ? `job ${id} is missing from the id table` : `job ${id} appears twice`);
      }
    } catch (error) {
      this.clear();
      throw error;
    }
    const lastMessage = new Array<string | null>(jobs);
    for (let slot = 0; slot < jobs; slot++) {
      const number = c.message[slot] as number;
      lastMessage[slot] = number < 0 ? null : (image.messages[number] ?? null);
    }
    this.lastMessage = lastMessage;
    this.errors.load(image.errors);
    for (const [position, workers] of image.pastWorkers) this.pastWorkers.set(position, workers);
    // A restart is ready without it; see `prepareSearch`.
    this.searchText.rebuildLater();
    adoptRows(this.rows, c);
    this.sequenceLists = image.sequences;
    this.recency.loadInOrder(jobs);
    this.slotsUsed = jobs;
    this.eventTotal = c.eventCount.reduce((sum, count) => sum + count, 0);
  }

  jobId(slot: number): string {
    return this.ids.get(slot);
  }

  statusOf(slot: number): JobStatus {
    return JOB_STATUSES[this.rows.status[slot] as number] as JobStatus;
  }

  /** The status as its position in JOB_STATUSES. */
  statusCodeOf(slot: number): number {
    return this.rows.status[slot] as number;
  }

  /** Name numbers (see `names`), or -1. */
  queueId(slot: number): number {
    return this.rows.queue[slot] as number;
  }

  workerId(slot: number): number {
    return this.rows.worker[slot] as number;
  }

  /**
   * Name numbers of the workers the job's events named before its current one (`workerId`), or
   * undefined. A change makes a new array, so an unchanged list is the same array.
   */
  pastWorkersOf(slot: number): readonly number[] | undefined {
    return this.pastWorkers.get(slot);
  }

  /** The few jobs that moved between workers, with the workers before their current one. */
  pastWorkerLists(): IterableIterator<[slot: number, workers: readonly number[]]> {
    return this.pastWorkers.entries();
  }

  attemptsOf(slot: number): number {
    return this.rows.attempts[slot] as number;
  }

  /** The last completion's duration in ms, NaN when none said it. */
  durationOf(slot: number): number {
    return this.rows.duration[slot] as number;
  }

  lastErrorOf(slot: number): JobError | null {
    return this.errors.get(slot) ?? null;
  }

  /** The ids of the jobs that have a last error. */
  *idsWithError(): IterableIterator<string> {
    for (const slot of this.errors.slots()) yield this.ids.get(slot);
  }

  overview(slot: number): JobOverview {
    const rows = this.rows;
    const queue = rows.queue[slot] as number;
    const worker = rows.worker[slot] as number;
    const lastType = rows.lastType[slot] as number;
    const error = this.errors.get(slot);
    return {
      jobId: this.ids.get(slot),
      status: this.statusOf(slot),
      queue: queue === NONE ? null : this.names.name(queue),
      worker: worker === NONE ? null : this.names.name(worker),
      firstTime: rows.firstTime[slot] as number,
      lastTime: rows.lastTime[slot] as number,
      attempts: rows.attempts[slot] as number,
      lastError: error ? { ...error } : null,
      lastEventType: lastType === NONE ? '' : this.names.name(lastType),
      lastMessage: this.lastMessage[slot] ?? null,
      eventCount: rows.eventCount[slot] as number,
    };
  }

  summary(slot: number): JobSummary {
    return { ...this.overview(slot), sequences: this.sequences(slot) };
  }

  sequences(slot: number): number[] {
    return this.sequenceLists.of(slot);
  }

  /**
   * Rows newest activity first that pass `filter`: the slots of the page [offset, offset + limit) and
   * how many passed in all. One tight loop over the columns, as a page of a filtered list must come
   * back in milliseconds at 200,000 jobs; it stops at the page's last row when the caller knows the
   * total (`counted`) from its own counts.
   */
  select(filter: RowFilter, offset: number, limit: number, counted?: number): { slots: number[]; total: number } {
    const status = filter.status === undefined ? -1 : (STATUS_CODES.get(filter.status) as number);
    const { queue, worker, search } = filter;
    const activeFrom = filter.activeFrom ?? Number.NEGATIVE_INFINITY;
    const activeTo = filter.activeTo ?? Number.POSITIVE_INFINITY;
    const timed = filter.activeFrom !== undefined || filter.activeTo !== undefined;
    const slots: number[] = [];
    const end = offset + limit;
    if (counted === 0) return { slots, total: 0 };
    const recency = this.recency;
    if (status < 0 && queue === undefined && worker === undefined && search === undefined && !timed) {
      let position = 0;
      for (let slot = recency.newest; slot !== NONE && position < end; slot = recency.older(slot), position++) {
        if (position >= offset) slots.push(slot);
      }
      return { slots, total: this.size };
    }
    const found = search === undefined ? 0 : this.search(search);
    const marks = this.searchText.marks;
    if (search !== undefined && status < 0 && queue === undefined && worker === undefined && !timed) {
      counted ??= this.searchText.found;
      // Few rows found: put in order by rank, rather than walking past every newer row (most of 2,000,000).
      const hits = this.searchText.hits;
      if (hits && hits.length * FEW_HITS < this.size) {
        const newestFirst = Array.from(hits).sort((a, b) => recency.rank(b) - recency.rank(a));
        return { slots: newestFirst.slice(offset, end), total: counted };
      }
    }
    const rows = this.rows;
    let total = 0;
    for (let slot = recency.newest; slot !== NONE; slot = recency.older(slot)) {
      if (status >= 0 && rows.status[slot] !== status) continue;
      if (queue !== undefined && rows.queue[slot] !== queue) continue;
      if (worker !== undefined && rows.worker[slot] !== worker && !this.pastWorkers.get(slot)?.includes(worker)) continue;
      if (search !== undefined && marks[slot] !== found) continue;
      if (timed && ((rows.lastTime[slot] as number) < activeFrom || (rows.firstTime[slot] as number) >= activeTo)) continue;
      if (total >= offset && total < end) slots.push(slot);
      if (++total >= end && counted !== undefined) break;
    }
    return { slots, total: counted ?? total };
  }

  /**
   * Stamps the rows whose id or last error holds `term` (lower case), or whose queue or current
   * worker does; returns the stamp (see `SearchText.search`).
   */
  private search(term: string): number {
    const found = this.searchText.search(term);
    this.ids.search(term, (slot) => this.searchText.stampAlso(slot));
    const names = this.names.all();
    const named = new Uint8Array(names.length);
    let any = false;
    for (let id = 0; id < names.length; id++) {
      if ((names[id] as string).toLowerCase().includes(term)) {
        named[id] = 1;
        any = true;
      }
    }
    if (!any) return found;
    const { queue, worker } = this.rows;
    for (let slot = 0; slot < this.slotsUsed; slot++) {
      if (named[queue[slot] as number] === 1 || named[worker[slot] as number] === 1) {
        if (this.ids.has(slot)) this.searchText.stampAlso(slot);
      }
    }
    return found;
  }

  /** Builds the search text a load or a build left out, if it has not been built yet. */
  prepareSearch(): void {
    this.searchText.catchUp();
  }

  /** Leaves the search text out until `prepareSearch` or the next search (a build's many changes). */
  deferSearch(): void {
    this.searchText.rebuildLater();
  }

  /** Rows oldest activity first: the order a snapshot keeps. */
  oldestFirst(): IterableIterator<number> {
    return this.recency.oldestFirst();
  }

  oldestSlot(): number | undefined {
    const oldest = this.recency.oldest;
    return oldest === NONE ? undefined : oldest;
  }

  /**
   * Drops a row's sequences for which `gone` holds; the event count follows. Returns how many went;
   * the caller removes a row left without any.
   */
  forgetSequences(slot: number, gone: (seq: number) => boolean): number {
    const removed = this.sequenceLists.forget(slot, gone);
    if (removed > 0) {
      const held = this.sequenceLists.countOf(slot);
      this.eventTotal -= (this.rows.eventCount[slot] as number) - held;
      this.rows.eventCount[slot] = held;
    }
    return removed;
  }

  /** Whether any sequence below `firstSeq` may still be held: cheap, so expiry checks can run often. */
  holdsBelow(firstSeq: number): boolean {
    return this.sequenceLists.holdsBelow(firstSeq);
  }

  /** Called after every row was cleared of sequences below `firstSeq`. */
  forgotBelow(firstSeq: number): void {
    this.sequenceLists.forgotBelow(firstSeq);
  }

  sequenceCountOf(slot: number): number {
    return this.sequenceLists.countOf(slot);
  }

  /** Makes `worker` the job's current worker; the one it replaces stays among the job's workers. */
  private workOn(slot: number, worker: number): void {
    const was = this.rows.worker[slot] as number;
    this.rows.worker[slot] = worker;
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

  private growRows(length: number): void {
    growRows(this.rows, length);
    this.ids.grow(length);
    this.recency.grow(length);
    this.sequenceLists.grow(length);
  }
}
