import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { FailureStore, type FailureRecord } from '../../server/src/failures/failureStore';
import { PathMapper } from '../../server/src/failures/pathMapper';
import { parseTraceback } from '../../server/src/failures/traceback';
import { readFailureSettings } from '../../server/src/language/failureSettings';
import { BlockWriter } from '../../server/src/util/blockWriter';

const workspace = mkdtempSync(path.join(tmpdir(), 'naq-failures-store-'));
after(() => rmSync(workspace, { recursive: true, force: true }));
mkdirSync(path.join(workspace, 'jobs'));
const programs = path.join(__dirname, '..', 'fixtures', 'tracebacks');
writeFileSync(path.join(workspace, 'jobs', 'plain.py'), readFileSync(path.join(programs, 'programs', 'plain.py')));
const traceback = parseTraceback(readFileSync(path.join(programs, 'plain.py.txt'), 'utf8'));

function failure(jobId: string, time: number, queue: string): FailureRecord {
  return { jobId, seq: time, time, queue, worker: 'w1', errorType: 'str', errorMessage: `invalid literal for int() with base 10: '${jobId}'`, traceback, origin: 'result' };
}

test('failures of one bug group under one signature on the raise site; removal follows deletions', () => {
  const store = new FailureStore(new PathMapper([workspace]));
  const file = path.join(workspace, 'jobs', 'plain.py');
  assert.deepEqual([...store.put(failure('a', 7200, 'billing'))], [file]);
  store.put(failure('b', 7300, 'billing'));
  store.put(failure('c', 10900, 'reports'));
  const [summary] = store.summaries(0);
  assert.equal(summary.signature.type, 'ValueError');
  assert.deepEqual([summary.count, summary.firstSeen, summary.lastSeen], [3, 7200, 10900]);
  assert.deepEqual(summary.queues, ['billing', 'reports']);
  assert.deepEqual(summary.jobs, ['c', 'b', 'a']);
  assert.deepEqual([...summary.perHour], [[7200, 2], [10800, 1]]);
  const [latest] = store.inFile(file, 0);
  assert.deepEqual([latest.site?.line, latest.callers.map((caller) => caller.at.line)], [2, [9, 6]]);
  assert.equal(store.inFile(file, 8000).length, 1);
  assert.deepEqual([store.signatureCount(0), store.signatureCount(10900), store.signatureCount(11000)], [1, 1, 0]);
  store.remove('c');
  assert.deepEqual([store.summaries(0)[0].count, [...store.summaries(0)[0].perHour]], [2, [[7200, 2]]]);
  store.remove('a');
  store.remove('b');
  assert.deepEqual([store.summaries(0), store.files()], [[], []]);
});

test('a file with two bugs keeps the one left when the other is gone, and its failures are listed newest first across both', () => {
  const store = new FailureStore(new PathMapper([workspace]));
  const file = path.join(workspace, 'jobs', 'plain.py');
  store.put(failure('a', 7200, 'billing'));
  store.put({ ...failure('b', 7300, 'billing'), errorType: 'KeyError', errorMessage: "'tariff'" });
  store.put(failure('c', 7400, 'billing'));
  assert.equal(store.signatureCount(0), 2);
  assert.deepEqual(store.inFile(file, 0).map((placed) => placed.jobId), ['c', 'b', 'a']);
  assert.deepEqual([...store.remove('b')], [file]);
  assert.deepEqual([store.files(), store.inFile(file, 0).map((placed) => placed.jobId)], [[file], ['c', 'a']]);
  store.remove('a');
  store.remove('c');
  assert.deepEqual([store.files(), store.inFile(file, 0)], [[], []]);
});

test('failures stored in the same millisecond: the latest is the one stored last, in the group and in the file', () => {
  const store = new FailureStore(new PathMapper([workspace]));
  const file = path.join(workspace, 'jobs', 'plain.py');
  for (const [jobId, seq] of [['b', 12], ['c', 13], ['a', 11]] as const) store.put({ ...failure(jobId, 7200, 'billing'), seq });
  assert.deepEqual(store.summaries(0)[0].jobs, ['c', 'b', 'a']);
  assert.deepEqual(store.inFile(file, 0).map((placed) => placed.jobId), ['c', 'b', 'a']);
});

test('failures of one code path share one frame list and placement, released with their last failure', () => {
  const store = new FailureStore(new PathMapper([]));
  const text = readFileSync(path.join(programs, 'plain.py.txt'), 'utf8');
  // Each failure parses its own traceback, as each event decodes its own.
  const own = (jobId: string, time: number, queue: string): FailureRecord => ({ ...failure(jobId, time, queue), traceback: parseTraceback(text) });
  store.put(own('a', 7200, 'billing'));
  store.put(own('b', 7300, 'reports'));
  const [a, b] = [store.get('a'), store.get('b')];
  assert.ok(a && b);
  assert.equal(a.shape, b.shape);
  assert.equal(a.signature, b.signature);
  assert.equal(a.site, undefined, 'nothing maps into an empty workspace');
  assert.deepEqual(store.shared, { shapes: 1, names: 4 });
  // Placed again for a workspace that holds the file: the shared placement follows, for both failures.
  const file = path.join(workspace, 'jobs', 'plain.py');
  assert.deepEqual([...store.remap(new PathMapper([workspace]))], [file]);
  assert.deepEqual([store.get('a')?.site?.line, store.get('b')?.site?.line, store.inFile(file, 0).length], [2, 2, 2]);
  assert.equal(store.get('a')?.signature, store.get('b')?.signature);
  store.put({ ...own('b', 7400, 'reports'), traceback: undefined });
  assert.deepEqual(store.shared, { shapes: 2, names: 5 }, 'b now has no frames, and a type of its own');
  store.remove('a');
  store.remove('b');
  assert.deepEqual([store.shared, store.summaries(0), store.files()], [{ shapes: 0, names: 0 }, [], []]);
});

