import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { AsyncJobEventLogger, type StopReport } from '../../server/src/logger/eventLogger';
import type { JobEvent } from '../../server/src/model/event';
import { JobEvents } from '../../server/src/model/factories';
import { ListJobsRequest, ListQueuesRequest, ListWorkersRequest, StatsRequest, type JobItem, type JobStats, type QueueItem, type WorkerItem } from '../../server/src/protocol/protocol';
import { NatsSession } from '../../server/src/storage/session';
import { SEED_LIMITS } from '../../server/src/storage/streamConfig';
import { delay, withTimeout } from '../../server/src/util/timeout';
import { readAllMessages } from '../support/audit';
import { BackendProcess, backendSettings, SERVER_JS } from '../support/backendProcess';
import { eventually } from '../support/eventually';
import { NatsServer } from '../support/natsServer';
import { PREFIX, STREAM } from '../support/storageFixture';

/**
 * A randomized soak: a logger logs job events while another client deletes jobs, the stream's own
 * limits (a small max_msgs) evict the oldest, nats-server restarts (same store, same port) and the
 * backend restarts from its snapshot (gracefully or killed). At the end, the backend's index must equal
 * the stream: the same jobs with the same event counts as a fresh read, the same statuses and stats as
 * a backend built fresh from it; and the logger's accounting must equal what the stream stored.
 *
 * The schedule comes from a seeded generator: one run with a fixed seed, one with a random seed that is
 * printed (NAQ_SOAK_SEED=<seed> replays it). Each run lasts NAQ_SOAK_SECONDS (default 25).
 */

const SECONDS = Number(process.env.NAQ_SOAK_SECONDS ?? 25);
const FIXED_SEED = 0x5eed_0011;
const MAX_MSGS = 1_500;
const JOBS = 400;
const CONVERGE_MS = 45_000;

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function randomEvent(random: () => number, i: number): JobEvent {
  const job = `soak-${Math.floor(random() * JOBS)}`;
  const worker = `w${Math.floor(random() * 5)}`;
  const extra = { details: { i } };
  const pick = random();
  if (pick < 0.3) return JobEvents.enqueued(job, `q${Math.floor(random() * 3)}`, 0, extra);
  if (pick < 0.6) return JobEvents.started(job, worker, 'async', extra);
  if (pick < 0.8) return JobEvents.completed(job, worker, Math.floor(random() * 1_000), extra);
  return JobEvents.failed(job, worker, { name: 'ValueError', message: `boom ${i}` }, Math.floor(random() * 1_000), 0, extra);
}

function openSession(server: NatsServer): Promise<NatsSession> {
  return withTimeout(
    NatsSession.open({
      connection: { servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 },
      streamName: STREAM,
      subjectPrefix: PREFIX,
      timeoutMs: 5_000,
      // The operator's stream: small enough that its limits evict while the soak runs.
      limits: { ...SEED_LIMITS, maxMsgs: MAX_MSGS },
    }),
    15_000,
    'opening a session',
  );
}

async function allJobs(backend: BackendProcess): Promise<JobItem[]> {
  const page = await backend.rpc.sendRequest(ListJobsRequest.type, { offset: 0, limit: 50_000 });
  return [...page.items].sort((a, b) => a.jobId.localeCompare(b.jobId));
}

interface View {
  jobs: string[];
  stats: JobStats;
  queues: QueueItem[];
  workers: WorkerItem[];
}

/** What the comparison looks at: every job as listed (status, counts, queue, workers, times, error), the stats, queues and workers. */
async function view(backend: BackendProcess): Promise<View> {
  const jobs = (await allJobs(backend)).map((j) => `${j.jobId} ${j.status} ${j.eventCount} ${JSON.stringify(j)}`);
  const stats = await backend.rpc.sendRequest(StatsRequest.type);
  const queues = await backend.rpc.sendRequest(ListQueuesRequest.type);
  const workers = await backend.rpc.sendRequest(ListWorkersRequest.type);
  return { jobs, stats: { ...stats, workerUsage: sorted(stats.workerUsage), queueUsage: sorted(stats.queueUsage) }, queues, workers };
}

