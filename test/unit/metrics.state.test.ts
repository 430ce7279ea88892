import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { JobIndex } from '../../server/src/index/jobIndex';
import { loadSnapshot, saveSnapshot } from '../../server/src/index/snapshot';
import type { MetricRecord } from '../../server/src/metrics/jobClock';
import { MetricsFeed } from '../../server/src/metrics/metricsFeed';
import { MetricsOptions, MetricsStore } from '../../server/src/metrics/metricsStore';
import type { MetricsQuery } from '../../server/src/protocol/metrics';
import { StreamHandler, StreamHandlers } from '../../server/src/processor/streamHandlers';
import { BlockReader } from '../../server/src/util/blockReader';
import { BlockWriter } from '../../server/src/util/blockWriter';

const DAY = 86_400;
const STREAM = { name: 'NAQ_JOB_EVENTS', created: '2026-12-01T00:00:00Z' };
const NOW = 1_780_000_000;
const dir = mkdtempSync(join(tmpdir(), 'naq-metrics-state-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * Jobs over the last three days (so both the minute and the hour buckets hold some), in 7 queues and
 * 11 workers, of every ending (with and without `duration_ms`, retried, timed out, cancelled, still
 * running), their events interleaved in time order as a stream stores them.
 */
function jobStream(jobs: number): MetricRecord[] {
  const next = random(42);
  const events: Omit<MetricRecord, 'seq'>[] = [];
  for (let j = 0; j < jobs; j++) {
    const jobId = `job-${j}`;
    const queue = `queue-${j % 7}`;
    const worker = `worker-${j % 11}`;
    let t = NOW - 3 * DAY + next() * 3 * DAY;
    const add = (type: string, more: Partial<MetricRecord> = {}): void => {
      events.push({ jobId, type, time: t, queue, worker: type === 'enqueued' ? null : worker, durationMs: null, ...more });
      t += next() * 3 * 3_600;
    };
    add('enqueued');
    const kind = j % 6;
    if (kind === 5) {
      add('cancelled');
      continue;
    }
    add('started');
    if (kind === 0) add('completed', { durationMs: 50 + next() * 5_000 });
    else if (kind === 1) add('completed');
    else if (kind === 2) add('failed', { durationMs: next() * 2_000 });
    else if (kind === 3) {
      add('retry_scheduled');
      add('retry_started');
      add(next() < 0.5 ? 'timeout' : 'completed');
    }
    // kind 4: still running.
  }
  events.sort((a, b) => a.time - b.time);
  return events.map((event, i) => ({ ...event, seq: i + 1 }));
}

const QUERIES: MetricsQuery[] = [
  { from: NOW - 7 * DAY, to: NOW, step: 3_600, groupBy: 'none' },
  { from: NOW - 7 * DAY, to: NOW, step: 6 * 3_600, groupBy: 'queue' },
  { from: NOW - DAY + 60, to: NOW, step: 60, groupBy: 'worker' },
  { from: NOW - 6 * 3_600, to: NOW, step: 600, groupBy: 'queue', measures: ['runTime', 'queueWait'] },
  { from: NOW - 3 * 3_600, to: NOW, step: 300, groupBy: 'none', measures: ['counts', 'failureRate'] },
];

const answers = (store: MetricsStore): unknown[] => QUERIES.map((query) => store.query(query));

// Few groups allowed, so that `(other)` is among those saved.
const OPTIONS: MetricsOptions = { now: () => NOW, maxGroups: 5 };

function fed(records: readonly MetricRecord[], store = new MetricsStore(OPTIONS)): MetricsStore {
  for (const record of records) store.apply(record);
  return store;
}

test('metrics state: restored, the store answers as saved and goes on exactly as one fed every event, deletions and expiry included', () => {
  const records = jobStream(3_000);
  const half = Math.floor(records.length / 2);
  const before = fed(records.slice(0, half));
  const state = before.saveState();
  const restored = MetricsStore.restored(state, OPTIONS);
  assert.deepEqual(answers(restored), answers(before), 'the same answers right after the restore');
  assert.equal(restored.clockCount, before.clockCount, 'the clocks of jobs in flight');
  assert.ok(restored.clockCount > 100, `jobs in flight at the snapshot: ${restored.clockCount}`);
  assert.deepEqual(restored.saveState(), state, 'saved again, the same bytes');

  const whole = fed(records);
  fed(records.slice(half), restored);
  const expected = answers(whole);
  assert.deepEqual(answers(restored), expected, 'the same answers as a store that took every event');
  // Jobs with events on both sides of the snapshot are what the clocks are for.
  const straddling = [...new Set(records.slice(half).map((r) => r.jobId))].filter((id) => records.slice(0, half).some((r) => r.jobId === id));
  assert.ok(straddling.length > 50, `jobs across the snapshot: ${straddling.length}`);
  const uncounted = fed(records.slice(half));
  assert.notDeepEqual(answers(uncounted), expected, 'the events before the snapshot count');

  // A job deleted later takes back, from the restored buckets, what it added on both sides.
  for (const jobId of straddling.slice(0, 50)) {
    const own = records.filter((r) => r.jobId === jobId);
    whole.removeJob(jobId, own);
    restored.removeJob(jobId, own);
  }
  assert.deepEqual(answers(restored), answers(whole), 'deletions after the restore');
  assert.notDeepEqual(answers(restored), expected);
  // Expiry drops restored buckets as it drops any.
  const firstKept = records[half]?.seq as number;
  const dropped = whole.forgetBelow(firstKept);
  assert.ok(dropped > 0);
  assert.equal(restored.forgetBelow(firstKept), dropped);
  assert.deepEqual(answers(restored), answers(whole), 'expiry after the restore');
});

test('metrics state: a job started before the snapshot and ended after it gets its run time, and its wait once', () => {
  const store = fed([
    { seq: 1, jobId: 'a', type: 'enqueued', time: NOW - 600, queue: 'q', worker: null, durationMs: null },
    { seq: 2, jobId: 'a', type: 'started', time: NOW - 540, queue: 'q', worker: 'w', durationMs: null },
  ]);
  const restored = MetricsStore.restored(store.saveState(), OPTIONS);
  fed(
    [
      { seq: 3, jobId: 'a', type: 'retry_started', time: NOW - 500, queue: null, worker: 'w', durationMs: null },
      { seq: 4, jobId: 'a', type: 'completed', time: NOW - 420, queue: null, worker: 'w', durationMs: null },
    ],
    restored,
  );
  const [series] = restored.query({ from: NOW - 3_600, to: NOW, step: 3_600, groupBy: 'queue' }).series;
  assert.equal(series?.group, 'q', 'the queue the clock remembers');
  assert.equal(series?.totals.queueWait.count, 1, 'a retry is no second wait');
  assert.equal(series?.totals.runTime.count, 1);
  const runTime = series?.totals.runTime.p50 as number;
  assert.ok(Math.abs(runTime - 80_000) <= 800, `run time ${runTime} near 80 s, from the retry's start`);
});

test('metrics state: a cut, garbled or mismatched state is refused whole, naming why', () => {
  const state = fed(jobStream(200)).saveState();
  assert.throws(() => MetricsStore.restored(state.subarray(0, state.length - 3), OPTIONS), /the metrics state is cut short/);
  assert.throws(() => MetricsStore.restored(state.subarray(0, 2), OPTIONS), /the metrics state has no header/);
  const garbled = Uint8Array.from(state);
  garbled[4] = 0x78;
  assert.throws(() => MetricsStore.restored(garbled, OPTIONS), /the metrics state: the header is not JSON/);
  assert.throws(() => MetricsStore.restored(state, { ...OPTIONS, retention: 3 * DAY }), /hours holds buckets of 3600 s over 604800 s, not of 3600 s over 259200 s/);
  const longer = new Uint8Array(state.length + 8);
  longer.set(state);
  assert.throws(() => MetricsStore.restored(longer, OPTIONS), /holds 8 bytes past its last column/);

  // The feed keeps what it had when a state is refused.
  const feed = new MetricsFeed(() => undefined);
  feed.applied({ seq: 1, jobId: 'kept', type: 'enqueued', time: Date.now() / 1000, queue: 'q', worker: null, durationMs: null });
  const kept = feed.store;
  assert.throws(() => feed.restoreState(state.subarray(0, 100), 1), /cut short/);
  assert.equal(feed.store, kept);
  feed.stop();
});

test('stream handlers: states are taken by name, and a missing or unreadable one resets those restored and says why', () => {
  const logs: string[] = [];
  const handlers = new StreamHandlers((message) => logs.push(message));
  const calls: string[] = [];
  const keeper = (name: string, refuse = false): StreamHandler => ({
    name,
    saveState: () => new TextEncoder().encode(name),
    restoreState: (state, lastSeq) => {
      if (refuse) throw new Error('not mine');
      calls.push(`${name}:${new TextDecoder().decode(state)}@${lastSeq}`);
    },
    onReset: () => calls.push(`${name}:reset`),
  });
  handlers.use({ name: 'stateless', onReset: () => calls.push('stateless:reset') });
  handlers.use(keeper('a'));
  const removeB = handlers.use(keeper('b'));
  assert.throws(() => handlers.use(keeper('a')), /a stream handler named a already keeps its state in the snapshot/);
  handlers.use({ name: 'broken', saveState: () => { throw new Error('no room'); } });
  const states = handlers.states();
  assert.deepEqual([...states.keys()], ['a', 'b'], 'one that cannot save is left out');
  assert.match(logs.join('\n'), /handler broken failed on saving its state .*no room/);

  assert.equal(handlers.restore(states, 9), undefined);
  assert.deepEqual(calls, ['a:a@9', 'b:b@9']);
  calls.length = 0;
  assert.equal(handlers.restore(new Map([['a', states.get('a') as Uint8Array]]), 9), 'the snapshot holds no state of b');
  assert.deepEqual(calls, ['a:a@9', 'a:reset'], 'a, restored before b was found missing, is reset');
  removeB();
  handlers.use(keeper('c', true));
  calls.length = 0;
  assert.equal(handlers.restore(new Map([...states, ['c', new Uint8Array(1)]]), 9), 'the state of c in the snapshot is unreadable: not mine');
  assert.deepEqual(calls, ['a:a@9', 'a:reset', 'c:reset']);
});

test('snapshot: the handlers\' states load back with the index', async () => {
  const file = join(dir, 'index.snapshot');
  const metrics = fed(jobStream(300)).saveState();
  const index = new JobIndex();
  index.lastSeq = 1_234;
  await saveSnapshot(file, index, STREAM, new Map([['metrics', metrics], ['other', Uint8Array.of(1, 2, 3)]]));
  const outcome = await loadSnapshot(file, STREAM);
  assert.ok(outcome.loaded, outcome.loaded ? '' : outcome.reason);
  assert.equal(outcome.index.lastSeq, 1_234);
  assert.deepEqual([...outcome.states.keys()], ['metrics', 'other']);
  assert.deepEqual(Uint8Array.from(outcome.states.get('metrics') as Uint8Array), metrics);
  assert.deepEqual(answers(MetricsStore.restored(outcome.states.get('metrics') as Uint8Array, OPTIONS)), answers(MetricsStore.restored(metrics, OPTIONS)));
  assert.deepEqual(Uint8Array.from(outcome.states.get('other') as Uint8Array), Uint8Array.of(1, 2, 3));
});

test('state blocks: counts kept in the narrowest unsigned type, columns read back as written, a wrong one named', () => {
  const out = new BlockWriter();
  out.field('format', 3);
  out.unsigned('small', Uint32Array.of(0, 1, 255));
  out.unsigned('medium', Uint32Array.of(256, 65_535));
  out.unsigned('large', Uint32Array.of(65_536, 4_000_000_000));
  out.column('times', Float64Array.of(1.5, Number.NaN));
  out.column('keys', Int16Array.of(-32_768, 32_767));
  const bytes = out.bytes();
  const from = new BlockReader(bytes, 'the test block');
  assert.deepEqual(from.column('small', 'Uint8Array'), Uint8Array.of(0, 1, 255), 'a byte per count below 256');
  assert.deepEqual(from.column('medium', 'Uint16Array'), Uint16Array.of(256, 65_535));
  assert.equal(from.number('format'), 3);
  assert.deepEqual(from.unsigned('small', 3), Uint32Array.of(0, 1, 255));
  assert.deepEqual(from.unsigned('medium'), Uint32Array.of(256, 65_535));
  assert.deepEqual(from.unsigned('large'), Uint32Array.of(65_536, 4_000_000_000));
  assert.deepEqual(from.column('times', 'Float64Array'), Float64Array.of(1.5, Number.NaN));
  assert.deepEqual(from.column('keys', 'Int16Array'), Int16Array.of(-32_768, 32_767));
  assert.throws(() => from.column('small', 'Uint32Array'), /the test block: the column small holds Uint8Array, not Uint32Array/);
  assert.throws(() => from.unsigned('small', 4), /the column small holds 3 values, not 4/);
  assert.throws(() => from.column('missing', 'Int16Array'), /the test block has no column missing/);
  assert.throws(() => from.strings('format'), /the test block: format must be a list of strings/);
  // Read from an odd offset, as a block sits in a snapshot file: the columns are copied, not viewed.
  const shifted = new Uint8Array(bytes.length + 1);
  shifted.set(bytes, 1);
  assert.deepEqual(new BlockReader(shifted.subarray(1), 'shifted').unsigned('large'), Uint32Array.of(65_536, 4_000_000_000));
  assert.throws(() => out.column('keys', Int16Array.of(1)), /already has a column keys/);
  assert.throws(() => out.column('buffer', Buffer.from('x')), /the column buffer is a Buffer, not one of/);
});
