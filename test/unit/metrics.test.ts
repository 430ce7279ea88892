import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MetricRecord } from '../../server/src/metrics/jobClock';
import { MetricsStore, OTHER_GROUP } from '../../server/src/metrics/metricsStore';
import { BinTally } from '../../server/src/metrics/binTally';
import { BinStore } from '../../server/src/metrics/binStore';

/** A deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))] as number;
}

function assertWithin(actual: number | null, expected: number, what: string): void {
  assert.ok(actual !== null, `${what}: no value`);
  const error = expected === 0 ? Math.abs(actual) : Math.abs(actual - expected) / expected;
  assert.ok(error <= 0.02, `${what}: ${actual} against exact ${expected} (${(error * 100).toFixed(2)}%)`);
}

/** Values split over many bins, merged into one sketch: p50/p95/p99 within 2% of the exact ones. */
function checkMerged(values: number[], parts: number, what: string): void {
  const bins = new BinStore();
  bins.reserve(parts);
  values.forEach((value, i) => bins.add(i % parts, value));
  const sketch = new BinTally();
  for (let part = 0; part < parts; part++) bins.addTo(part, sketch);
  const sorted = [...values].sort((a, b) => a - b);
  for (const q of [0.5, 0.95, 0.99]) assertWithin(sketch.getValueAtQuantile(q), exactQuantile(sorted, q), `${what} p${q * 100}`);
}

test('merged sketch percentiles stay within 2% of exact ones on random data', () => {
  const next = random(7);
  checkMerged(Array.from({ length: 50_000 }, () => next() * 10_000), 1_440, 'uniform');
  checkMerged(Array.from({ length: 50_000 }, () => Math.exp(next() * 12)), 168, 'log-uniform');
  checkMerged(Array.from({ length: 20_000 }, () => -Math.log(1 - next()) * 250), 60, 'exponential');
});

test('merged sketch percentiles stay within 2% on adversarial data', () => {
  const next = random(11);
  // Two far-apart modes, with the percentiles falling right on the boundary between them.
  checkMerged(Array.from({ length: 10_000 }, (_, i) => (i % 100 < 95 ? 1 + next() : 1e6 + next())), 97, 'bimodal');
  // A long tail: one value in a thousand is huge.
  checkMerged(Array.from({ length: 10_000 }, (_, i) => (i % 1000 === 0 ? 3.6e6 : 5 + next())), 10, 'spike');
  // All the same, and sorted ascending into one bin per value.
  checkMerged(Array.from({ length: 5_000 }, () => 42), 5_000, 'constant');
  checkMerged(Array.from({ length: 5_000 }, (_, i) => i + 1), 5_000, 'ascending');
  // Sub-millisecond and zero durations.
  const small = Array.from({ length: 4_000 }, (_, i) => (i < 1_000 ? 0 : 0.001 + next() * 0.01));
  const sketch = new BinTally();
  const bins = new BinStore();
  bins.reserve(1);
  small.forEach((value) => bins.add(0, value));
  bins.addTo(0, sketch);
  assert.equal(sketch.getValueAtQuantile(0.1), 0);
  assertWithin(sketch.getValueAtQuantile(0.99), exactQuantile([...small].sort((a, b) => a - b), 0.99), 'small p99');
});

const T0 = 1_779_998_400; // on a whole hour
const NOW = T0 + 2 * 3_600;

function record(seq: number, jobId: string, type: string, time: number, more: Partial<MetricRecord> = {}): MetricRecord {
  return { seq, jobId, type, time, worker: 'w1', queue: 'default', durationMs: null, ...more };
}

/** A job enqueued at `at`, started `waitS` later, completed `runS` after that. */
function job(seq: number, jobId: string, at: number, waitS: number, runS: number, more: Partial<MetricRecord> = {}): MetricRecord[] {
  return [
    record(seq, jobId, 'enqueued', at, more),
    record(seq + 1, jobId, 'started', at + waitS, more),
    record(seq + 2, jobId, 'completed', at + waitS + runS, more),
  ];
}

