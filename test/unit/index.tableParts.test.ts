import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adoptRows, columnOf, emptyRows, growRows, JOB_COLUMNS, NONE, resetRow, ROW_COLUMNS, UNKNOWN_STATUS, type StoredColumns } from '../../server/src/index/jobColumns';
import { JobErrors } from '../../server/src/index/jobErrors';
import { RecencyList } from '../../server/src/index/recencyList';
import { LeftOutJobs } from '../../server/src/index/leftOutJobs';
import { SequenceLists } from '../../server/src/index/sequenceLists';

const newestFirst = (list: RecencyList): number[] => {
  const out: number[] = [];
  for (let slot = list.newest; slot !== NONE; slot = list.older(slot)) out.push(slot);
  return out;
};

test('job columns: the snapshot lays the columns out in this order, each aligned to its element size', () => {
  // Changing JOB_COLUMNS changes the snapshot format: this must then move with VERSION in snapshot.ts.
  assert.deepEqual(
    JOB_COLUMNS.map((c) => c.name),
    ['status', 'queue', 'worker', 'lastType', 'message', 'attempts', 'eventCount', 'sequenceCount', 'idTable', 'firstTime', 'lastTime', 'duration', 'sequences'],
  );
  // The sequences last, whatever their width: a load needs every job's count of them first.
  const sizes = JOB_COLUMNS.slice(0, -1).map((c) => c.type.BYTES_PER_ELEMENT);
  assert.deepEqual([...sizes].sort((a, b) => a - b), sizes, 'narrow columns first, so no column needs more than the 8-byte padding');
});

test('job columns: every column is made of its own type', () => {
  for (const { name, type } of JOB_COLUMNS) {
    const column = columnOf(name, 3);
    assert.equal(column.constructor, type, name);
    assert.equal(column.length, 3, name);
  }
});

test('job columns: a new row starts empty, with its first time; rows grow without losing data; an image’s rows are taken as they are', () => {
  const rows = emptyRows(2);
  resetRow(rows, 1, 1_700_000_000.5);
  assert.equal(rows.status[1], UNKNOWN_STATUS);
  assert.deepEqual([rows.queue[1], rows.worker[1], rows.lastType[1]], [NONE, NONE, NONE]);
  assert.deepEqual([rows.attempts[1], rows.eventCount[1]], [0, 0]);
  assert.deepEqual([rows.firstTime[1], rows.lastTime[1]], [1_700_000_000.5, 1_700_000_000.5]);
  assert.ok(Number.isNaN(rows.duration[1]));
  rows.attempts[1] = 4;
  growRows(rows, 100);
  for (const { name } of ROW_COLUMNS) assert.ok(rows[name].length >= 100, name);
  assert.equal(rows.attempts[1], 4);
  const image = Object.fromEntries(JOB_COLUMNS.filter(({ name }) => name !== 'sequences').map(({ name }) => [name, columnOf(name, 1)])) as unknown as StoredColumns;
  image.attempts[0] = 4;
  image.worker[0] = NONE;
  const back = emptyRows(4);
  adoptRows(back, image);
  assert.equal(back.attempts, image.attempts, 'the same array, not a copy');
  assert.deepEqual([back.attempts[0], back.worker[0], back.status.length], [4, NONE, 1]);
});

test('recency list: new and touched rows go to the newest end; removal relinks the neighbours', () => {
  const list = new RecencyList();
  for (const slot of [0, 1, 2, 3]) list.add(slot);
  assert.deepEqual(newestFirst(list), [3, 2, 1, 0]);
  list.touch(1);
  assert.deepEqual(newestFirst(list), [1, 3, 2, 0]);
  list.touch(1);
  assert.deepEqual(newestFirst(list), [1, 3, 2, 0]);
  list.remove(0);
  list.remove(1);
  assert.deepEqual(newestFirst(list), [3, 2]);
  assert.deepEqual([list.oldest, list.newest], [2, 3]);
  assert.deepEqual([...list.oldestFirst()], [2, 3]);
  list.clear();
  assert.deepEqual([list.oldest, list.newest], [NONE, NONE]);
});

