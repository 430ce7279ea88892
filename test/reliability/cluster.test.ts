import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { AsyncJobEventLogger } from '../../server/src/logger/eventLogger';
import { JobEvents } from '../../server/src/model/factories';
import { GetJobRequest, TimelineRequest } from '../../server/src/protocol/protocol';
import { EventStorage } from '../../server/src/storage/eventStorage';
import { NatsSession, SessionOptions } from '../../server/src/storage/session';
import { SEED_LIMITS } from '../../server/src/storage/streamConfig';
import { delay, withTimeout } from '../../server/src/util/timeout';
import { BackendProcess, backendSettings, SERVER_JS } from '../support/backendProcess';
import { ClusterNode, NatsCluster } from '../support/cluster';
import { PREFIX, STREAM } from '../support/storageFixture';
import { assertExactlyOnceInOrder, numberedEvent, readAllMessages, streamMessages, untilAnswered } from '../support/audit';
import { eventually } from '../support/eventually';

/**
 * A 3-node nats-server 2.9 cluster with the event stream replicated 3 times.
 *
 * 1. The stream's leader is killed (SIGKILL) while the logger writes through it. Afterwards every
 *    logged event is in the stream exactly once, each job's in order; a live tail connected to a
 *    surviving node sees events published after the leader change; the backend (given all three URLs,
 *    as `naq.serverUrl` takes them) keeps indexing; and the backend, which asks for 1 replica by
 *    default, did not shrink the existing R3 stream.
 * 2. The node holding the (R1, in-memory) consumers of a live tail and of the backend's index is
 *    killed: both go on from where they were with a new consumer on a surviving node.
 */

const EVENTS = Number(process.env.NAQ_CLUSTER_EVENTS ?? 20_000);
const JOBS = 200;
const R3 = { ...SEED_LIMITS, replicas: 3 };
/** A consumer lost with its node is noticed after two missed heartbeats (10 s) plus an unanswered probe. */
const RECOVERY_MS = 90_000;

let cluster: NatsCluster;
/** Connected to every node; created the R3 stream. */
let admin: EventStorage;

function sessionOptions(servers: string[], createStream = true): SessionOptions {
  return {
    // The first URL first, so a session can be pinned to a node.
    connection: { servers, noRandomize: true, maxReconnectAttempts: -1, reconnectTimeWait: 250, timeout: 3_000 },
    streamName: STREAM,
    subjectPrefix: PREFIX,
    timeoutMs: 5_000,
    limits: R3,
    createStream,
  };
}

function urlsFirst(first: ClusterNode): string[] {
  return [first.server.url, ...cluster.others(first.name).map((n) => n.server.url)];
}

/**
 * A live tail of one job, running when this returns (it has seen a probe stored after it began).
 * `seen` collects the messages of the events it sees, and their types.
 */
async function startTail(session: NatsSession, jobId: string, signal: AbortSignal): Promise<{ seen: Set<string>; done: Promise<void> }> {
  const storage = new EventStorage(session);
  const seen = new Set<string>();
  const done = (async () => {
    for await (const item of storage.stream({ jobId, signal })) {
      if (item.kind === 'event') seen.add(item.event.message ?? '').add(item.event.event_type);
    }
  })();
  await eventually(
    'tail running',
    async () => {
      if (seen.has('probe')) return true;
      await admin.store(JobEvents.enqueued(jobId, 'q', 0, { message: 'probe' }));
      return false;
    },
    20_000,
    300,
  );
  return { seen, done };
}

/**
 * The backend's summary of `jobId`, or undefined while it is reconnecting: a backend that was on the killed
 * node answers "not connected to NATS" until it is connected to another, which is not yet, not a failure.
 */
async function jobWhenConnected(backend: BackendProcess, jobId: string) {
  try {
    return await withTimeout(backend.rpc.sendRequest(GetJobRequest.type, { jobId }), 15_000, 'backend request');
  } catch (error) {
    if (/^not connected to NATS: /.test((error as Error).message)) return undefined;
    throw error;
  }
}

/** Which node each consumer of the stream lives on, by its filter subject ('' when it has none). */
async function consumerNodes(ignore: ReadonlySet<string> = new Set()): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const consumers = await withTimeout(admin.session.jsm.consumers.list(STREAM).next(), 10_000, 'listing consumers');
  for (const c of consumers) if (!ignore.has(c.name)) out.set(c.config.filter_subject ?? '', c.cluster?.leader ?? '?');
  return out;
}

async function consumerNames(): Promise<Set<string>> {
  return new Set((await withTimeout(admin.session.jsm.consumers.list(STREAM).next(), 10_000, 'listing consumers')).map((c) => c.name));
}

before(async () => {
  assert.ok(existsSync(SERVER_JS), `${SERVER_JS} is missing: run npm run build first`);
  cluster = await NatsCluster.start();
  admin = await withTimeout(EventStorage.open(sessionOptions(cluster.nodes.map((n) => n.server.url))), 20_000, 'creating the R3 stream');
  assert.equal(admin.session.stream?.action, 'created');
});

