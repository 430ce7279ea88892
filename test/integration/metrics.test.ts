import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DeleteJobRequest, EmitRequest, MetricsChanged, MetricsChangedNotification, MetricsQueryRequest } from '../../server/src/protocol/protocol';
import { BackendProcess, backendSettings, SERVER_JS } from '../support/backendProcess';
import { NatsServer } from '../support/natsServer';

let server: NatsServer;
let storagePath: string;

before(async () => {
  assert.ok(existsSync(SERVER_JS), `${SERVER_JS} is missing: run npm run build first`);
  server = await NatsServer.start();
  storagePath = mkdtempSync(join(tmpdir(), 'naq-metrics-storage-'));
});

after(async () => {
  await server?.dispose();
  rmSync(storagePath, { recursive: true, force: true });
});

test('metrics/query answers counts and percentiles over time through a real backend, follows a deletion and names bad fields', async () => {
  const backend = await BackendProcess.start(backendSettings({ serverUrl: server.url, storagePath }));
  try {
    const notified: MetricsChanged[] = [];
    backend.rpc.onNotification(MetricsChangedNotification.type, (changed) => void notified.push(changed));
    await backend.untilPhase('connected');
    // On a whole minute ten minutes ago, so each job's events fall in known minute buckets.
    const t = Math.floor(Date.now() / 60_000) * 60 - 600;
    const emit = (job_id: string, event_type: string, timestamp: number, more: Record<string, unknown> = {}) =>
      backend.rpc.sendRequest(EmitRequest.type, { event: { job_id, event_type, timestamp, ...more } });
    await emit('m-1', 'enqueued', t + 1, { queue_name: 'mail' });
    await emit('m-1', 'started', t + 3, { queue_name: 'mail', worker_id: 'w-1' });
    await emit('m-1', 'completed', t + 6, { queue_name: 'mail', worker_id: 'w-1', duration_ms: 3_000 });
    await emit('m-2', 'enqueued', t + 61, { queue_name: 'billing' });
    await emit('m-2', 'started', t + 71, { queue_name: 'billing', worker_id: 'w-2' });
    await emit('m-2', 'failed', t + 72, { queue_name: 'billing', worker_id: 'w-2', duration_ms: 800, error_message: 'no' });

    const range = { from: t, to: t + 600, step: 60 };
    const overall = await backend.until('both jobs in the metrics', async () => {
      const result = await backend.rpc.sendRequest(MetricsQueryRequest.type, { ...range, groupBy: 'none' });
      return result.series[0]?.totals.counts.failed === 1 ? result : undefined;
    });
    assert.equal(overall.step, 60);
    assert.equal(overall.times.length, 10);
    const series = overall.series[0];
    assert.deepEqual(series?.counts?.completed.slice(0, 3), [1, 0, 0]);
    assert.deepEqual(series?.counts?.failed.slice(0, 3), [0, 1, 0]);
    assert.deepEqual(series?.failureRate?.slice(0, 3), [0, 1, null]);
    const near = (actual: number | null | undefined, expected: number) => assert.ok(actual != null && Math.abs(actual - expected) <= expected * 0.01, `${actual} near ${expected}`);
    near(series?.runTime?.[0]?.p50, 3_000);
    near(series?.runTime?.[1]?.p50, 800);
    near(series?.queueWait?.[0]?.p50, 2_000);
    near(series?.queueWait?.[1]?.p99, 10_000);
    assert.equal(series?.totals.failureRate, 0.5);

    const byQueue = await backend.rpc.sendRequest(MetricsQueryRequest.type, { ...range, step: 600, groupBy: 'queue', measures: ['counts'] });
    assert.deepEqual(byQueue.series.map((s) => [s.group, s.totals.counts.completed, s.totals.counts.failed]), [['billing', 0, 1], ['mail', 1, 0]]);
    assert.equal(byQueue.series[0]?.runTime, undefined);
    const byWorker = await backend.rpc.sendRequest(MetricsQueryRequest.type, { ...range, groupBy: 'worker' });
    assert.deepEqual(byWorker.series.map((s) => s.group), ['w-1', 'w-2']);

    await backend.until('a live update spanning the events', () => notified.some((n) => n.from <= t + 1 && n.to >= t + 72));

    await backend.rpc.sendRequest(DeleteJobRequest.type, { jobId: 'm-2' });
    const afterDelete = await backend.rpc.sendRequest(MetricsQueryRequest.type, { ...range, groupBy: 'none' });
    assert.equal(afterDelete.series[0]?.totals.counts.failed, 0);
    assert.equal(afterDelete.series[0]?.totals.counts.enqueued, 1);
    assert.equal(afterDelete.series[0]?.totals.runTime.count, 1);

    const bad = (params: unknown) => backend.rpc.sendRequest(MetricsQueryRequest.type, params as never);
    await assert.rejects(bad({ ...range, step: 0, groupBy: 'none' }), /step must be a number of seconds, at least 1/);
    await assert.rejects(bad({ ...range, to: t - 1, groupBy: 'none' }), /to \(\d+\) must be after from/);
    await assert.rejects(bad({ ...range, groupBy: 'host' }), /groupBy must be one of none, queue, worker/);
    await assert.rejects(bad({ ...range, groupBy: 'none', measures: ['p42'] }), /measures must be a list of/);
    await assert.rejects(bad({ from: 0, to: 86_400 * 30, step: 1, groupBy: 'none' }), /at most 20000 points/);
  } finally {
    await backend.stop();
  }
});