function sorted(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

async function startBackend(server: NatsServer, storagePath: string): Promise<BackendProcess> {
  const backend = await BackendProcess.start(backendSettings({ serverUrl: server.url, storagePath }));
  await backend.until('the backend built its index', () => backend.state?.phase === 'connected' && backend.state.index?.building === false, 60_000);
  return backend;
}

async function soak(t: TestContext, seed: number): Promise<void> {
  assert.ok(existsSync(SERVER_JS), 'dist/ is missing: run npm run build first');
  t.diagnostic(`seed ${seed} (replay with NAQ_SOAK_SEED=${seed}), ${SECONDS} s`);
  const random = generator(seed);
  const server = await NatsServer.start();
  const storagePath = mkdtempSync(join(tmpdir(), 'naq-soak-'));
  const sessions: NatsSession[] = [];
  let backend: BackendProcess | undefined;
  let fresh: BackendProcess | undefined;
  let logger: AsyncJobEventLogger | undefined;
  const actions: string[] = [];
  try {
    const loggerSession = await openSession(server);
    sessions.push(loggerSession);
    const deleter = await openSession(server);
    sessions.push(deleter);
    const activeLogger = new AsyncJobEventLogger(loggerSession, { batchSize: 100, maxBufferSize: 5_000 });
    logger = activeLogger;
    activeLogger.start();
    backend = await startBackend(server, storagePath);

    const deadline = Date.now() + SECONDS * 1_000;
    let logged = 0;
    // The producer's own generator: its pace must not shift the chaos schedule drawn from `random`.
    const produce = generator(seed ^ 0x9e37_79b9);
    const producing = (async () => {
      while (Date.now() < deadline) {
        const burst = 20 + Math.floor(produce() * 200);
        for (let n = 0; n < burst; n++) await activeLogger.log(randomEvent(produce, logged++));
        // Pacing, not synchronisation: a few hundred events a second keep evictions going without
        // starving the two CPUs the servers and backends share.
        await delay(50 + Math.floor(produce() * 200));
      }
    })();

    while (Date.now() < deadline) {
      await delay(200 + Math.floor(random() * 1_300));
      const pick = random();
      if (pick < 0.5) {
        const job = `soak-${Math.floor(random() * JOBS)}`;
        // Another client's purge: during a server restart it may fail, or succeed unacknowledged.
        const purged = await withTimeout(deleter.jsm.streams.purge(STREAM, { filter: `${PREFIX}.${job}.>` }), 5_000, 'purge').then(
          (r) => String(r.purged),
          (e: unknown) => `failed: ${(e as Error).message}`,
        );
        actions.push(`delete ${job} (${purged})`);
      } else if (pick < 0.7) {
        actions.push('restart nats-server');
        await server.restart();
      } else {
        const kill = random() < 0.5;
        actions.push(kill ? 'kill the backend, start it from its snapshot' : 'stop the backend, start it from its snapshot');
        const old = backend;
        backend = undefined;
        if (kill) {
          const exited = new Promise((resolve) => old.child.once('exit', resolve));
          old.child.kill('SIGKILL');
          await exited;
        }
        await old.stop();
        backend = await startBackend(server, storagePath);
      }
    }
    await withTimeout(producing, 60_000, 'the producer ending');
    const report: StopReport = await withTimeout(activeLogger.stop(30_000), 35_000, 'stopping the logger');
    const stats = activeLogger.stats();
    t.diagnostic(`${logged} events logged; actions: ${actions.join('; ')}`);
    t.diagnostic(`logger: stored ${report.stored}, not stored ${report.notStored.length}, retries ${stats.retries}, duplicates ${stats.duplicates}, reconciled ${stats.reconciled}, unverified resends ${stats.unverifiedResends}`);

    // The logger's accounting: only it published, so the stream's last sequence is every message ever
    // stored; an uncounted duplicate would make it exceed what the logger says it stored.
    // After a restart near the end the server may take a moment to serve JetStream again.
    const info = await eventually('the stream to answer', () => withTimeout(deleter.jsm.streams.info(STREAM), 5_000, 'stream info'), 30_000, 250);
    assert.deepEqual(report.notStored.slice(0, 3), [], `${report.notStored.length} events not stored`);
    assert.equal(report.stored, logged, 'the logger stored every event it was given');
    assert.equal(info.state.last_seq, report.stored, `the stream stored ${info.state.last_seq} messages, the logger counted ${report.stored}`);
    assert.ok(info.state.messages <= MAX_MSGS, 'the stream kept its limit');

    // A fresh read of the stream: which jobs remain, and how many events each.
    const stored = await readAllMessages(deleter, `${PREFIX}.>`);
    assert.equal(stored.length, info.state.messages, 'the audit read the whole stream');
    const ids = new Set(stored.map((m) => m.msgId));
    assert.equal(ids.size, stored.length, 'no message id stored twice');
    const counts = new Map<string, number>();
    for (const m of stored) counts.set(m.event.job_id, (counts.get(m.event.job_id) ?? 0) + 1);
    const expected = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([job, n]) => `${job} ${n}`);

    fresh = await BackendProcess.start(backendSettings({ serverUrl: server.url }));
    const soaked = backend;
    const freshBackend = fresh;
    await freshBackend.until('the fresh backend built its index', () => freshBackend.state?.phase === 'connected' && freshBackend.state.index?.building === false, 60_000);
    const reference = await view(freshBackend);
    assert.deepEqual(reference.jobs.map((j) => j.split(' ', 3).filter((_, i) => i !== 1).join(' ')), expected, 'a fresh backend indexes what the stream holds');

    // The soaked backend reconciles deletions and evictions on its own schedule: wait for it to agree.
    let last: View | undefined;
    const agreed = await eventually(
      'the soaked backend to agree with the stream',
      async () => {
        last = await view(soaked);
        return JSON.stringify(last) === JSON.stringify(reference);
      },
      CONVERGE_MS,
      250,
    ).catch(() => false);
    if (!agreed && last) {
      const missing = reference.jobs.filter((j) => !last?.jobs.includes(j));
      const extra = last.jobs.filter((j) => !reference.jobs.includes(j));
      assert.fail(
        `the soaked backend differs from the stream after ${CONVERGE_MS} ms: ` +
          `jobs only in the stream ${JSON.stringify(missing.slice(0, 10))}, only in the index ${JSON.stringify(extra.slice(0, 10))}; ` +
          `stats ${JSON.stringify(last.stats)} against ${JSON.stringify(reference.stats)}; ` +
          `queues ${JSON.stringify(last.queues)} against ${JSON.stringify(reference.queues)}; workers ${JSON.stringify(last.workers)} against ${JSON.stringify(reference.workers)}\n${soaked.output.slice(-3000)}`,
      );
    }
    assert.ok(agreed, 'no answer from the soaked backend');
  } finally {
    await fresh?.stop();
    await backend?.stop();
    if (logger) await withTimeout(logger.stop(2_000), 5_000, 'stopping the logger').catch(() => undefined);
    for (const s of sessions) await withTimeout(s.close(), 5_000, 'closing a session').catch(() => undefined);
    await server.dispose();
    rmSync(storagePath, { recursive: true, force: true });
  }
}

const replay = process.env.NAQ_SOAK_SEED;
test(`soak with the fixed seed: logging, deletes, evictions, server and backend restarts (${SECONDS} s)`, { timeout: (SECONDS + 240) * 1_000 }, (t) => soak(t, FIXED_SEED));
test(`soak with a random seed (${SECONDS} s)`, { timeout: (SECONDS + 240) * 1_000 }, (t) => soak(t, replay === undefined ? Math.floor(Math.random() * 2 ** 32) : Number(replay)));