after(async () => {
  await withTimeout(admin?.close() ?? Promise.resolve(), 10_000, 'closing').catch(() => undefined);
  await cluster?.dispose();
});

test('stream leader killed in a 3-node cluster: exactly once, live tail and backend carry on', { timeout: 240_000 }, async (t) => {
  const closers: (() => Promise<unknown>)[] = [];
  const tailAbort = new AbortController();
  let tail: { seen: Set<string>; done: Promise<void> } | undefined;
  const leader = await cluster.streamLeader(admin.session.jsm, STREAM);
  const survivors = cluster.others(leader.name);
  const survivor = survivors[0] as ClusterNode;
  try {
    t.diagnostic(`stream leader: ${leader.name}; survivors: ${survivors.map((n) => n.name).join(', ')}`);

    // The backend, as the editor starts it: all three URLs in one setting, default limits (1 replica).
    const backend = await withTimeout(BackendProcess.start(backendSettings({ serverUrl: cluster.serverList })), 30_000, 'starting the backend');
    closers.push(() => backend.stop());
    await backend.untilPhase('connected', 30_000);
    assert.equal((await admin.streamInfo()).config.num_replicas, 3, 'the backend left the existing stream at 3 replicas');

    // The logger writes through the leader's node itself: the kill cuts its connection too.
    const loggerSession = await withTimeout(NatsSession.open(sessionOptions(urlsFirst(leader))), 20_000, 'logger session');
    closers.push(() => loggerSession.close());
    assert.equal(loggerSession.nc.getServer(), `127.0.0.1:${leader.clientPort}`);

    // A live tail from now, connected to a surviving node only.
    const tailSession = await withTimeout(NatsSession.open(sessionOptions([survivor.server.url], false)), 20_000, 'tail session');
    closers.push(() => tailSession.close());
    tail = await startTail(tailSession, 'after-change', tailAbort.signal);
    const placement = await consumerNodes();
    const probes = await streamMessages(admin.session);

    const logger = new AsyncJobEventLogger(loggerSession, { batchSize: 100 });
    closers.push(() => logger.stop(2_000));
    logger.start();
    let logged = 0;
    // Bounded below: awaited with a timeout.
    const producing = (async () => {
      for (; logged < EVENTS; logged++) {
        await logger.log(numberedEvent(logged, JOBS, 'cl'));
        // A steady stream rather than one burst: the kill lands while events keep coming.
        if (logged % 500 === 499) await delay(10);
      }
    })();
    await eventually('a third stored', () => logger.stats().stored >= EVENTS / 3, 60_000, 5);
    const before = logger.stats();
    await leader.server.kill();
    const killedAt = Date.now();
    const newLeader = await cluster.streamLeader(tailSession.jsm, STREAM, 30_000, leader.name);
    const electedAfterMs = Date.now() - killedAt;

    await withTimeout(producing, 120_000, 'logging every event');
    const report = await withTimeout(logger.stop(60_000), 65_000, 'stopping the logger');
    const stats = logger.stats();
    t.diagnostic(
      `killed ${leader.name} at ${before.stored} stored / ${before.inFlight} in flight; new leader ${newLeader.name} after ${electedAfterMs} ms; ` +
        `logger reconnected to ${loggerSession.nc.getServer()}; retries ${stats.retries}, duplicate acks ${stats.duplicates}; ` +
        `consumers were on ${JSON.stringify(Object.fromEntries(placement))}`,
    );
    assert.deepEqual(report.notStored.slice(0, 3), [], `${report.notStored.length} events not stored`);
    assert.equal(report.stored, EVENTS);

    // Audit through a survivor: the tail's probes plus every logged event, each exactly once.
    assert.equal(await streamMessages(tailSession), probes + EVENTS);
    const stored = (await readAllMessages(tailSession, `${PREFIX}.>`)).filter((m) => m.event.job_id.startsWith('cl-'));
    assertExactlyOnceInOrder(stored, EVENTS);

    // After the leader change: a new event reaches the live tail and the backend's index.
    const after = new EventStorage(tailSession);
    const failed = JobEvents.failed('after-change', 'w1', { name: 'Error', message: 'after the leader change' }, 5);
    // One message id for every try: a try whose ack was lost stored it once all the same.
    await untilAnswered('storing after the change', () => after.store(failed, undefined, 'cluster-after-change'));
    const seen = tail.seen;
    await eventually('the live tail saw the event published after the leader change', () => seen.has('failed'), RECOVERY_MS);
    const job = await backend.until('indexed after the leader change', async () => {
      const j = await jobWhenConnected(backend, 'after-change');
      return j?.status === 'failed' ? j : undefined;
    }, RECOVERY_MS);
    assert.equal(job.status, 'failed');
    const timeline = await withTimeout(backend.rpc.sendRequest(TimelineRequest.type, { jobId: 'cl-7' }), 15_000, 'timeline');
    assert.equal(timeline.events.length, EVENTS / JOBS, "a logged job's timeline is complete, read from the replicas");
    assert.deepEqual(timeline.problems, []);
    assert.equal(backend.child.exitCode, null, 'the backend is still running');
    assert.equal((await untilAnswered('stream info', () => after.streamInfo())).config.num_replicas, 3);
  } finally {
    tailAbort.abort();
    await withTimeout(tail?.done ?? Promise.resolve(), 10_000, 'ending the tail').catch(() => undefined);
    for (const close of closers.reverse()) await withTimeout(close(), 15_000, 'cleanup').catch(() => undefined);
    // Back to three nodes for the next test.
    await withTimeout(leader.server.restart(), 20_000, 'restarting the node');
    await cluster.waitForStreamCurrent(admin.session.jsm, STREAM);
  }
});

