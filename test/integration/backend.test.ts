import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  DeleteJobRequest,
  DisconnectRequest,
  ConnectRequest,
  EmitLifecycleRequest,
  EmitRequest,
  GetJobRequest,
  ListJobsRequest,
  ListQueuesRequest,
  ListWorkersRequest,
  StatsRequest,
  TailStartRequest,
  TailStopRequest,
  TimelineRequest,
} from '../../server/src/protocol/protocol';
import { AckPolicy, connect, nanos } from 'nats';
import { encodeEvent } from '../../server/src/codec/encode';
import { JobEvents } from '../../server/src/model/factories';
import { subjectForEvent } from '../../server/src/subjects/subject';
import { defaultServerAnswers } from '../../server/src/backend/natsTarget';
import { EventStorage } from '../../server/src/storage/eventStorage';
import { NatsSession } from '../../server/src/storage/session';
import { desiredStreamConfig } from '../../server/src/storage/streamConfig';
import { BackendProcess, backendSettings, SERVER_JS } from '../support/backendProcess';
import { NatsProxy } from '../support/natsProxy';
import { NatsServer } from '../support/natsServer';
import { openStorage, PREFIX, STREAM } from '../support/storageFixture';

let server: NatsServer;
let storage: EventStorage;
let storagePath: string;

before(async () => {
  assert.ok(existsSync(SERVER_JS), `${SERVER_JS} is missing: run npm run build first`);
  server = await NatsServer.start();
  storage = await openStorage(server);
  storagePath = mkdtempSync(join(tmpdir(), 'naq-backend-storage-'));
});

after(async () => {
  await storage?.close();
  await server?.dispose();
  rmSync(storagePath, { recursive: true, force: true });
});

async function withBackend(settings: Parameters<typeof backendSettings>[0], body: (backend: BackendProcess) => Promise<void>, env?: NodeJS.ProcessEnv): Promise<void> {
  const backend = await BackendProcess.start(backendSettings(settings), env);
  try {
    await body(backend);
  } finally {
    await backend.stop();
  }
}