test('run time comes from duration_ms, else from started to the end; queue wait from enqueued to the first start', () => {
  const store = new MetricsStore({ now: () => NOW });
  for (const r of job(1, 'a', T0, 2, 3)) store.apply(r);
  const b = T0 + 120;
  store.apply(record(4, 'b', 'enqueued', b));
  store.apply(record(5, 'b', 'started', b + 1));
  store.apply(record(6, 'b', 'failed', b + 9, { durationMs: 1234 }));
  store.apply(record(7, 'b', 'retry_scheduled', b + 10));
  store.apply(record(8, 'b', 'retry_started', b + 20));
  store.apply(record(9, 'b', 'timeout', b + 30));
  const [overall] = store.query({ from: T0, to: T0 + 3_600, step: 3_600, groupBy: 'none' }).series;
  assert.ok(overall);
  assert.deepEqual(overall.totals.counts, { enqueued: 2, started: 3, completed: 1, failed: 1, retried: 1, timedOut: 1, cancelled: 0 });
  assert.equal(overall.totals.failureRate, 2 / 3);
  assert.equal(overall.totals.runTime.count, 3);
  assert.equal(overall.totals.queueWait.count, 2, 'a retry is no second wait');
  // Per minute, within the sketch's 1%: `a` waited 2 s and ran 3 s; `b` ran 1234 ms by its own count, then its retry 10 s.
  const minutes = store.query({ from: T0, to: T0 + 180, step: 60, groupBy: 'none', measures: ['queueWait', 'runTime'] }).series[0];
  assertWithin(minutes?.queueWait?.[0]?.p50 ?? null, 2_000, 'wait of a');
  assertWithin(minutes?.runTime?.[0]?.p50 ?? null, 3_000, 'run time of a');
  assert.equal(minutes?.runTime?.[1]?.count, 0);
  assertWithin(minutes?.runTime?.[2]?.p50 ?? null, 1_234, 'run time of b');
  assert.equal(minutes?.runTime?.[2]?.count, 2, 'and the retry, from its start to its timeout');
  assert.equal(minutes?.counts, undefined, 'only the measures asked for');
});

test('minute buckets roll up into the same hourly totals, and a coarse step merges minutes', () => {
  const store = new MetricsStore({ now: () => NOW });
  const next = random(3);
  let seq = 1;
  for (let i = 0; i < 300; i++) {
    for (const r of job(seq, `j${i}`, T0 + Math.floor(next() * 7_000), next() * 5, next() * 60, { queue: i % 2 ? 'odd' : 'even' })) store.apply(r);
    seq += 3;
  }
  const minutes = store.query({ from: T0, to: T0 + 7_200, step: 60, groupBy: 'none' });
  const hours = store.query({ from: T0, to: T0 + 7_200, step: 3_600, groupBy: 'none' });
  const tenMinutes = store.query({ from: T0, to: T0 + 7_200, step: 600, groupBy: 'none' });
  assert.equal(minutes.step, 60);
  assert.equal(minutes.times.length, 120);
  assert.equal(hours.step, 3_600);
  assert.equal(tenMinutes.times.length, 12);
  const sum = (values: number[] | undefined): number => (values ?? []).reduce((a, b) => a + b, 0);
  const m = minutes.series[0];
  const h = hours.series[0];
  const t = tenMinutes.series[0];
  assert.ok(m && h && t);
  for (const type of ['enqueued', 'started', 'completed'] as const) {
    assert.equal(sum(m.counts?.[type].slice(0, 60)), h.counts?.[type][0], `${type}, first hour`);
    assert.equal(sum(m.counts?.[type]), sum(h.counts?.[type]), `${type}, both hours`);
    assert.equal(sum(t.counts?.[type]), sum(h.counts?.[type]), `${type}, ten-minute steps`);
  }
  assert.deepEqual(m.totals, h.totals, 'the same percentiles whichever buckets are merged');
  const byQueue = store.query({ from: T0, to: T0 + 7_200, step: 3_600, groupBy: 'queue' });
  assert.deepEqual(byQueue.series.map((s) => s.group), ['even', 'odd']);
  assert.equal(byQueue.series.reduce((n, s) => n + s.totals.counts.completed, 0), 300);
});

test('older than 24 h only hourly buckets answer, and the step is raised to an hour', () => {
  const now = T0 + 3 * 86_400;
  const store = new MetricsStore({ now: () => now });
  for (const r of job(1, 'old', T0 + 10, 1, 1)) store.apply(r);
  for (const r of job(4, 'new', now - 100, 1, 1)) store.apply(r);
  const week = store.query({ from: now - 7 * 86_400, to: now, step: 60, groupBy: 'none' });
  assert.equal(week.step, 3_600);
  assert.equal(week.series[0]?.totals.counts.completed, 2);
  const day = store.query({ from: now - 3_600, to: now, step: 60, groupBy: 'none' });
  assert.equal(day.step, 60);
  assert.equal(day.series[0]?.totals.counts.completed, 1);
});

