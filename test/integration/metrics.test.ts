import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { JobEvents } from '../../server/src/model/factories';
import { DeleteJobRequest, EmitRequest, MetricsChanged, MetricsChangedNotification, MetricsQuery, MetricsQueryRequest } from '../../server/src/protocol/protocol';
import type { EventStorage } from '../../server/src/storage/eventStorage';
import { BackendProcess, backendSettings, SERVER_JS } from '../support/backendProcess';
import { NatsServer } from '../support/natsServer';
import { openStorage } from '../support/storageFixture';

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

/** A backend on `dir` (its snapshot's home) for `body`, stopped after it: the stop saves the snapshot. */
async function withBackend<T>(dir: string, body: (backend: BackendProcess) => Promise<T>): Promise<T> {
  const backend = await BackendProcess.start(backendSettings({ serverUrl: server.url, storagePath: dir }));
  try {
    await backend.untilPhase('connected');
    return await body(backend);
  } finally {
    await backend.stop();
  }
}

test('metrics restored from the snapshot after a restart count what came before it and after it, as a fresh build does', async () => {
  const snapshotDir = mkdtempSync(join(tmpdir(), 'naq-metrics-snapshot-'));
  const freshDir = mkdtempSync(join(tmpdir(), 'naq-metrics-fresh-'));
  let storage: EventStorage | undefined;
  try {
    storage = await openStorage(server);
    // Whole minutes 50 to 20 minutes ago: minute buckets, in an hour or two, and in the week.
    const t = Math.floor(Date.now() / 60_000) * 60 - 3_000;
    const queries: MetricsQuery[] = [
      { from: t - 7 * 86_400, to: t + 3_600, step: 3_600, groupBy: 'none' },
      { from: t, to: t + 1_800, step: 60, groupBy: 'queue' },
      { from: t, to: t + 1_800, step: 300, groupBy: 'worker', measures: ['runTime', 'queueWait', 'counts'] },
    ];
    const answers = (backend: BackendProcess) => Promise.all(queries.map((query) => backend.rpc.sendRequest(MetricsQueryRequest.type, query)));
    // This test's queues alone, for the waits: the other test's events may share an hour bucket with these.
    const totals = async (backend: BackendProcess, queue: string) => {
      const result = await backend.rpc.sendRequest(MetricsQueryRequest.type, { from: t, to: t + 1_800, step: 1_800, groupBy: 'queue' });
      return result.series.find((s) => s.group === queue)?.totals;
    };
    const store = (event: Parameters<EventStorage['store']>[0]) => (storage as EventStorage).store(event);

    await store(JobEvents.enqueued('r-done', 'restart-q', 0, { timestamp: t + 10 }));
    await store(JobEvents.started('r-done', 'restart-w1', 'async', { timestamp: t + 70, queue_name: 'restart-q' }));
    await store(JobEvents.completed('r-done', 'restart-w1', 4_000, { timestamp: t + 74, queue_name: 'restart-q' }));
    await store(JobEvents.enqueued('r-deleted', 'restart-q', 0, { timestamp: t + 130 }));
    await store(JobEvents.started('r-deleted', 'restart-w2', 'async', { timestamp: t + 131, queue_name: 'restart-q' }));
    await store(JobEvents.completed('r-deleted', 'restart-w2', 900, { timestamp: t + 132, queue_name: 'restart-q' }));
    // Started before the snapshot, ended after it with no duration of its own: its run time comes from the restored clock.
    await store(JobEvents.enqueued('r-across', 'restart-other', 0, { timestamp: t + 200 }));
    await store(JobEvents.started('r-across', 'restart-w2', 'async', { timestamp: t + 260, queue_name: 'restart-other' }));
    await withBackend(snapshotDir, (backend) => backend.until('the last event before the stop in the metrics', async () => (await totals(backend, 'restart-other'))?.counts.started === 1));

    await store(JobEvents.cancelled('r-across', 'stopped by hand', { timestamp: t + 1_100, worker_id: 'restart-w2' }));
    await store(JobEvents.enqueued('r-late', 'restart-q', 0, { timestamp: t + 1_200 }));
    await withBackend(snapshotDir, async (restarted) => {
      await restarted.until('the last event logged while stopped in the metrics', async () => (await totals(restarted, 'restart-q'))?.counts.enqueued === 3);
      assert.match(restarted.output, /snapshot at sequence \d+ with \d+ jobs loaded/);
      assert.doesNotMatch(restarted.output, /building from the stream/);
      assert.equal((await totals(restarted, 'restart-q'))?.counts.completed, 2, 'the jobs ended before the restart still count');
      const across = await totals(restarted, 'restart-other');
      assert.equal(across?.counts.cancelled, 1);
      assert.equal(across?.runTime.count, 1, 'the job across the restart has its run time, from the clock kept in the snapshot');
      assert.ok(Math.abs((across?.runTime.p50 ?? 0) - 840_000) <= 8_400, `${across?.runTime.p50} near 840 s`);
      // A job deleted after the restart takes back what it counted before the snapshot.
      await restarted.rpc.sendRequest(DeleteJobRequest.type, { jobId: 'r-deleted' });
      assert.equal((await totals(restarted, 'restart-q'))?.counts.completed, 1);
      const restored = await answers(restarted);

      const fresh = await withBackend(freshDir, async (built) => {
        await built.until('the fresh build done', async () => (await totals(built, 'restart-q'))?.counts.enqueued === 2);
        return answers(built);
      });
      assert.deepEqual(restored, fresh);
    });
  } finally {
    await storage?.close();
    rmSync(snapshotDir, { recursive: true, force: true });
    rmSync(freshDir, { recursive: true, force: true });
  }
});
