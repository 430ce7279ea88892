import { JOB_STATUSES } from './jobStatus';

/** "No name", "no message", "no row": the value of an empty number column. */
export const NONE = -1;
export const UNKNOWN_STATUS = JOB_STATUSES.indexOf('unknown');

/**
 * The job table's columns, once: the table's live arrays, how they grow and what a new row holds,
 * and the table image a snapshot writes (in this order, which keeps every column aligned to its
 * element size: 1-byte columns, then 4-byte, then 8-byte, then the sequences, which a load reads
 * once it has every job's count of them) all come from this list.
 *
 * `length` says what a column has one entry per: a job, a held stream sequence, or a bucket of the id
 * table. `row` marks the columns the live table keeps as they are, with the value a new row starts
 * with (`time`: the time of the job's first event); the others are the image's form of what the
 * table keeps otherwise (messages as strings, sequences in lists, ids in a hash).
 */
export const JOB_COLUMNS = [
  { name: 'status', type: Uint8Array, length: 'jobs', row: UNKNOWN_STATUS },
  /** Numbers in `names`, or -1. */
  { name: 'queue', type: Int32Array, length: 'jobs', row: NONE },
  { name: 'worker', type: Int32Array, length: 'jobs', row: NONE },
  { name: 'lastType', type: Int32Array, length: 'jobs', row: NONE },
  /** Numbers in the image's `messages`, or -1. */
  { name: 'message', type: Int32Array, length: 'jobs' },
  { name: 'attempts', type: Uint32Array, length: 'jobs', row: 0 },
  { name: 'eventCount', type: Uint32Array, length: 'jobs', row: 0 },
  /** How many of `sequences` are job i's: every job's sequences one job after another. */
  { name: 'sequenceCount', type: Uint32Array, length: 'jobs' },
  /** Job id → position, as `IdHash` keeps it. */
  { name: 'idTable', type: Int32Array, length: 'idBuckets' },
  { name: 'firstTime', type: Float64Array, length: 'jobs', row: 'time' },
  { name: 'lastTime', type: Float64Array, length: 'jobs', row: 'time' },
  /** The last completion's `duration_ms`, NaN when none said it. */
  { name: 'duration', type: Float64Array, length: 'jobs', row: Number.NaN },
  /** As the pool keeps them: offsets from the snapshot's `sequenceBase`, or whole sequences (8 bytes) when it says `wideSequences`. */
  { name: 'sequences', type: Uint32Array, length: 'sequences' },
] as const;

type Descriptor = (typeof JOB_COLUMNS)[number];
export type ColumnName = Descriptor['name'];
/** Spelled out rather than `InstanceType`, which would tie a column to a plain `ArrayBuffer`. */
type ArrayOf<D extends Descriptor> = D['type'] extends Float64ArrayConstructor
  ? Float64Array
  : D['type'] extends Uint32ArrayConstructor
    ? Uint32Array
    : D['type'] extends Int32ArrayConstructor
      ? Int32Array
      : Uint8Array;

/** The whole table as columns of numbers, one entry per job (oldest activity first) unless said otherwise. */
export type TableColumns = { [D in Descriptor as D['name']]: ArrayOf<D> };

/**
 * The columns a snapshot's reader holds whole. Sequences go straight into a `SequenceLists` as they are
 * read: at 10,000,000 events a whole column of them was 80 MB more at the peak of a restart.
 */
export type StoredColumns = Omit<TableColumns, 'sequences'>;
export type StoredColumnName = keyof StoredColumns;

type RowDescriptor = Extract<Descriptor, { row: number | 'time' }>;
export type RowColumnName = RowDescriptor['name'];
/** The columns the live table keeps per row, indexed by slot. */
export type RowColumns = { [D in RowDescriptor as D['name']]: ArrayOf<D> };

export type NumberColumn = TableColumns[ColumnName];

export const ROW_COLUMNS = JOB_COLUMNS.filter((d): d is RowDescriptor => 'row' in d);

function allocate(d: Descriptor, length: number): NumberColumn {
  return new d.type(length);
}

/** An empty column of `name`'s type. */
export function columnOf(name: ColumnName, length: number): NumberColumn {
  return allocate(JOB_COLUMNS.find((d) => d.name === name) as Descriptor, length);
}

export function emptyRows(length: number): RowColumns {
  return Object.fromEntries(ROW_COLUMNS.map((d) => [d.name, allocate(d, length)])) as RowColumns;
}

/** A copy of `column` at least `length` long (doubling, so that growth one row at a time stays linear), or `column` itself. */
export function grown<T extends NumberColumn | Uint8Array | Uint16Array>(column: T, length: number): T {
  if (length <= column.length) return column;
  const next = new (column.constructor as new (length: number) => T)(Math.max(length, column.length * 2));
  next.set(column);
  return next;
}

export function growRows(rows: RowColumns, length: number): void {
  const writable = rows as Record<RowColumnName, NumberColumn>;
  for (const { name } of ROW_COLUMNS) writable[name] = grown(writable[name], length);
}

/** Sets row `slot` to what a new job starts with; `time` is its first event's. */
export function resetRow(rows: RowColumns, slot: number, time: number): void {
  for (const { name, row } of ROW_COLUMNS) (rows[name] as NumberColumn)[slot] = row === 'time' ? time : row;
}

/** Makes an image's row columns the live ones, as they are (they grow as rows are added). */
export function adoptRows(rows: RowColumns, image: StoredColumns): void {
  const writable = rows as Record<RowColumnName, NumberColumn>;
  for (const { name } of ROW_COLUMNS) writable[name] = image[name];
}
