import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ConnectionOptions } from 'nats';
import { encodeEvent } from '../../server/src/codec/encode';
import { Indexer, IndexerProgress } from '../../server/src/index/indexer';
import { JobIndex } from '../../server/src/index/jobIndex';
import { recordFromMessage } from '../../server/src/index/indexRecord';
import { syntheticJobEvents, SYNTHETIC_EVENTS_PER_JOB } from '../../server/src/model/samples';
import { BulkOutcome, BulkRead } from '../../server/src/storage/bulkRead';
import { NatsSession } from '../../server/src/storage/session';
import { subjectForEvent } from '../../server/src/subjects/subject';
import { withTimeout } from '../../server/src/util/timeout';
import { eventually } from '../support/eventually';
import { NatsServer } from '../support/natsServer';
import { PREFIX, STREAM } from '../support/storageFixture';
import { makeTestPki, serverTlsConfig, type TestPki } from '../support/tlsCerts';

const JOBS = 1_500;
const EVENTS = JOBS * SYNTHETIC_EVENTS_PER_JOB;
const TEST_TIMEOUT = { timeout: 120_000 };

function open(server: NatsServer, connection: Partial<ConnectionOptions> = {}): Promise<NatsSession> {
  return NatsSession.open({ connection: { servers: server.url, ...connection }, streamName: STREAM, subjectPrefix: PREFIX, timeoutMs: 5_000 });
}

/** Stored with message ids, so every message arrives with headers (HMSG), as the logger stores them. */
async function fill(session: NatsSession): Promise<Map<number, { subject: string; data: Uint8Array }>> {
  const stored = new Map<number, { subject: string; data: Uint8Array }>();
  const start = Date.now() / 1000 - 3600;
  for (let job = 0; job < JOBS; job += 100) {
    const batch = [];
    for (let j = job; j < job + 100; j++) {
      for (const event of syntheticJobEvents(j, start)) {
        const subject = subjectForEvent(PREFIX, event);
        const data = encodeEvent(event);
        batch.push(session.js.publish(subject, data, { msgID: `${event.job_id}-${event.event_type}` }).then((ack) => stored.set(ack.seq, { subject, data })));
      }
    }
    await Promise.all(batch);
  }
  return stored;
}

/**
 * 4,000 events with 16 kB messages, 64 MB: more than a connection's socket buffers can hold (Linux
 * lets them grow to 4 MB sent and 6 to 32 MB received), so that a server stopped part-way through a
 * read cannot have sent the rest already. Returns the last sequence.
 */
async function fillLarge(session: NatsSession): Promise<number> {
  const message = 'x'.repeat(16_000);
  let last = 0;
  for (let job = 0; job < 800; job += 100) {
    const acks = [];
    for (let j = job; j < job + 100; j++) {
      for (const event of syntheticJobEvents(j, Date.now() / 1000)) acks.push(session.js.publish(subjectForEvent(PREFIX, event), encodeEvent({ ...event, message })));
    }
    for (const ack of await Promise.all(acks)) last = Math.max(last, ack.seq);
  }
  return last;
}

interface Read {
  seqs: number[];
  outcome: BulkOutcome;
}

async function readAll(session: NatsSession, fromSeq: number, untilSeq: number, check?: (subject: string, seq: number, data: Buffer) => void, onSeq?: (seq: number, read: BulkRead) => void): Promise<Read> {
  const seqs: number[] = [];
  // Messages can arrive before start() resolves: the callback finds the read through this.
  const started: { read?: BulkRead } = {};
  const read = await BulkRead.start(session, {
    fromSeq,
    untilSeq,
    message: (subject, seq, data) => {
      seqs.push(seq);
      check?.(subject, seq, data);
      if (started.read) onSeq?.(seq, started.read);
    },
  });
  started.read = read;
  const outcome = await withTimeout(read.done, 60_000, 'the bulk read');
  return { seqs, outcome };
}