test('settings: defaults, and a broken field named while the others apply', () => {
  assert.deepEqual(readFailureSettings(undefined).settings, { pathMappings: [], severity: 'warning', windowHours: 24 });
  const { settings, problems } = readFailureSettings({ severity: 'loud', windowHours: 2 }, [{ remote: '/app', local: '/w' }]);
  assert.deepEqual([settings.severity, settings.windowHours, settings.pathMappings], ['warning', 2, [{ remote: '/app', local: '/w' }]]);
  assert.deepEqual(problems, ['naq.failures.severity must be one of error, warning, information, hint']);
});

test('the store saved for the snapshot comes back whole, placed for the workspace; a block that does not add up changes nothing', () => {
  const file = path.join(workspace, 'jobs', 'plain.py');
  const saved = new FailureStore(new PathMapper([workspace]));
  saved.put(failure('a', 7200, 'billing'));
  saved.put({ ...failure('b', 7300, 'billing'), origin: 'details', call: { function: 'handle', args: "({'amount': '12x'},)", kwargs: null } });
  saved.put({ ...failure('c', 10900, 'reports'), queue: null, worker: null, traceback: undefined, origin: undefined });
  const state = saved.saveState();
  const restored = new FailureStore(new PathMapper([workspace]));
  assert.deepEqual([...restored.restoreState(state)], [file]);
  const fields = (store: FailureStore, jobId: string) => {
    const f = store.get(jobId);
    return f && { jobId: f.jobId, seq: f.seq, time: f.time, queue: f.queue, worker: f.worker, type: f.type, message: f.message, origin: f.origin, call: f.call, signature: f.signature, site: f.site, frames: f.frames, callers: f.callers };
  };
  for (const jobId of ['a', 'b', 'c']) assert.deepEqual(fields(restored, jobId), fields(saved, jobId), jobId);
  assert.deepEqual(restored.summaries(0), saved.summaries(0));
  assert.deepEqual(restored.shared, saved.shared);
  assert.equal(restored.get('a')?.shape, restored.get('b')?.shape, 'one shared frame list per code path, as before');
  // Cut short, or of another format: refused, and the store keeps what it held.
  assert.throws(() => restored.restoreState(state.subarray(0, state.length - 1)), /the failures state/);
  const later = new BlockWriter();
  later.field('format', 3);
  assert.throws(() => restored.restoreState(later.bytes()), /the failures state is of format 3, not 2/);
  assert.equal(restored.size, 3);
  // Restored again over what it holds: replaced, not added to.
  restored.restoreState(new FailureStore(new PathMapper([workspace])).saveState());
  assert.deepEqual([restored.size, restored.shared], [0, { shapes: 0, names: 0 }]);
  // Restored over other failures, then added to and emptied one by one: each name and code path is held as often as
  // failures name it, so it goes with the last of them (as in a store that took the same failures one by one).
  restored.put(failure('z', 7400, 'reports'));
  restored.restoreState(state);
  saved.put(failure('d', 7500, 'billing'));
  restored.put(failure('d', 7500, 'billing'));
  for (const jobId of ['a', 'd', 'c', 'b']) {
    saved.remove(jobId);
    restored.remove(jobId);
    assert.deepEqual(restored.shared, saved.shared, `after removing ${jobId}`);
    assert.deepEqual(restored.summaries(0), saved.summaries(0), `after removing ${jobId}`);
  }
  assert.deepEqual([restored.size, restored.shared], [0, { shapes: 0, names: 0 }]);
});

test('failures removed from the middle of a signature leave the rest listed, and their rows serve new failures', () => {
  const store = new FailureStore(new PathMapper([workspace]));
  const file = path.join(workspace, 'jobs', 'plain.py');
  for (const [i, jobId] of ['a', 'b', 'c', 'd', 'e'].entries()) store.put(failure(jobId, 7200 + i, 'billing'));
  store.remove('b');
  store.remove('d');
  store.put(failure('f', 7300, 'reports'));
  store.put({ ...failure('g', 7301, 'billing'), errorType: 'KeyError', errorMessage: "'tariff'" });
  store.put(failure('a', 7302, 'reports'));
  const summaries = store.summaries(0);
  assert.deepEqual(
    summaries.map((s) => [s.signature.type, s.count, s.jobs, s.queues]),
    [
      ['ValueError', 4, ['a', 'f', 'e', 'c'], ['billing', 'reports']],
      ['KeyError', 1, ['g'], ['billing']],
    ],
  );
  assert.deepEqual(store.inFile(file, 7203).map((placed) => placed.jobId), ['a', 'g', 'f', 'e']);
  assert.deepEqual([store.get('b'), store.get('a')?.queue, store.get('g')?.type, store.size], [undefined, 'reports', 'KeyError', 5]);
  for (const jobId of ['a', 'c', 'e', 'f']) store.remove(jobId);
  assert.deepEqual([store.signatureCount(0), store.summaries(0)[0]?.jobs], [1, ['g']]);
});