test('answers every method against a real server', async () => {
  await withBackend({ serverUrl: server.url, storagePath }, async (backend) => {
    const connected = await backend.untilPhase('connected');
    assert.match(connected.detail, /nats-server 2\./);
    const lifecycle = await backend.rpc.sendRequest(EmitLifecycleRequest.type, { scenario: 'failure-with-retries', jobId: 'be-1', queue: 'billing', worker: 'w-7' });
    assert.equal(lifecycle.jobId, 'be-1');
    assert.ok(lifecycle.events.length >= 8);
    const emitted = await backend.rpc.sendRequest(EmitRequest.type, { event: { job_id: 'be-2', event_type: 'enqueued', queue_name: 'mail' } });
    assert.equal(emitted.subject, `${PREFIX}.be-2.queue.mail.enqueued`);

    const page = await backend.until('jobs indexed', async () => {
      const p = await backend.rpc.sendRequest(ListJobsRequest.type, { offset: 0, limit: 100 });
      return p.total === 2 ? p : undefined;
    });
    assert.deepEqual(page.items.map((j) => j.jobId), ['be-2', 'be-1']);
    const failedJob = page.items[1];
    assert.equal(failedJob?.status, 'failed');
    assert.equal(failedJob?.attempts, 3);
    assert.equal(failedJob?.lastError?.message, 'payment gateway unreachable');

    const byStatus = await backend.rpc.sendRequest(ListJobsRequest.type, { offset: 0, limit: 10, status: 'queued' });
    assert.deepEqual(byStatus.items.map((j) => j.jobId), ['be-2']);
    const bySearch = await backend.rpc.sendRequest(ListJobsRequest.type, { offset: 0, limit: 10, search: 'GATEWAY' });
    assert.deepEqual(bySearch.items.map((j) => j.jobId), ['be-1']);
    const byWorker = await backend.rpc.sendRequest(ListJobsRequest.type, { offset: 0, limit: 10, worker: 'w-7' });
    assert.equal(byWorker.total, 1);

    const queues = await backend.rpc.sendRequest(ListQueuesRequest.type);
    assert.deepEqual(queues.map((q) => [q.name, q.total]), [['billing', 1], ['mail', 1]]);
    assert.deepEqual(queues[0]?.counts, { failed: 1 });
    const workers = await backend.rpc.sendRequest(ListWorkersRequest.type);
    assert.deepEqual(workers.map((w) => w.id), ['w-7']);

    const timeline = await backend.rpc.sendRequest(TimelineRequest.type, { jobId: 'be-1' });
    assert.equal(timeline.source, 'index');
    assert.equal(timeline.events.length, lifecycle.events.length);
    assert.deepEqual(timeline.events.map((e) => e.nats_sequence), lifecycle.events.map((e) => e.seq));
    assert.equal(timeline.events[0]?.event_type, 'enqueued');
    assert.ok(timeline.events.some((e) => e.event_type === 'failed' && typeof e.details.traceback === 'string'));

    const job = await backend.rpc.sendRequest(GetJobRequest.type, { jobId: 'be-2' });
    assert.equal(job?.queue, 'mail');
    assert.equal(await backend.rpc.sendRequest(GetJobRequest.type, { jobId: 'nope' }), null);

    const stats = await backend.rpc.sendRequest(StatsRequest.type);
    assert.equal(stats.jobsStarted, 1);
    assert.equal(stats.jobsFailed, 1, 'failed jobs, not failed events: be-1 failed three times');
    assert.deepEqual(stats.queueUsage, { billing: 1, mail: 1 });

    await backend.until('change named the job and its queue', () => backend.changes.some((c) => c.jobs.includes('be-1') && c.queues.includes('billing')));
    await backend.until('change named the failure', () => backend.changes.some((c) => c.failed.some((f) => f.jobId === 'be-1')));

    const tail = await backend.rpc.sendRequest(TailStartRequest.type, {});
    assert.equal(tail.pattern, `${PREFIX}.>`);
    await backend.rpc.sendRequest(EmitRequest.type, { event: { job_id: 'be-3', event_type: 'started', worker_id: 'w' } });
    await backend.rpc.sendRequest(EmitRequest.type, { event: { job_id: 'be-3', event_type: 'failed', worker_id: 'w', error_message: 'tail me' } });
    const batch = await backend.until('tail batch', () => backend.tails.find((b) => b.tailId === tail.tailId && b.events.length > 0));
    assert.deepEqual(batch.events.map((e) => e.error_message), ['tail me']);
    await backend.rpc.sendRequest(TailStopRequest.type, { tailId: tail.tailId });
    await assert.rejects(backend.rpc.sendRequest(TailStartRequest.type, { pattern: 'naq..x' }), /empty token/);
    await assert.rejects(backend.rpc.sendRequest(EmitRequest.type, { event: { job_id: 'a.b', event_type: 'failed' } }), /invalid job id "a\.b"/);

    const seenBefore = (await backend.rpc.sendRequest(StatsRequest.type)).eventsSeen;
    const deleted = await backend.rpc.sendRequest(DeleteJobRequest.type, { jobId: 'be-2' });
    assert.equal(deleted.purged, 1);
    assert.equal(await backend.rpc.sendRequest(GetJobRequest.type, { jobId: 'be-2' }), null);
    // What the job counted for in the stats went with it.
    const after = await backend.rpc.sendRequest(StatsRequest.type);
    assert.deepEqual(after.queueUsage, { billing: 1 });
    assert.equal(after.eventsSeen, seenBefore - 1);

    const disconnected = await backend.rpc.sendRequest(DisconnectRequest.type);
    assert.equal(disconnected.phase, 'disconnected');
    await assert.rejects(backend.rpc.sendRequest(ListJobsRequest.type, { offset: 0, limit: 1 }), /not connected/);
    const again = await backend.rpc.sendRequest(ConnectRequest.type, backendSettings({ serverUrl: server.url, storagePath }));
    assert.equal(again.phase, 'connected');
    const consumers = await storage.session.jsm.consumers.list(STREAM).next();
    assert.equal(consumers.length, 1, 'only the index consumer remains');
  });
});

