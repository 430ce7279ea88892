import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListJobsRequest, TimelineRequest } from '../../server/src/protocol/protocol';
import type { EventStorage } from '../../server/src/storage/eventStorage';
import { BackendProcess, backendSettings } from '../support/backendProcess';
import { EVENTS_PER_JOB } from './fill';
import { orderedReadRate } from './orderedRead';
import { Check, peakRssMb, percentile, rssMb, timed } from './stats';

async function untilBuilt(backend: BackendProcess, timeoutMs: number): Promise<void> {
  await backend.until('index built', () => backend.state?.phase === 'connected' && backend.state.index && !backend.state.index.building, timeoutMs);
}

/**
 * The backend against a filled stream: cold index build, timelines by direct get next to the seed's
 * filtered-consumer read, pages of jobs, restart from the snapshot, memory.
 */
export async function benchBackend(storage: EventStorage, url: string, jobs: number): Promise<Check[]> {
  const events = jobs * EVENTS_PER_JOB;
  const storagePath = mkdtempSync(join(tmpdir(), 'naq-bench-backend-'));
  const settings = backendSettings({ serverUrl: url, storagePath });
  const checks: Check[] = [];
  try {
    let buildCheck: Check | undefined;
    const startedAt = Date.now();
    let backend = await BackendProcess.start(settings);
    try {
      await untilBuilt(backend, 300_000);
      const buildRate = events / ((Date.now() - startedAt) / 1000);
      buildCheck = { name: `index cold build (${events} events)`, value: buildRate, unit: 'events/s', target: '>= 100000', ok: buildRate >= 100_000 };
      checks.push(buildCheck);

      const sample = Array.from({ length: 200 }, (_, i) => `bench-${Math.floor((i * 7919) % jobs)}`);
      const latencies: number[] = [];
      for (const jobId of sample) {
        const { ms, value } = await timed(() => backend.rpc.sendRequest(TimelineRequest.type, { jobId }));
        if (value.events.length !== EVENTS_PER_JOB) throw new Error(`timeline of ${jobId} has ${value.events.length} events`);
        latencies.push(ms);
      }
      const seedSamples: number[] = [];
      for (const jobId of sample.slice(0, 5)) seedSamples.push((await timed(() => storage.jobEvents(jobId))).ms);
      const seedP50 = percentile(seedSamples, 50);
      checks.push({ name: 'timeline p50', value: percentile(latencies, 50), unit: 'ms', target: '<= 10', ok: percentile(latencies, 50) <= 10, baseline: { name: "seed's filtered consumer p50", value: seedP50, comparison: `${(seedP50 / percentile(latencies, 50)).toFixed(0)}x slower` } });
      checks.push({ name: 'timeline p99', value: percentile(latencies, 99), unit: 'ms', target: '<= 50', ok: percentile(latencies, 99) <= 50 });

      const pages: number[] = [];
      for (let i = 0; i < 20; i++) {
        const params = [{ offset: i * 1000, limit: 100 }, { offset: 0, limit: 100, status: 'failed' as const }, { offset: 0, limit: 100, search: `input ${i}` }, { offset: 0, limit: 100, queue: `queue-${i}` }][i % 4]!;
        pages.push((await timed(() => backend.rpc.sendRequest(ListJobsRequest.type, params))).ms);
      }
      checks.push({ name: 'one page of 100 jobs (p99 over plain, status, search and queue pages)', value: percentile(pages, 99), unit: 'ms', target: '<= 50', ok: percentile(pages, 99) <= 50 });

      const rss = rssMb(backend.child.pid!);
      const peak = peakRssMb(backend.child.pid!);
      checks.push({ name: 'backend memory after build (RSS)', value: rss, unit: 'MB', target: '<= 300', ok: rss <= 300 });
      checks.push({ name: 'backend peak memory (VmHWM)', value: peak, unit: 'MB', target: '<= 300', ok: peak <= 300 });
    } finally {
      await backend.stop();
    }
    // After the build, so both read from a server that has the stream's blocks in memory.
    const ordered = await orderedReadRate(url, events);
    buildCheck.baseline = { name: 'nats.js ordered consumer alone, reading without indexing', value: ordered, comparison: `${(buildCheck.value / ordered).toFixed(2)}x its rate` };

    const restartAt = Date.now();
    backend = await BackendProcess.start(settings);
    try {
      await untilBuilt(backend, 60_000);
      const seconds = (Date.now() - restartAt) / 1000;
      checks.push({ name: 'restart from snapshot until ready', value: seconds * 1000, unit: 'ms', target: '<= 1000', ok: seconds <= 1 });
    } finally {
      await backend.stop();
    }
  } finally {
    rmSync(storagePath, { recursive: true, force: true });
  }
  return checks;
}
