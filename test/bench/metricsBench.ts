import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { MetricRecord } from '../../server/src/metrics/jobClock';
import { MetricsStore } from '../../server/src/metrics/metricsStore';
import { Check, percentile } from './stats';

const DAY = 86_400;
const ROUNDS = 15;

function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** Three events per job (enqueued, started, completed or failed) spread over the last 7 days, 20 queues, 50 workers. */
function records(events: number, now: number): MetricRecord[] {
  const jobs = Math.floor(events / 3);
  const out: MetricRecord[] = [];
  for (let j = 0; j < jobs; j++) {
    const t = now - 7 * DAY + (j / jobs) * 7 * DAY;
    const jobId = `job-${j}`;
    const queue = `queue-${j % 20}`;
    const worker = `worker-${j % 50}`;
    out.push(
      { seq: 3 * j + 1, jobId, type: 'enqueued', time: t, worker: null, queue, durationMs: null },
      { seq: 3 * j + 2, jobId, type: 'started', time: t + 0.5 + (j % 7), worker, queue, durationMs: null },
      { seq: 3 * j + 3, jobId, type: j % 10 === 0 ? 'failed' : 'completed', time: t + 8, worker, queue, durationMs: 100 + ((j * 37) % 5_000) },
    );
  }
  return out;
}

/**
 * The metrics aggregates on `events` events, fed in-process (no stream needed, so always at the
 * targets' 1M events): their heap next to the heap of the event records they summarise (the minute
 * cells per queue and worker do not scale with events, so a smaller run would not say it), and a
 * 7-day query at a 1-minute step (median of several) next to summing the same hourly buckets' counts
 * alone, the floor any query pays.
 */
export function benchMetrics(events = 1_000_000): Check[] {
  const now = Math.floor(Date.now() / 1000);
  const input = records(events, now);
  collectGarbage();
  const before = process.memoryUsage().heapUsed;
  const store = new MetricsStore({ now: () => now });
  for (const record of input) store.apply(record);
  collectGarbage();
  const storeMb = (process.memoryUsage().heapUsed - before) / 1e6;
  const recordsBefore = process.memoryUsage().heapUsed;
  const copies = input.map((record) => ({ ...record }));
  collectGarbage();
  const recordsMb = (process.memoryUsage().heapUsed - recordsBefore) / 1e6;
  copies.length = 0;

  const queryMs: number[] = [];
  const floorMs: number[] = [];
  let checksum = 0;
  for (let round = 0; round < ROUNDS; round++) {
    let start = performance.now();
    store.query({ from: now - 7 * DAY, to: now, step: 60, groupBy: 'none' });
    queryMs.push(performance.now() - start);
    start = performance.now();
    for (const bucket of store.hours.within(now - 7 * DAY, now)) for (const cell of bucket.cells.values()) for (const count of cell.counts) checksum += count;
    floorMs.push(performance.now() - start);
  }
  if (checksum < 0) throw new Error('unreachable: counts are never negative');
  const query = percentile(queryMs, 50);
  const floor = percentile(floorMs, 50);
  return [
    {
      name: `metrics aggregates' heap on ${input.length} events`,
      value: storeMb,
      unit: 'MB',
      target: '<= 30 at 1M events',
      ok: storeMb <= 30,
      baseline: { name: 'the event records they summarise', value: recordsMb, comparison: `${((storeMb / recordsMb) * 100).toFixed(0)}% of theirs` },
    },
    {
      name: `metrics 7-day query at a 1-minute step (median of ${ROUNDS})`,
      value: query,
      unit: 'ms',
      target: '<= 20',
      ok: query <= 20,
      baseline: { name: 'summing the same buckets’ counts alone', value: floor, comparison: `${(query / Math.max(floor, 0.001)).toFixed(0)}x that` },
    },
  ];
}