test('catches up from its snapshot after a restart, then follows new events', async () => {
  const snapshotDir = mkdtempSync(join(tmpdir(), 'naq-snapshot-'));
  try {
    await withBackend({ serverUrl: server.url, storagePath: snapshotDir }, async (backend) => {
      await backend.untilPhase('connected');
      await storage.store(JobEvents.enqueued('snap-1', 'q'));
      await backend.until('snap-1 indexed', () => backend.rpc.sendRequest(GetJobRequest.type, { jobId: 'snap-1' }).then((j) => j ?? undefined));
    });
    await storage.store(JobEvents.started('snap-1', 'w', 'async'));
    await storage.store(JobEvents.enqueued('snap-2', 'q'));
    await withBackend({ serverUrl: server.url, storagePath: snapshotDir }, async (backend) => {
      await backend.untilPhase('connected');
      const job = await backend.until('snap-1 running', async () => {
        const j = await backend.rpc.sendRequest(GetJobRequest.type, { jobId: 'snap-1' });
        return j?.status === 'running' ? j : undefined;
      });
      assert.equal(job.eventCount, 2);
      assert.ok(await backend.rpc.sendRequest(GetJobRequest.type, { jobId: 'snap-2' }));
      assert.match(backend.output, /snapshot at sequence \d+ with \d+ jobs loaded/);
    });
  } finally {
    rmSync(snapshotDir, { recursive: true, force: true });
  }
});

test('stays correct when events are purged and when the stream is recreated', async () => {
  await withBackend({ serverUrl: server.url, storagePath }, async (backend) => {
    await backend.untilPhase('connected');
    await storage.store(JobEvents.enqueued('purged-elsewhere', 'q'));
    await backend.until('indexed', () => backend.rpc.sendRequest(GetJobRequest.type, { jobId: 'purged-elsewhere' }).then((j) => j ?? undefined));
    await storage.deleteJobEvents('purged-elsewhere');
    await backend.until('purge noticed', async () => (await backend.rpc.sendRequest(GetJobRequest.type, { jobId: 'purged-elsewhere' })) === null);

    await storage.session.jsm.streams.delete(STREAM);
    const fresh = await openStorage(server);
    try {
      await fresh.store(JobEvents.enqueued('after-recreate', 'q'));
      await backend.until('rebuilt after recreation', async () => {
        const page = await backend.rpc.sendRequest(ListJobsRequest.type, { offset: 0, limit: 10 });
        return page.total === 1 && page.items[0]?.jobId === 'after-recreate' ? page : undefined;
      }, 20_000);
      assert.ok(backend.changes.some((c) => c.reset));
    } finally {
      await fresh.close();
    }
  });
});

