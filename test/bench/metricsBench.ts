import type { MetricRecord } from '../../server/src/metrics/jobClock';
import { COUNTS } from '../../server/src/metrics/bucketRing';
import { MetricsStore } from '../../server/src/metrics/metricsStore';
import { Check, collectGarbage, percentile, usedBytes } from './stats';

const DAY = 86_400;
const ROUNDS = 31;

/** Three events per job (enqueued, started, completed or failed) spread over the last 7 days, 20 queues, 50 workers. */
function records(events: number, now: number): MetricRecord[] {
  const jobs = Math.floor(events / 3);
  const out: MetricRecord[] = [];
  for (let j = 0; j < jobs; j++) {
    const t = now - 7 * DAY + (j / jobs) * 7 * DAY;
    // A string per event, as the index's records parse one from each message's subject: the clocks kept pay for theirs.
    const jobId = (): string => `job-${j}`;
    const queue = `queue-${j % 20}`;
    const worker = `worker-${j % 50}`;
    out.push(
      { seq: 3 * j + 1, jobId: jobId(), type: 'enqueued', time: t, worker: null, queue, durationMs: null },
      { seq: 3 * j + 2, jobId: jobId(), type: 'started', time: t + 0.5 + (j % 7), worker, queue, durationMs: null },
      { seq: 3 * j + 3, jobId: jobId(), type: j % 10 === 0 ? 'failed' : 'completed', time: t + 8, worker, queue, durationMs: 100 + ((j * 37) % 5_000) },
    );
  }
  return out;
}

/** 1M, the targets' size, unless NAQ_BENCH_METRICS_EVENTS asks for a quicker run. */
export function metricsEvents(): number {
  const asked = process.env.NAQ_BENCH_METRICS_EVENTS;
  if (asked === undefined) return 1_000_000;
  if (!/^[1-9]\d*$/.test(asked)) throw new Error(`NAQ_BENCH_METRICS_EVENTS must be a positive integer (events), not "${asked}"`);
  return Number(asked);
}

/**
 * Median wall time of `body` over the rounds, and its median CPU time: on a shared machine a
 * sub-millisecond query's wall time is mostly the time it waited for a CPU, which the CPU time leaves out.
 */
function medianMs(body: () => void): { wall: number; cpu: number } {
  const wall: number[] = [];
  const cpu: number[] = [];
  // A round that compiles the query's code, timed by none.
  body();
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    const used = process.cpuUsage();
    body();
    const { user, system } = process.cpuUsage(used);
    wall.push(performance.now() - start);
    cpu.push((user + system) / 1000);
  }
  return { wall: percentile(wall, 50), cpu: percentile(cpu, 50) };
}

/**
 * The metrics aggregates on `events` events, fed in-process (no stream needed, so always at the
 * targets' 1M events unless NAQ_BENCH_METRICS_EVENTS says less): what they add to the heap and to
 * the typed arrays' buffers (used memory with them minus used memory before, the records alive in
 * both), next to what the event records they summarise take (the minute cells per queue and worker
 * do not scale with events, so a smaller run would not say it); and a 7-day query at a 1-minute step
 * (median of several) next to summing the same hourly buckets' counts alone, the floor any query pays.
 */
export function benchMetrics(events = metricsEvents()): Check[] {
  const now = Math.floor(Date.now() / 1000);
  const input = records(events, now);
  const before = usedBytes();
  const store = new MetricsStore({ now: () => now });
  for (const record of input) store.apply(record);
  const storeMb = (usedBytes() - before) / 1e6;
  const typedMb = store.bytes() / 1e6;
  const recordsBefore = usedBytes();
  const copies = input.map((record) => ({ ...record }));
  const recordsMb = (usedBytes() - recordsBefore) / 1e6;
  copies.length = 0;
  // The copies' garbage collected now, not by GC threads while queries are timed.
  collectGarbage();

  const week = { from: now - 7 * DAY, to: now, step: 60 };
  const query = medianMs(() => store.query({ ...week, groupBy: 'none' }));
  let checksum = 0;
  const floor = medianMs(() => {
    const { hours } = store;
    for (const slot of hours.within(week.from, week.to)) {
      const cell = hours.cell(slot, 0, false);
      if (cell >= 0) for (let i = 0; i < COUNTS; i++) checksum += hours.counts[cell * COUNTS + i] as number;
    }
  });
  if (checksum < 0) throw new Error('unreachable: counts are never negative');
  const byWorker = medianMs(() => store.query({ ...week, groupBy: 'worker' }));
  const day = medianMs(() => store.query({ from: now - DAY + 60, to: now, step: 60, groupBy: 'none' }));
  const dayByQueue = medianMs(() => store.query({ from: now - DAY + 60, to: now, step: 60, groupBy: 'queue' }));
  // What the aggregates add to the index's snapshot: their block's size, and its save and restore.
  let state = store.saveState();
  const save = medianMs(() => (state = store.saveState()));
  // The first restore apart: a backend restores once, at its start, in code not yet compiled.
  const coldStart = process.cpuUsage();
  MetricsStore.restored(state, { now: () => now });
  const { user, system } = process.cpuUsage(coldStart);
  const coldCpu = (user + system) / 1000;
  const restore = medianMs(() => MetricsStore.restored(state, { now: () => now }));
  return [
    {
      name: `metrics aggregates' memory (heap and typed arrays) on ${input.length} events`,
      value: storeMb,
      unit: 'MB',
      target: '<= 30 at 1M events',
      ok: storeMb <= 30,
      baseline: { name: 'the event records they summarise', value: recordsMb, comparison: `${((storeMb / recordsMb) * 100).toFixed(0)}% of theirs` },
    },
    { name: `of which typed arrays (bins, counts, cell tables, clocks of ${store.clockCount} jobs in flight or failed)`, value: typedMb, unit: 'MB', target: '', ok: true, info: true },
    {
      name: `metrics 7-day query at a 1-minute step, answered hourly as minutes are kept 24 h (median of ${ROUNDS})`,
      value: query.wall,
      unit: 'ms',
      target: '<= 20',
      ok: query.wall <= 20,
      baseline: { name: 'summing the same buckets’ counts alone', value: floor.wall, comparison: `${(query.wall / Math.max(floor.wall, 0.001)).toFixed(0)}x that` },
    },
    { name: 'of which CPU time (median)', value: query.cpu, unit: 'ms', target: '', ok: true, info: true },
    ...(
      [
        ['the same 7-day query per worker (50 workers)', byWorker],
        ['a 24-hour query at a 1-minute step (1,440 points)', day],
        ['the same 24-hour query per queue (20 queues)', dayByQueue],
        ['their state saved for the snapshot', save],
      ] as const
    ).map(([name, ms]): Check => ({ name: `${name}, wall (CPU ${ms.cpu.toFixed(1)} ms)`, value: ms.wall, unit: 'ms', target: '', ok: true, info: true })),
    { name: 'their state in the snapshot', value: state.byteLength / 1e6, unit: 'MB', target: '', ok: true, info: true, baseline: { name: 'their memory', value: storeMb, comparison: `${((state.byteLength / 1e6 / storeMb) * 100).toFixed(0)}% of it` } },
    // No target of its own: the backend's restart from the snapshot (1 s at 1M events) includes it.
    { name: 'their state restored from the snapshot the first time, as a backend does at its start (CPU time)', value: coldCpu, unit: 'ms', target: '', ok: true, info: true },
    { name: `restored again, wall (CPU ${restore.cpu.toFixed(1)} ms; median of ${ROUNDS})`, value: restore.wall, unit: 'ms', target: '', ok: true, info: true },
  ];
}