async function consumerCount(session: NatsSession): Promise<number> {
  return (await session.jsm.streams.info(STREAM)).state.consumer_count;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

describe('bulk read against a real nats-server', () => {
  let server: NatsServer;
  let session: NatsSession;
  let stored: Map<number, { subject: string; data: Uint8Array }>;

  before(async () => {
    server = await NatsServer.start();
    session = await open(server);
    stored = await fill(session);
    assert.equal(stored.size, EVENTS);
  });

  after(async () => {
    await session?.close();
    await server?.dispose();
  });

  test('delivers a range in order with subjects and payloads as stored, then removes its consumer', TEST_TIMEOUT, async () => {
    const { seqs, outcome } = await readAll(session, 101, 5_000, (subject, seq, data) => {
      const expected = stored.get(seq);
      assert.ok(expected, `sequence ${seq} was never stored`);
      assert.equal(subject, expected.subject);
      assert.deepEqual(new Uint8Array(data), expected.data);
    });
    assert.equal(outcome.incomplete, undefined);
    assert.equal(outcome.lastSeq, 5_000);
    assert.deepEqual(seqs, range(101, 5_000));
    await eventually('the bulk consumer is deleted', async () => (await consumerCount(session)) === 0);
  });

  test('reads to the end of the stream when asked for more than it holds', TEST_TIMEOUT, async () => {
    const { seqs, outcome } = await readAll(session, EVENTS - 9, EVENTS + 1_000);
    assert.deepEqual(seqs, range(EVENTS - 9, EVENTS));
    assert.equal(outcome.lastSeq, EVENTS);
  });

  test('stopped part-way, it says how far it got', TEST_TIMEOUT, async () => {
    const { seqs, outcome } = await readAll(session, 1, EVENTS, undefined, (seq, read) => {
      if (seq === 1_000) void read.stop();
    });
    assert.equal(outcome.lastSeq, 1_000);
    assert.equal(outcome.incomplete, 'it was stopped');
    assert.deepEqual(seqs, range(1, 1_000));
    await eventually('the bulk consumer is deleted', async () => (await consumerCount(session)) === 0);
  });

  test('the index built through a bulk read equals one built event by event, and then follows new events', TEST_TIMEOUT, async () => {
    const reference = new JobIndex();
    for (const seq of [...stored.keys()].sort((a, b) => a - b)) {
      const { subject, data } = stored.get(seq)!;
      reference.apply(recordFromMessage(PREFIX, subject, seq, data, 0)!);
    }
    const logs: string[] = [];
    const indexer = new Indexer(session, { progress: () => undefined, changed: () => undefined, log: (m) => logs.push(m) });
    try {
      await indexer.start();
      await eventually('the index is built', async () => !indexer.building);
      assert.ok(logs.some((line) => line.startsWith(`index: reading up to ${EVENTS} events in bulk`)), logs.join('\n'));
      const built = indexer.index;
      assert.equal(built.indexedEvents, EVENTS);
      assert.equal(built.jobCount, JOBS);
      assert.deepEqual(built.stats, reference.stats);
      assert.deepEqual(built.listQueues(), reference.listQueues());
      assert.deepEqual(built.listWorkers(), reference.listWorkers());
      for (let job = 0; job < JOBS; job++) assert.deepEqual(built.get(`bench-${job}`), reference.get(`bench-${job}`));

      const [event] = syntheticJobEvents(JOBS, Date.now() / 1000);
      await session.js.publish(subjectForEvent(PREFIX, event!), encodeEvent(event!));
      await eventually('a new event is followed', async () => indexer.index.get(`bench-${JOBS}`) !== undefined);
    } finally {
      await indexer.stop();
    }
  });
});

describe('bulk read on other servers', () => {
  let pki: TestPki;
  let pkiDir: string;

  before(() => {
    pkiDir = mkdtempSync(join(tmpdir(), 'naq-bulk-pki-'));
    pki = makeTestPki(pkiDir);
  });

  after(() => rmSync(pkiDir, { recursive: true, force: true }));

  async function withServer(config: string, connection: Partial<ConnectionOptions>, run: (server: NatsServer, session: NatsSession) => Promise<void>): Promise<void> {
    const server = await NatsServer.start({ config });
    let session: NatsSession | undefined;
    try {
      session = await open(server, connection);
      await run(server, session);
    } finally {
      await session?.close();
      await server.dispose();
    }
  }

  test('through TLS, with a user and password: the main connection’s settings are used as they are', TEST_TIMEOUT, async () => {
    const config = `${serverTlsConfig(pki)}\nauthorization { user: naq, password: s3cret }`;
    await withServer(config, { user: 'naq', pass: 's3cret', tls: { caFile: pki.caFile } }, async (_server, session) => {
      const stored = await fill(session);
      const { seqs, outcome } = await readAll(session, 1, EVENTS, (subject, seq) => assert.equal(subject, stored.get(seq)?.subject));
      assert.equal(outcome.incomplete, undefined);
      assert.deepEqual(seqs, range(1, EVENTS));
    });
  });

  test('a connection the server refuses fails the start, naming why; the index is then built by the ordered consumer', TEST_TIMEOUT, async () => {
    await withServer('max_connections: 1', {}, async (_server, session) => {
      await fill(session);
      await assert.rejects(
        BulkRead.start(session, { fromSeq: 1, untilSeq: EVENTS, message: () => undefined }),
        /maximum connections exceeded/i,
      );
      assert.equal(await consumerCount(session), 0);
      const logs: string[] = [];
      const indexer = new Indexer(session, { progress: () => undefined, changed: () => undefined, log: (m) => logs.push(m) });
      try {
        await indexer.start();
        await eventually('the index is built', async () => !indexer.building);
        assert.equal(indexer.index.indexedEvents, EVENTS);
        assert.ok(logs.some((line) => /no bulk read \(.*maximum connections exceeded.*\); reading through the ordered consumer/i.test(line)), logs.join('\n'));
      } finally {
        await indexer.stop();
      }
    });
  });

  test('a server restarting mid-read ends it early with every sequence up to where it got', TEST_TIMEOUT, async () => {
    await withServer('', { maxReconnectAttempts: -1, reconnectTimeWait: 100 }, async (server, session) => {
      const stored = await fillLarge(session);
      let restarting: Promise<void> | undefined;
      const { seqs, outcome } = await readAll(session, 1, stored, undefined, (seq) => {
        if (seq !== 500) return;
        // Frozen and killed at once, in this callback: the server sends nothing more, whereas one stopped
        // gracefully first writes out what it has queued, which could be every event left.
        server.pause();
        restarting = server.kill().then(() => server.restart());
      });
      await restarting;
      assert.match(outcome.incomplete ?? '', /the connection ended/);
      assert.ok(outcome.lastSeq >= 500 && outcome.lastSeq < stored, String(outcome.lastSeq));
      assert.deepEqual(seqs, range(1, outcome.lastSeq));
    });
  });

  test('a server that freezes mid-build stalls the bulk read; the ordered consumer then completes the index', TEST_TIMEOUT, async () => {
    await withServer('', {}, async (server, session) => {
      await fill(session);
      const logs: string[] = [];
      const reported: IndexerProgress[] = [];
      const indexer = new Indexer(session, { progress: (p) => reported.push(p), changed: () => undefined, log: (m) => logs.push(m) });
      let thaw: (() => void) | undefined;
      const watch = setInterval(() => {
        if (!thaw && indexer.index.indexedEvents > 0 && indexer.building) thaw = server.pause();
      }, 1);
      try {
        await indexer.start();
        await eventually('the server was frozen mid-build', async () => thaw !== undefined);
        clearInterval(watch);
        await eventually('the bulk read gives up', async () => logs.some((line) => /the bulk read ended at sequence \d+ because nothing arrived/.test(line)), 20_000);
        thaw?.();
        await eventually('the index is built', async () => !indexer.building, 60_000);
        assert.equal(indexer.index.indexedEvents, EVENTS);
        assert.equal(indexer.index.jobCount, JOBS);
        // The status bar's "Indexing: N of M events" moved while the build was under way.
        assert.ok(reported.some((p) => p.building && p.indexedEvents > 0 && p.indexedEvents < EVENTS), JSON.stringify(reported));
      } finally {
        clearInterval(watch);
        thaw?.();
        await indexer.stop();
      }
    });
  });
});