test('recency list: ranks follow the order through touches, loads and running out of ranks', () => {
  const byRank = (list: RecencyList, slots: number[]): number[] => [...slots].sort((a, b) => list.rank(b) - list.rank(a));
  const list = new RecencyList(6);
  for (const slot of [0, 1, 2, 3]) list.add(slot);
  list.touch(1);
  list.touch(0);
  assert.deepEqual(byRank(list, [0, 1, 2, 3]), newestFirst(list));
  // The limit of 6 is reached: the next move numbers every row again, oldest first, then ranks the moved one.
  list.touch(2);
  assert.deepEqual(newestFirst(list), [2, 0, 1, 3]);
  assert.deepEqual([list.rank(3), list.rank(1), list.rank(0), list.rank(2)], [1, 2, 3, 4]);
  list.remove(1);
  list.add(1);
  assert.deepEqual(byRank(list, [0, 1, 2, 3]), newestFirst(list));
  list.loadInOrder(3);
  assert.deepEqual(byRank(list, [0, 1, 2]), [2, 1, 0]);
});

test('recency list: grows past its first arrays, loads in snapshot order, and a walk survives removing where it is', () => {
  const list = new RecencyList();
  list.grow(5_000);
  for (let slot = 0; slot < 5_000; slot++) list.add(slot);
  assert.equal(newestFirst(list).length, 5_000);
  list.loadInOrder(3);
  assert.deepEqual([...list.oldestFirst()], [0, 1, 2]);
  for (const slot of list.oldestFirst()) list.remove(slot);
  assert.deepEqual([list.oldest, list.newest], [NONE, NONE]);
  list.loadInOrder(0);
  assert.deepEqual([...list.oldestFirst()], []);
});

test('sequence lists: each row keeps its sequences in order; freed cells are reused', () => {
  const lists = new SequenceLists();
  lists.start(0);
  lists.start(1);
  for (const seq of [5, 6, 9]) lists.append(0, seq);
  lists.append(1, 7);
  assert.deepEqual(lists.of(0), [5, 6, 9]);
  assert.deepEqual(lists.of(1), [7]);
  assert.equal(lists.total, 4);
  lists.release(0);
  assert.deepEqual([lists.of(0), lists.countOf(0), lists.total], [[], 0, 1]);
  lists.start(2);
  for (let seq = 10; seq < 5_000; seq++) lists.append(2, seq);
  assert.equal(lists.countOf(2), 4_990);
  assert.equal(lists.of(2)[4_989], 4_999);
});

test('sequence lists: forgetting keeps the rest in order and the tail appendable; the lower bound follows', () => {
  const lists = new SequenceLists();
  lists.start(0);
  for (const seq of [3, 4, 5, 6]) lists.append(0, seq);
  assert.equal(lists.holdsBelow(4), true);
  assert.equal(lists.forget(0, (seq) => seq === 3 || seq === 6), 2);
  lists.forgotBelow(4);
  assert.equal(lists.holdsBelow(4), false);
  assert.equal(lists.holdsBelow(5), true);
  lists.append(0, 8);
  assert.deepEqual(lists.of(0), [4, 5, 8]);
  assert.equal(lists.total, 3);
});

test('sequence lists: load takes counts and cells as a snapshot keeps them, and copyInto writes them back so', () => {
  const lists = new SequenceLists();
  lists.load(Uint32Array.of(2, 0, 1), 10, false, (into) => into.set([0, 1, 2]));
  assert.deepEqual([lists.of(0), lists.of(1), lists.of(2)], [[10, 11], [], [12]]);
  assert.equal(lists.total, 3);
  assert.equal(lists.holdsBelow(11), true);
  lists.append(1, 13);
  const out = new Uint32Array(4);
  let at = 0;
  for (const slot of [0, 1, 2]) at = lists.copyInto(slot, out, at);
  assert.deepEqual([...out], [0, 1, 3, 2]);
});

