import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { createEvent } from '../../server/src/model/event';
import { EventStorage } from '../../server/src/storage/eventStorage';
import { NatsServer } from '../support/natsServer';
import { openStorage } from '../support/storageFixture';
import { CLI, runCli, type CliResult } from '../support/cliProcess';

let server: NatsServer;
let storage: EventStorage;

before(async () => {
  assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build first`);
  server = await NatsServer.start();
  storage = await openStorage(server);
});

after(async () => {
  await storage?.close();
  await server?.dispose();
});

function cli(...args: string[]): Promise<CliResult> {
  return runCli(server.url, args);
}

test('stats --since gives counts, failure rate and percentiles of the range, by queue or worker', async () => {
  const now = Date.now() / 1000;
  const at = (ago: number) => now - ago;
  const store = (job_id: string, event_type: string, timestamp: number, more: Record<string, unknown> = {}) =>
    storage.store(createEvent({ job_id, event_type, timestamp, ...more }));
  // Two days ago: outside --since 1h.
  await store('old', 'enqueued', at(2 * 86_400), { queue_name: 'mail' });
  await store('c1', 'enqueued', at(600), { queue_name: 'mail' });
  await store('c1', 'started', at(598), { queue_name: 'mail', worker_id: 'w1' });
  await store('c1', 'completed', at(590), { queue_name: 'mail', worker_id: 'w1', duration_ms: 8_000 });
  await store('f1', 'enqueued', at(500), { queue_name: 'billing' });
  await store('f1', 'started', at(480), { queue_name: 'billing', worker_id: 'w2' });
  await store('f1', 'failed', at(479), { queue_name: 'billing', worker_id: 'w2', duration_ms: 1_000 });

  const all = JSON.parse((await cli('stats', '--since', '1h', '--json')).stdout) as { groups: { group: string | null; counts: Record<string, number>; failureRate: number; runTime: { p99: number; count: number }; queueWait: { p50: number } }[] };
  assert.equal(all.groups.length, 1);
  const [overall] = all.groups;
  assert.equal(overall?.group, null);
  assert.equal(overall?.counts.enqueued, 2, 'the old job is outside the range');
  assert.equal(overall?.failureRate, 0.5);
  assert.equal(overall?.runTime.count, 2);
  assert.ok(Math.abs((overall?.runTime.p99 ?? 0) - 1_000) <= 20, `p99 of [1000, 8000] at rank 0.99 is the lower: ${overall?.runTime.p99}`);
  const byQueue = JSON.parse((await cli('stats', '--since', '1h', '--by', 'queue', '--json')).stdout) as { groups: { group: string; counts: Record<string, number> }[] };
  assert.deepEqual(byQueue.groups.map((g) => [g.group, g.counts.completed, g.counts.failed]), [['billing', 0, 1], ['mail', 1, 0]]);
  const text = await cli('stats', '--since', '1h', '--by', 'worker');
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /--- w1 ---/);
  assert.match(text.stdout, /Failure rate: 100\.0%/);
  assert.match(text.stdout, /Run time: p50 \d+\.\dms/);

  const badBy = await cli('stats', '--since', '1h', '--by', 'host');
  assert.notEqual(badBy.code, 0);
  assert.match(badBy.stderr, /--by must be queue or worker/);
  const badSince = await cli('stats', '--since', 'yesterday');
  assert.match(badSince.stderr, /--since must be a duration before now/);
  assert.match((await cli('stats', '--by', 'queue')).stderr, /--until and --by need --since/);
});