test("the node holding a live tail's and the index's consumers dies: both go on with new consumers", { timeout: 240_000 }, async (t) => {
  // Consumers the earlier tests left to their inactivity threshold (a logger's lookup follows the whole
  // stream, as the index does): taken for the index's, they made its node the wrong one to kill.
  const leftovers = await consumerNames();
  const backend = await withTimeout(BackendProcess.start(backendSettings({ serverUrl: cluster.serverList })), 30_000, 'starting the backend');
  const tailAbort = new AbortController();
  const sessions: NatsSession[] = [];
  let tail: { seen: Set<string>; done: Promise<void> } | undefined;
  const killed: ClusterNode[] = [];
  const down = new Set<ClusterNode>();
  try {
    await backend.untilPhase('connected', 30_000);
    // The stream holds the first test's events: enough for the build to be read in bulk, from one node of an R3 stream.
    await backend.until('the index built', () => backend.state?.index && !backend.state.index.building, 60_000);
    assert.match(backend.output, /index: reading up to \d+ events in bulk/);
    assert.doesNotMatch(backend.output, /no bulk read|the bulk read ended/);
    // The tail on every node (first one first), so it can reconnect wherever its consumer went.
    const first = cluster.nodes[0] as ClusterNode;
    const tailSession = await withTimeout(NatsSession.open(sessionOptions(urlsFirst(first), false)), 20_000, 'tail session');
    sessions.push(tailSession);
    tail = await startTail(tailSession, 'lost-consumer', tailAbort.signal);
    const seen = tail.seen;
    const tailFilter = `${PREFIX}.lost-consumer.>`;

    // Kill the node of the tail's consumer, then (if elsewhere) the node of the index's consumer.
    for (let round = 1; round <= 2; round++) {
      const placement = await consumerNodes(leftovers);
      const indexNode = [...placement].find(([filter]) => filter !== tailFilter)?.[1];
      const tailNode = placement.get(tailFilter);
      const victimName = round === 1 ? tailNode : indexNode;
      t.diagnostic(`round ${round}: tail consumer on ${tailNode}, index consumer on ${indexNode}; tail connected to ${tailSession.nc.getServer()}`);
      if (victimName === undefined || killed.some((n) => n.name === victimName)) continue;
      const victim = cluster.node(victimName);
      // Opened before the kill: the victim may be JetStream's meta leader, and then the API pauses for an election.
      const survivorSession = await withTimeout(NatsSession.open(sessionOptions(cluster.others(victim.name).map((n) => n.server.url), false)), 20_000, 'survivor session');
      sessions.push(survivorSession);
      const storage = new EventStorage(survivorSession);
      await victim.server.kill();
      killed.push(victim);
      down.add(victim);
      const killedAt = Date.now();
      const message = `after losing ${victim.name}`;
      await eventually('stored after the kill', async () => (await withTimeout(storage.store(JobEvents.enqueued('lost-consumer', 'q', 0, { message })), 8_000, 'store')).seq, 30_000, 500);
      const storedMs = Date.now() - killedAt;
      await eventually(`the tail saw "${message}"`, () => seen.has(message), RECOVERY_MS);
      const tailMs = Date.now() - killedAt;
      await backend.until(`the index saw "${message}"`, async () => {
        const job = await jobWhenConnected(backend, 'lost-consumer');
        return job?.lastMessage === message ? job : undefined;
      }, RECOVERY_MS);
      t.diagnostic(`killed ${victim.name}: stored after ${storedMs} ms, the tail saw it after ${tailMs} ms, the index after ${Date.now() - killedAt} ms`);
      if (victimName === indexNode) assert.match(backend.output, /index: following the stream again from sequence \d+/);
      await withTimeout(victim.server.restart(), 20_000, 'restarting the node');
      down.delete(victim);
      await cluster.waitForStreamCurrent(storage.session.jsm, STREAM);
    }
    assert.ok(killed.length >= 1, 'a consumer node was killed');
    assert.equal(backend.child.exitCode, null, 'the backend is still running');
  } finally {
    tailAbort.abort();
    await withTimeout(tail?.done ?? Promise.resolve(), 10_000, 'ending the tail').catch(() => undefined);
    await withTimeout(backend.stop(), 20_000, 'stopping the backend').catch(() => undefined);
    for (const session of sessions) await withTimeout(session.close(), 10_000, 'closing').catch(() => undefined);
    for (const node of down) await withTimeout(node.server.restart(), 20_000, 'restarting the node').catch(() => undefined);
  }
});