test('job errors: each slot keeps its own sequence; jobs that failed the same way share one kind; a missing text is not an empty one', () => {
  const errors = new JobErrors();
  errors.set(70_000, { type: 'ValueError', message: 'no route', eventType: 'failed', seq: 9 });
  errors.set(3, { type: 'ValueError', message: 'no route', eventType: 'failed', seq: 4 });
  errors.set(5, { type: 'ValueError', message: 'no route', eventType: 'timeout', seq: null });
  errors.set(6, { type: null, message: '', eventType: 'failed', seq: 7 });
  errors.set(8, { type: '', message: null, eventType: 'failed', seq: 8 });
  assert.equal(errors.size, 5);
  assert.deepEqual(errors.get(3), { type: 'ValueError', message: 'no route', eventType: 'failed', seq: 4 });
  assert.deepEqual(errors.get(70_000), { type: 'ValueError', message: 'no route', eventType: 'failed', seq: 9 });
  assert.equal(errors.kindOf(3), errors.kindOf(70_000), 'one object for the same error');
  assert.notEqual(errors.kindOf(3), errors.kindOf(5), 'another event type is another kind');
  assert.deepEqual(errors.get(5), { type: 'ValueError', message: 'no route', eventType: 'timeout', seq: null });
  assert.deepEqual(errors.get(6), { type: null, message: '', eventType: 'failed', seq: 7 });
  assert.deepEqual(errors.get(8), { type: '', message: null, eventType: 'failed', seq: 8 });
  assert.deepEqual([...errors.slots()], [3, 5, 6, 8, 70_000]);
  assert.equal(errors.get(4), undefined);
  assert.equal(errors.has(4), false);
  // A new error replaces the slot's; deleting twice counts once.
  errors.set(3, { type: 'KeyError', message: 'k', eventType: 'failed', seq: 11 });
  assert.deepEqual(errors.get(3), { type: 'KeyError', message: 'k', eventType: 'failed', seq: 11 });
  errors.delete(5);
  errors.delete(5);
  assert.equal(errors.size, 4);
  assert.deepEqual([...errors.slots()], [3, 6, 8, 70_000]);
  errors.clear();
  assert.equal(errors.size, 0);
  assert.deepEqual([...errors.slots()], []);
});

test('job errors: a table loaded back gives each position its error; the same error shares a kind, one message with another type or event type does not', () => {
  const errors = new JobErrors();
  errors.set(70_000, { type: 'ValueError', message: 'no route', eventType: 'failed', seq: 9 });
  errors.set(3, { type: 'ValueError', message: 'no route', eventType: 'failed', seq: 4 });
  errors.set(5, { type: 'ValueError', message: 'no route', eventType: 'timeout', seq: null });
  errors.set(9, { type: 'KeyError', message: 'no route', eventType: 'failed', seq: 12 });
  errors.set(10, { type: 'KeyError', message: 'no route', eventType: 'failed', seq: 13 });
  errors.set(6, { type: null, message: '', eventType: 'failed', seq: 7 });
  errors.set(8, { type: '', message: null, eventType: 'failed', seq: 8 });
  const order = Int32Array.from([70_000, 3, 5, 9, 10, 6, 8, 2]);
  const loaded = new JobErrors();
  loaded.set(1, { type: 'Gone', message: 'replaced by the load', eventType: 'failed', seq: 1 });
  loaded.load(errors.table(order));
  assert.equal(loaded.size, 7);
  for (const [position, slot] of order.entries()) assert.deepEqual(loaded.get(position), errors.get(slot), `position ${position}`);
  assert.equal(loaded.kindOf(0), loaded.kindOf(1), 'one object for the same error');
  assert.notEqual(loaded.kindOf(1), loaded.kindOf(2), 'another event type is another kind');
  assert.notEqual(loaded.kindOf(1), loaded.kindOf(3), 'another type is another kind');
  assert.equal(loaded.kindOf(3), loaded.kindOf(4), 'one object for the same other type');
  assert.deepEqual([...loaded.slots()], [0, 1, 2, 3, 4, 5, 6]);
  // Then it goes on as a table built error by error does.
  loaded.delete(2);
  loaded.set(5_000, { type: 'E', message: 'm', eventType: 'failed', seq: 20 });
  loaded.set(7, { type: 'E', message: 'm', eventType: 'failed', seq: 21 });
  assert.equal(loaded.size, 8);
  assert.deepEqual([...loaded.slots()], [0, 1, 3, 4, 5, 6, 7, 5_000]);
  assert.deepEqual(loaded.get(5_000), { type: 'E', message: 'm', eventType: 'failed', seq: 20 });
  assert.deepEqual(loaded.get(0), errors.get(70_000));
});