test('a deleted job takes back its counts and its percentiles', () => {
  const store = new MetricsStore({ now: () => NOW });
  const kept = job(1, 'kept', T0, 1, 10);
  const deleted = job(4, 'gone', T0 + 5, 30, 500);
  for (const r of [...kept, ...deleted]) store.apply(r);
  const before = store.query({ from: T0, to: T0 + 3_600, step: 60, groupBy: 'worker' }).series[0];
  assert.equal(before?.totals.counts.completed, 2);
  store.removeJob('gone', deleted);
  for (const groupBy of ['none', 'queue', 'worker'] as const) {
    for (const step of [60, 3_600]) {
      const after = store.query({ from: T0, to: T0 + 3_600, step, groupBy }).series[0];
      assert.equal(after?.totals.counts.completed, 1, `${groupBy} at ${step}`);
      assert.equal(after?.totals.counts.enqueued, 1);
      assert.equal(after?.totals.runTime.count, 1);
      assertWithin(after?.totals.runTime.p99 ?? null, 10_000, 'run time left');
      assertWithin(after?.totals.queueWait.p50 ?? null, 1_000, 'wait left');
    }
  }
  store.removeJob('gone', deleted);
  assert.equal(store.query({ from: T0, to: T0 + 3_600, step: 60, groupBy: 'none' }).series[0]?.totals.counts.completed, 1, 'a second removal takes nothing more');
});

test('buckets whose events expired from the stream drop, and old buckets drop as time moves on', () => {
  let now = NOW;
  const store = new MetricsStore({ now: () => now, retention: 86_400 * 2 });
  for (const r of job(1, 'first', T0, 1, 1)) store.apply(r);
  for (const r of job(4, 'second', T0 + 3_600, 1, 1)) store.apply(r);
  assert.equal(store.forgetBelow(4), 2, 'the first job\'s minute and hour buckets');
  const left = store.query({ from: T0, to: NOW, step: 3_600, groupBy: 'none' }).series[0];
  assert.deepEqual(left?.totals.counts.completed, 1);
  now = T0 + 3_600 + 86_400 + 120;
  assert.equal(store.query({ from: T0, to: now, step: 60, groupBy: 'none' }).step, 3_600, 'minutes gone after 24 h');
  assert.equal(store.minutes.bucketCount, 0);
  assert.equal(store.hours.bucketCount, 1);
  now += 86_400;
  assert.equal(store.query({ from: T0, to: now, step: 3_600, groupBy: 'none' }).series[0]?.totals.counts.completed, 0);
  assert.equal(store.hours.bucketCount, 0);
});

test('groups beyond the limit count together as (other), and a reset forgets everything', () => {
  const store = new MetricsStore({ now: () => NOW, maxGroups: 2 });
  ['q1', 'q2', 'q3', 'q4'].forEach((queue, i) => job(1 + i * 3, `j${i}`, T0, 1, 1, { queue }).forEach((r) => store.apply(r)));
  const groups = store.query({ from: T0, to: T0 + 60, step: 60, groupBy: 'queue' }).series.map((s) => [s.group, s.totals.counts.completed]);
  assert.deepEqual(groups, [[OTHER_GROUP, 2], ['q1', 1], ['q2', 1]]);
  store.reset();
  assert.equal(store.query({ from: T0, to: T0 + 60, step: 60, groupBy: 'none' }).series[0]?.totals.counts.completed, 0);
});