test("jobs beyond the index's limit: counted while the stream holds them, through a restart, and listed again under a higher limit", async () => {
  const stream = { streamName: 'LEFT_OUT_EVENTS', subjectPrefix: 'leftout.events' };
  const leftOutDir = mkdtempSync(join(tmpdir(), 'naq-left-out-'));
  const settings = { serverUrl: server.url, storagePath: leftOutDir, maxIndexedJobs: 1_000, ...stream };
  const jobs = 1_050;
  const leftOut = (backend: BackendProcess, count: number): Promise<unknown> =>
    backend.until(`${count} jobs left out`, () => (backend.state?.index?.building === false && backend.state.index.jobsLeftOut === count ? true : undefined), 20_000);
  try {
    await withBackend(settings, async (backend) => {
      await backend.untilPhase('connected');
      // Job i's two events are sequences 2i + 1 and 2i + 2: jobs 0 to 49 go, the newest of them at sequence 100.
      const nc = await connect({ servers: server.url });
      try {
        for (let i = 0; i < jobs; i++) {
          for (const event of [JobEvents.enqueued(`lo-${i}`, 'q'), JobEvents.completed(`lo-${i}`, 'w', 5)]) nc.publish(subjectForEvent(stream.subjectPrefix, event), encodeEvent(event));
        }
        await nc.flush();
      } finally {
        await nc.close();
      }
      await leftOut(backend, 50);
      const page = await backend.rpc.sendRequest(ListJobsRequest.type, { offset: 0, limit: 1 });
      assert.deepEqual([page.total, page.items[0]?.jobId], [1_000, `lo-${jobs - 1}`]);
      assert.equal(backend.state?.index?.maxJobs, 1_000);
    });
    await withBackend(settings, async (backend) => {
      await backend.untilPhase('connected');
      await leftOut(backend, 50);
      assert.match(backend.output, /index: snapshot at sequence 2100 with 1000 jobs loaded/);
      // Purged below 51: the stream holds the newest event of jobs 25 to 49 only.
      const nc = await connect({ servers: server.url });
      try {
        const jsm = await nc.jetstreamManager();
        await jsm.streams.purge(stream.streamName, { seq: 51 });
      } finally {
        await nc.close();
      }
      await leftOut(backend, 25);
    });
    await withBackend({ ...settings, maxIndexedJobs: 2_000 }, async (backend) => {
      await backend.untilPhase('connected');
      await leftOut(backend, 0);
      assert.match(backend.output, /building from the stream \(the index's job limit is now 2000, not 1000\)/);
      const page = await backend.rpc.sendRequest(ListJobsRequest.type, { offset: 0, limit: 1 });
      assert.equal(page.total, jobs - 25, 'every job the stream holds, under a limit it does not reach');
    });
  } finally {
    rmSync(leftOutDir, { recursive: true, force: true });
  }
});

/** What a backend that builds its index afresh from the same stream answers: the live one must answer the same. */
async function sameAsFreshBuild(live: BackendProcess): Promise<void> {
  const freshDir = mkdtempSync(join(tmpdir(), 'naq-fresh-build-'));
  try {
    await withBackend({ serverUrl: server.url, storagePath: freshDir }, async (fresh) => {
      await fresh.untilPhase('connected');
      const view = async (backend: BackendProcess): Promise<unknown> => ({
        stats: await backend.rpc.sendRequest(StatsRequest.type),
        jobs: await backend.rpc.sendRequest(ListJobsRequest.type, { offset: 0, limit: 1000 }),
        queues: await backend.rpc.sendRequest(ListQueuesRequest.type),
        workers: (await backend.rpc.sendRequest(ListWorkersRequest.type)).map((w) => ({ id: w.id, counts: w.counts, total: w.total })),
      });
      const expected = await fresh.until('the fresh build done', async () => {
        const page = await fresh.rpc.sendRequest(ListJobsRequest.type, { offset: 0, limit: 1 });
        const jobs = await live.rpc.sendRequest(ListJobsRequest.type, { offset: 0, limit: 1 });
        return page.total === jobs.total ? view(fresh) : undefined;
      });
      assert.deepEqual(await view(live), expected);
    });
  } finally {
    rmSync(freshDir, { recursive: true, force: true });
  }
}

test('follows deletions by another client while non-job messages are in the stream, live and from its snapshot', async () => {
  const snapshotDir = mkdtempSync(join(tmpdir(), 'naq-deletions-'));
  try {
    const { js } = storage.session;
    await js.publish(`${PREFIX}.global.started`, new Uint8Array([0x80]));
    await js.publish(`${PREFIX}.global.completed`, new Uint8Array([0x80]));
    await js.publish(`${PREFIX}.garbage-job.failed`, new TextEncoder().encode('plain text, not msgpack'));
    const firstOf = new Map<string, number>();
    for (const id of ['del-a', 'del-b', 'del-c']) {
      firstOf.set(id, (await storage.store(JobEvents.enqueued(id, 'del-q'))).seq);
      await storage.store(JobEvents.started(id, 'del-w', 'async'));
    }
    await storage.store(JobEvents.completed('del-c', 'del-w', 120));
    await withBackend({ serverUrl: server.url, storagePath: snapshotDir }, async (backend) => {
      await backend.untilPhase('connected');
      await backend.until('del-c completed', async () => (await backend.rpc.sendRequest(GetJobRequest.type, { jobId: 'del-c' }))?.status === 'completed');
      assert.notEqual((await backend.rpc.sendRequest(GetJobRequest.type, { jobId: 'garbage-job' }))?.status, 'failed', 'an undecodable payload moves no status');
      await storage.deleteJobEvents('del-a');
      await backend.until('deletion noticed', async () => (await backend.rpc.sendRequest(GetJobRequest.type, { jobId: 'del-a' })) === null);
      await sameAsFreshBuild(backend);
      // What the stream's limits do to the oldest messages: everything before del-b goes, job messages or not.
      await storage.session.jsm.streams.purge(STREAM, { seq: firstOf.get('del-b') as number });
      await backend.until('eviction noticed', async () => (await backend.rpc.sendRequest(GetJobRequest.type, { jobId: 'garbage-job' })) === null);
      await sameAsFreshBuild(backend);
    });
    await storage.deleteJobEvents('del-b');
    await withBackend({ serverUrl: server.url, storagePath: snapshotDir }, async (backend) => {
      await backend.untilPhase('connected');
      assert.match(backend.output, /snapshot at sequence \d+ with \d+ jobs loaded/);
      await backend.until('deletion while stopped noticed', async () => (await backend.rpc.sendRequest(GetJobRequest.type, { jobId: 'del-b' })) === null);
      await sameAsFreshBuild(backend);
    });
  } finally {
    rmSync(snapshotDir, { recursive: true, force: true });
  }
});

test('recovers when the NATS server restarts under it', async () => {
  const own = await NatsServer.start();
  try {
    await withBackend({ serverUrl: own.url, storagePath }, async (backend) => {
      await backend.untilPhase('connected');
      await own.restart();
      await backend.until('disconnect seen', () => backend.states.some((s) => s.phase === 'disconnected'));
      await backend.untilPhase('connected', 30_000);
      await backend.rpc.sendRequest(EmitRequest.type, { event: { job_id: 'after-restart', event_type: 'enqueued', queue_name: 'q' } });
      await backend.until('indexed after restart', () => backend.rpc.sendRequest(GetJobRequest.type, { jobId: 'after-restart' }).then((j) => j ?? undefined));
    });
  } finally {
    await own.dispose();
  }
});

test('a frozen NATS server: the state says it stopped answering, requests fail at once, and a thawed one is used again', async () => {
  const own = await NatsServer.start();
  let thaw: (() => void) | undefined;
  try {
    await withBackend({ serverUrl: own.url, storagePath }, async (backend) => {
      await backend.untilPhase('connected');
      await backend.rpc.sendRequest(EmitRequest.type, { event: { job_id: 'before-freeze', event_type: 'enqueued', queue_name: 'q' } });
      thaw = own.pause();
      const frozen = await backend.until('the outage seen', () => backend.states.find((s) => s.outage !== undefined), 30_000);
      assert.equal(frozen.phase, 'disconnected');
      assert.equal(frozen.outage?.cause, 'not-answering');
      assert.match(frozen.detail, /stopped answering/);
      assert.doesNotMatch(frozen.detail, /address|TLS/);
      // The index still answers from memory; what needs NATS is refused with the reason, not after a timeout.
      assert.equal((await backend.rpc.sendRequest(GetJobRequest.type, { jobId: 'before-freeze' }))?.jobId, 'before-freeze');
      await assert.rejects(backend.rpc.sendRequest(TimelineRequest.type, { jobId: 'before-freeze' }), /not connected to NATS: .*stopped answering/);
      thaw();
      thaw = undefined;
      const back = await backend.untilPhase('connected', 30_000);
      assert.equal(back.outage, undefined);
      await backend.rpc.sendRequest(EmitRequest.type, { event: { job_id: 'after-thaw', event_type: 'enqueued', queue_name: 'q' } });
      await backend.until('indexed after the thaw', () => backend.rpc.sendRequest(GetJobRequest.type, { jobId: 'after-thaw' }).then((j) => j ?? undefined));
    });
  } finally {
    thaw?.();
    await own.dispose();
  }
});

test('an index that cannot follow the stream says so, and why, while NATS answers; then follows again', async () => {
  const own = await NatsServer.start();
  const proxy = await NatsProxy.start(own.port);
  const operator = await NatsSession.open({ connection: { servers: own.url }, streamName: STREAM, subjectPrefix: PREFIX, timeoutMs: 5_000, createStream: false });
  const fillers: string[] = [];
  try {
    // The operator's stream takes few consumers, and the test takes those the backend gives up before its
    // replacements reach the server (held back by the proxy), so they are refused.
    const maxConsumers = 4;
    await operator.jsm.streams.add({ ...desiredStreamConfig(STREAM, PREFIX), max_consumers: maxConsumers });
    await withBackend({ serverUrl: proxy.url, storagePath }, async (backend) => {
      await backend.untilPhase('connected');
      const held = proxy.holdMessages('to-server', '$JS.API.CONSUMER.CREATE.');
      const backendConsumers = (await operator.jsm.consumers.list(STREAM).next()).map((c) => c.name);
      assert.ok(backendConsumers.length > 0, 'the backend follows the stream with a consumer');
      for (const name of backendConsumers) await operator.jsm.consumers.delete(STREAM, name);
      await held.first;
      while (fillers.length < maxConsumers) fillers.push((await operator.jsm.consumers.add(STREAM, { ack_policy: AckPolicy.None, inactive_threshold: nanos(60_000) })).name);
      held.release();
      const stalled = await backend.until('the stall reported', () => backend.states.find((s) => s.index?.stalled !== undefined));
      assert.equal(stalled.phase, 'degraded');
      assert.match(stalled.index?.stalled?.reason ?? '', /maximum consumers/i);
      assert.match(stalled.detail, /the index cannot follow the stream since .*maximum consumers/i);
      for (const name of fillers.splice(0)) await operator.jsm.consumers.delete(STREAM, name);
      // Recovered once the new consumer delivers, not once it is made: the event is that delivery.
      await backend.rpc.sendRequest(EmitRequest.type, { event: { job_id: 'after-stall', event_type: 'enqueued', queue_name: 'q' } });
      await backend.until('indexed after the stall', () => backend.rpc.sendRequest(GetJobRequest.type, { jobId: 'after-stall' }).then((j) => j ?? undefined));
      const back = await backend.until('following again', () => {
        const state = backend.state;
        return state?.phase === 'connected' && state.index?.stalled === undefined ? state : undefined;
      });
      assert.doesNotMatch(back.detail, /cannot follow/);
    });
  } finally {
    await operator.close();
    await proxy.dispose();
    await own.dispose();
  }
});

test('with nothing configured: uses a server on the default address if one answers, else starts an embedded one, and says which', async () => {
  // Both are the product's behaviour; which one a machine shows depends on what listens on 127.0.0.1:4222
  // (a developer's own server, say), so the test checks the one that applies instead of needing the port free.
  const defaultAnswers = await defaultServerAnswers();
  const embeddedDir = mkdtempSync(join(tmpdir(), 'naq-embedded-'));
  try {
    await withBackend({ storagePath: embeddedDir, embeddedServer: 'auto' }, async (backend) => {
      const state = await backend.untilPhase('connected', 20_000);
      assert.equal(state.server?.embedded, !defaultAnswers);
      if (defaultAnswers) {
        assert.equal(state.server?.url, 'nats://127.0.0.1:4222');
        assert.equal(existsSync(join(embeddedDir, 'nats-store')), false, 'no embedded server next to a running one');
        return;
      }
      assert.match(state.detail, /started by the extension/);
      assert.ok(existsSync(join(embeddedDir, 'nats-store')));
      const result = await backend.rpc.sendRequest(EmitLifecycleRequest.type, { scenario: 'success' });
      assert.match(result.jobId, /^job-[0-9a-f]{6}$/);
    });
    const refused = defaultAnswers ? 'connected' : 'no-server';
    await withBackend({ storagePath: embeddedDir, embeddedServer: 'never' }, async (backend) => {
      const state = await backend.untilPhase(refused);
      if (!defaultAnswers) assert.match(state.detail, /Install nats-server/);
    });
    await withBackend({ storagePath: embeddedDir, embeddedServer: 'auto', natsServerPath: '/nonexistent/nats-server' }, async (backend) => {
      const state = await backend.untilPhase(refused);
      if (!defaultAnswers) assert.match(state.detail, /"naq\.natsServerPath" is "\/nonexistent\/nats-server", which is not an executable file/);
    });
  } finally {
    rmSync(embeddedDir, { recursive: true, force: true });
  }
});

test('one job change is one index/changed carrying its item; a timeline re-read after a sequence gets only newer events and leaves the index as it was', async () => {
  await withBackend({ serverUrl: server.url, storagePath }, async (backend) => {
    await backend.untilPhase('connected');
    const first = await backend.rpc.sendRequest(EmitRequest.type, { event: { job_id: 'ch-1', event_type: 'started', worker_id: 'w' } });
    const opened = await backend.rpc.sendRequest(TimelineRequest.type, { jobId: 'ch-1' });
    assert.deepEqual(opened.events.map((e) => e.nats_sequence), [first.seq]);
    await backend.until('the first change of ch-1', () => backend.changes.some((c) => c.items.some((i) => i.jobId === 'ch-1')));

    const before = backend.changes.length;
    const second = await backend.rpc.sendRequest(EmitRequest.type, { event: { job_id: 'ch-1', event_type: 'completed', worker_id: 'w' } });
    // A change of another job, stored after, is the sentinel: once it is announced, ch-1's change has been too.
    await backend.rpc.sendRequest(EmitRequest.type, { event: { job_id: 'ch-sentinel', event_type: 'started', worker_id: 'w' } });
    await backend.until('the sentinel change', () => backend.changes.slice(before).some((c) => c.jobs.includes('ch-sentinel')));
    const naming = backend.changes.slice(before).filter((c) => c.jobs.includes('ch-1'));
    assert.equal(naming.length, 1, 'one notification for one change of the job');
    const item = naming[0]?.items.find((i) => i.jobId === 'ch-1');
    assert.equal(item?.status, 'completed', 'the notification carries the current item: no jobs/get needed');

    const stats = await backend.rpc.sendRequest(StatsRequest.type);
    const job = await backend.rpc.sendRequest(GetJobRequest.type, { jobId: 'ch-1' });
    assert.deepEqual(job, item);
    const update = await backend.rpc.sendRequest(TimelineRequest.type, { jobId: 'ch-1', afterSeq: first.seq });
    assert.deepEqual(update.events.map((e) => e.nats_sequence), [second.seq], 'only the events stored after afterSeq');
    const nothingNew = await backend.rpc.sendRequest(TimelineRequest.type, { jobId: 'ch-1', afterSeq: second.seq });
    assert.deepEqual(nothingNew.events, []);
    assert.deepEqual(await backend.rpc.sendRequest(GetJobRequest.type, { jobId: 'ch-1' }), job, 'reads leave the job as it was');
    assert.deepEqual(await backend.rpc.sendRequest(StatsRequest.type), stats, 'reads leave the counts as they were');
    assert.equal(backend.changes.slice(before).filter((c) => c.jobs.includes('ch-1')).length, 1, 'reads announce no change');
  });
});