test('sequence lists: rows interleaved over several pages keep their own sequences', () => {
  const lists = new SequenceLists();
  for (const slot of [0, 1, 2]) lists.start(slot);
  for (let seq = 1_000; seq < 1_000 + 200_000; seq++) lists.append(seq % 3, seq);
  assert.equal(lists.total, 200_000);
  for (const slot of [0, 1, 2]) {
    const seqs = lists.of(slot);
    assert.ok(seqs.every((seq, i) => seq % 3 === slot && (i === 0 || seq === (seqs[i - 1] as number) + 3)), `row ${slot} in order`);
  }
  assert.equal(lists.forget(1, (seq) => seq < 150_000), 49_667, "1,000, 1,003 … 149,998");
  assert.deepEqual(lists.of(1).slice(0, 2), [150_001, 150_004]);
});

test('sequence lists: sequences below the first held, or 2^32 past it, are kept whole', () => {
  const lists = new SequenceLists();
  lists.start(0);
  lists.start(1);
  lists.append(0, 500);
  lists.append(1, 20);
  lists.append(0, 500 + 2 ** 32);
  lists.append(1, 2 ** 53 - 1);
  assert.deepEqual([lists.of(0), lists.of(1)], [[500, 500 + 2 ** 32], [20, 2 ** 53 - 1]]);
});

/** A pool's cells as `copyInto` gives them, read back a page at a time as a snapshot's load reads them. */
function reloaded(saved: SequenceLists, rows: number): SequenceLists {
  const counts = Uint32Array.from({ length: rows }, (_, slot) => saved.countOf(slot));
  const cells = saved.isWide ? new Float64Array(saved.total) : new Uint32Array(saved.total);
  let at = 0;
  for (let slot = 0; slot < rows; slot++) at = saved.copyInto(slot, cells, at);
  const lists = new SequenceLists();
  let read = 0;
  lists.load(counts, saved.offsetBase, saved.isWide, (into) => {
    into.set(cells.subarray(read, read + into.length));
    read += into.length;
  });
  assert.equal(read, saved.total);
  return lists;
}

test('sequence lists: a reloaded pool counts from the base the saved one had, narrow or wide, and goes on from there', () => {
  const saved = new SequenceLists();
  for (const slot of [0, 1]) saved.start(slot);
  for (const [slot, seq] of [[1, 7], [0, 900], [1, 8]] as const) saved.append(slot, seq);
  assert.deepEqual([saved.offsetBase, saved.isWide], [7, false]);
  const lists = reloaded(saved, 2);
  lists.append(0, 901);
  assert.deepEqual([lists.of(0), lists.of(1), lists.holdsBelow(8), lists.holdsBelow(7)], [[900, 901], [7, 8], true, false]);
  // A sequence 2^32 past the first made the saved pool wide: the reloaded one is too.
  saved.append(0, 8 + 2 ** 40);
  assert.equal(saved.isWide, true);
  const wide = reloaded(saved, 2);
  wide.append(1, 3);
  assert.deepEqual([wide.of(0), wide.of(1), wide.lastOf(0)], [[900, 8 + 2 ** 40], [7, 8, 3], 8 + 2 ** 40]);
});