test('bins taken away leave the same percentiles as bins never added, in any order', () => {
  const next = random(5);
  const values = Array.from({ length: 3_000 }, (_, i) => (i % 50 === 0 ? 0 : next() * 1e5));
  const kept = values.filter((_, i) => i % 3 !== 0);
  // Sketch 1 sits between the two compared, so that a run moving in the shared arena shows.
  const bins = new BinStore();
  bins.reserve(3);
  values.forEach((value, i) => {
    bins.add(0, value);
    bins.add(1, i);
  });
  values.forEach((value, i) => i % 3 === 0 && bins.remove(0, value));
  bins.remove(0, 123_456_789);
  [...kept].reverse().forEach((value) => bins.add(2, value));
  assert.equal(bins.count(0), kept.length);
  assert.deepEqual(bins.entries(0), bins.entries(2));
  bins.clear(1);
  assert.equal(bins.count(1), 0);
  assert.deepEqual(bins.entries(1), []);
  const tally = new BinTally();
  bins.addTo(0, tally);
  const sorted = [...kept].sort((a, b) => a - b);
  for (const q of [0.01, 0.5, 0.95, 0.99]) assertWithin(tally.getValueAtQuantile(q), exactQuantile(sorted, q), `p${q * 100}`);
  // A point of one bucket reads its bins without a tally: the same answers.
  assert.deepEqual(bins.quantiles(0, [0, 0.01, 0.5, 0.95, 0.99, 1]), tally.quantiles([0, 0.01, 0.5, 0.95, 0.99, 1]));
  assert.deepEqual(bins.quantiles(1, [0.5]), [Number.NaN], 'an empty sketch has no percentiles');
});

test('queues and workers added while buckets fill keep what their buckets hold, and an aged-out bucket gives its slot to a new one', () => {
  let now = NOW;
  const store = new MetricsStore({ now: () => now });
  let seq = 1;
  // 40 queues and 40 workers, appearing one by one across the minutes: the cell tables grow several times.
  for (let i = 0; i < 80; i++) {
    for (const r of job(seq, `j${i}`, T0 + i * 60, 1, 2, { queue: `q${i % 40}`, worker: `w${i % 40}`, durationMs: 1_000 + i })) store.apply(r);
    seq += 3;
  }
  const byQueue = store.query({ from: T0, to: T0 + 7_200, step: 60, groupBy: 'queue' });
  assert.equal(byQueue.series.length, 40);
  for (const series of byQueue.series) {
    const i = Number(series.group?.slice(1));
    assert.equal(series.totals.counts.completed, 2, `${series.group}`);
    assert.equal(series.counts?.completed[i], 1, `${series.group} in its first minute`);
    assert.equal(series.counts?.completed[i + 40], 1, `${series.group} in its second minute`);
    assertWithin(series.runTime?.[i]?.p50 ?? null, 1_000 + i, `${series.group}'s run time`);
  }
  const byWorker = store.query({ from: T0, to: T0 + 7_200, step: 3_600, groupBy: 'worker' });
  assert.equal(byWorker.series.reduce((n, s) => n + s.totals.counts.completed, 0), 80);
  // A ring of a day and two minutes: a slot's span later the first job's minute has aged out, and
  // a job then falls in the slot it used.
  const later = T0 + store.minutes.slots * 60;
  now = later + 30;
  const before = store.minutes.bucketCount;
  for (const r of job(seq, 'late', later, 1, 2, { queue: 'q0', worker: 'w0' })) store.apply(r);
  assert.equal(store.minutes.bucketCount, before, 'the new minute took the old one\'s slot');
  // An event from a clock a ring's span ahead falls in the same slot: the minute still kept stays.
  store.apply(record(seq + 3, 'ahead', 'completed', later + store.minutes.slots * 60, { queue: 'q0' }));
  const late = store.query({ from: later - 3_600, to: later + 60, step: 60, groupBy: 'queue' }).series;
  assert.equal(store.minutes.bucketCount, before - 2, 'the query dropped the two other minutes aged out');
  assert.deepEqual(late.map((s) => [s.group, s.totals.counts.completed]), [['q0', 1]]);
});

test('an event that neither counts nor starts a clock keeps no clock of a job that has none: a worker released after its job completed', () => {
  const store = new MetricsStore({ now: () => NOW });
  for (const r of job(1, 'done', T0, 1, 2)) store.apply(r);
  store.apply(record(4, 'done', 'worker_released', T0 + 4));
  assert.equal(store.clockCount, 0);
  store.apply(record(5, 'failing', 'started', T0 + 5));
  store.apply(record(6, 'failing', 'failed', T0 + 6, { durationMs: 1_000 }));
  store.apply(record(7, 'failing', 'worker_released', T0 + 7));
  assert.equal(store.clockCount, 1, 'a failed job keeps its clock: a retry may follow');
  store.apply(record(8, 'failing', 'retry_started', T0 + 8));
  store.apply(record(9, 'failing', 'completed', T0 + 10));
  const [overall] = store.query({ from: T0, to: T0 + 3_600, step: 3_600, groupBy: 'none' }).series;
  assert.equal(overall?.totals.runTime.count, 3, 'the retry still timed from its start');
  assert.equal(store.clockCount, 0);
});