test('sequence lists: a load over several pages gives each row its own sequences, and goes on from there', () => {
  const counts = Uint32Array.from({ length: 40_000 }, (_, row) => 1 + (row % 9));
  const saved = new SequenceLists();
  saved.grow(counts.length);
  const expected: number[][] = [];
  let seq = 5_000;
  for (let row = 0; row < counts.length; row++) {
    saved.start(row);
    expected.push(Array.from({ length: counts[row] as number }, () => (seq += 1 + (seq % 3))));
  }
  // Appended interleaved, as a stream has them: the saved pool's cells are not in row order.
  for (let i = 0; i < 9; i++) for (let row = 0; row < counts.length; row++) if (i < (counts[row] as number)) saved.append(row, expected[row]?.[i] as number);
  const lists = reloaded(saved, counts.length);
  assert.equal(lists.total, expected.flat().length);
  for (let row = 0; row < counts.length; row += 997) assert.deepEqual(lists.of(row), expected[row], `row ${row}`);
  assert.equal(lists.lastOf(39_999), expected[39_999]?.at(-1));
  lists.append(7, seq + 10);
  assert.deepEqual(lists.of(7), [...(expected[7] as number[]), seq + 10]);
  assert.equal(lists.forget(8, (s) => s === expected[8]?.[0]), 1);
  assert.deepEqual(lists.of(8), expected[8]?.slice(1));
  const first = expected[0]?.[0] as number;
  assert.ok(lists.holdsBelow(first + 1) && !lists.holdsBelow(first));
});

test('jobs left out: counted while the stream holds their newest sequence, whatever order they were let go in', () => {
  const leftOut = new LeftOutJobs();
  const seqs = Array.from({ length: 5_000 }, (_, i) => 10 + i * 2 + (i % 7 === 0 ? 5 : 0));
  for (const seq of seqs) leftOut.add(seq);
  assert.equal(leftOut.count, 5_000);
  for (const firstSeq of [0, 11, 3_000, 9_999, 10_015, 20_000]) {
    leftOut.forgetBelow(firstSeq);
    assert.equal(leftOut.count, seqs.filter((seq) => seq >= firstSeq).length, `first sequence ${firstSeq}`);
  }
  leftOut.load([30, 10, 20]);
  assert.deepEqual(leftOut.toArray(), [10, 20, 30]);
  for (let seq = 40; seq < 3_000; seq++) leftOut.add(seq);
  leftOut.forgetBelow(2_990);
  assert.deepEqual(leftOut.toArray(), [2_990, 2_991, 2_992, 2_993, 2_994, 2_995, 2_996, 2_997, 2_998, 2_999]);

  const reused = new LeftOutJobs();
  for (let seq = 1; seq <= 1_024; seq++) reused.add(seq);
  reused.forgetBelow(1_000);
  for (let seq = 1_025; seq <= 1_030; seq++) reused.add(seq);
  assert.deepEqual(reused.toArray(), Array.from({ length: 31 }, (_, i) => 1_000 + i), 'the room forgotten at the front is used again');
});

test('sequence lists: a row past the shared blocks has an array of its own, and one that eviction leaves short goes back', () => {
  const lists = new SequenceLists();
  for (const slot of [0, 1, 2]) lists.start(slot);
  lists.append(0, 1);
  for (let seq = 2; seq < 30_002; seq++) lists.append(seq % 2 === 0 ? 1 : 2, seq);
  lists.append(0, 30_002);
  assert.deepEqual([lists.countOf(1), lists.countOf(2), lists.of(0)], [15_000, 15_000, [1, 30_002]]);
  assert.equal(lists.forget(1, (seq) => seq < 29_990), 14_994);
  assert.deepEqual(lists.of(1), [29_990, 29_992, 29_994, 29_996, 29_998, 30_000]);
  lists.append(1, 40_000);
  assert.equal(lists.lastOf(1), 40_000);
  const row2 = lists.of(2);
  assert.ok(row2.length === 15_000 && row2.every((seq, i) => seq === 3 + 2 * i), 'the other long row is untouched');
  assert.equal(lists.forget(2, () => true), 15_000);
  assert.deepEqual([lists.of(2), lists.lastOf(2), lists.total], [[], undefined, 9]);
  lists.append(2, 50_000);
  assert.deepEqual(lists.of(2), [50_000]);
});

test('sequence lists: blocks freed by released rows are taken again, and widening leaves them usable', () => {
  const lists = new SequenceLists();
  for (let slot = 0; slot < 100; slot++) {
    lists.start(slot);
    for (let i = 0; i < slot % 12; i++) lists.append(slot, 1_000 + slot * 20 + i);
  }
  for (let slot = 0; slot < 100; slot += 2) lists.release(slot);
  // Widened while free blocks of many classes wait in their lists: the links in them must survive.
  lists.append(1, 1_000 + 2 ** 32);
  for (let slot = 0; slot < 100; slot += 2) {
    lists.start(slot);
    for (let i = 0; i < (slot + 5) % 12; i++) lists.append(slot, 2 ** 40 + slot * 20 + i);
  }
  for (let slot = 0; slot < 100; slot++) {
    const expected =
      slot % 2 === 0
        ? Array.from({ length: (slot + 5) % 12 }, (_, i) => 2 ** 40 + slot * 20 + i)
        : [...Array.from({ length: slot % 12 }, (_, i) => 1_000 + slot * 20 + i), ...(slot === 1 ? [1_000 + 2 ** 32] : [])];
    assert.deepEqual(lists.of(slot), expected, `row ${slot}`);
  }
  assert.equal(lists.isWide, true);
});

/** Loads rows of `counts` sequences, each read filled with the next numbers from `first` on; returns each read's length. */
function loadCounting(lists: SequenceLists, counts: Uint32Array, base: number, first: number): number[] {
  let next = first;
  const reads: number[] = [];
  lists.load(counts, base, false, (into) => {
    reads.push(into.length);
    for (let i = 0; i < into.length; i++) into[i] = next++;
  });
  return reads;
}

test('sequence lists: a load reads rows lying end to end in one go, across pages, empty rows and rows with room to spare', () => {
  // Exact sizes (up to 8) lie end to end; 12 takes a block of 12 or more, 0 takes none; 150,000 cells cross pages.
  const sizes = [5, 0, 3, 8, 12, 1, 5];
  const rows = 30_000;
  const counts = Uint32Array.from({ length: rows }, (_, slot) => sizes[slot % sizes.length] as number);
  const total = counts.reduce((sum, n) => sum + n, 0);
  const lists = new SequenceLists();
  const reads = loadCounting(lists, counts, 1_000, 5);
  assert.equal(reads.reduce((sum, n) => sum + n, 0), total, 'every sequence read once');
  assert.ok(total > 2 * 65_536 && reads.length < rows / 3, `runs of rows read together: ${reads.length} reads for ${rows} rows`);
  let expected = 1_005;
  for (let slot = 0; slot < rows; slot++) {
    const n = counts[slot] as number;
    assert.deepEqual(lists.of(slot), Array.from({ length: n }, (_, i) => expected + i), `row ${slot}`);
    expected += n;
  }
  assert.equal(lists.holdsBelow(1_005), false);
  assert.equal(lists.holdsBelow(1_006), true);
});

test('sequence lists: a load reads rows of every size, one with an array of its own included, and the rows then grow as usual', () => {
  const counts = Uint32Array.of(3, 0, 70_000, 9, 1);
  const total = counts.reduce((sum, n) => sum + n, 0);
  const lists = new SequenceLists();
  const reads = loadCounting(lists, counts, 100, 0);
  assert.equal(reads.reduce((sum, n) => sum + n, 0), total, 'every sequence read once');
  assert.ok(reads.length > 1, 'more than one read');
  assert.deepEqual(lists.of(0), [100, 101, 102]);
  assert.deepEqual(lists.of(1), []);
  const long = lists.of(2);
  assert.ok(long.length === 70_000 && long[0] === 103 && long[69_999] === 70_102);
  assert.deepEqual(lists.of(3), Array.from({ length: 9 }, (_, i) => 70_103 + i));
  assert.deepEqual(lists.of(4), [70_112]);
  assert.equal(lists.total, total);
  assert.equal(lists.holdsBelow(101), true);
  for (const slot of [0, 3, 4]) lists.append(slot, 80_000 + slot);
  assert.deepEqual([lists.lastOf(0), lists.countOf(3), lists.of(4)], [80_000, 10, [70_112, 80_004]]);
});
