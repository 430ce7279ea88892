import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Indexer } from '../../server/src/index/indexer';
import { recordFromMessage } from '../../server/src/index/indexRecord';
import { JobIndex } from '../../server/src/index/jobIndex';
import { JobEvents } from '../../server/src/model/factories';
import { EventStorage } from '../../server/src/storage/eventStorage';
import { NatsSession } from '../../server/src/storage/session';
import { SEED_LIMITS } from '../../server/src/storage/streamConfig';
import { withTimeout } from '../../server/src/util/timeout';
import { readAllMessages } from '../support/audit';
import { eventually } from '../support/eventually';
import { NatsServer } from '../support/natsServer';
import { PREFIX, STREAM } from '../support/storageFixture';

/**
 * Found by test/reliability/soak.test.ts: a job whose oldest events the stream's limits evicted while
 * newer ones remain kept counting the evicted ones (its "started", its first queue and worker): the
 * running index said 355 jobs started where a fresh build of the same stream said 271. The index must
 * build such a job again from what the stream still holds, so that it equals a fresh build.
 */

const MAX_MSGS = 6;

/** The index a fresh build of the stream gives, from a read of every message. */
async function freshIndex(session: NatsSession): Promise<JobIndex> {
  const index = new JobIndex();
  const messages = await readAllMessages(session, `${PREFIX}.>`);
  // The audit read decodes; the index takes raw messages, so go back to the bytes through the codec's own record.
  for (const m of messages) {
    const stored = await session.jsm.streams.getMessage(STREAM, { seq: m.seq });
    const record = recordFromMessage(PREFIX, stored.subject, stored.seq, stored.data, stored.time.getTime() / 1000);
    if (record) index.apply(record);
  }
  return index;
}

test('a job that lost its oldest events to the stream limits is counted as a fresh build counts it', { timeout: 60_000 }, async () => {
  const server = await NatsServer.start();
  const session = await withTimeout(
    NatsSession.open({
      connection: { servers: server.url },
      streamName: STREAM,
      subjectPrefix: PREFIX,
      timeoutMs: 5_000,
      limits: { ...SEED_LIMITS, maxMsgs: MAX_MSGS },
    }),
    15_000,
    'opening the session',
  );
  const storage = new EventStorage(session);
  const indexer = new Indexer(session, { progress: () => undefined, changed: () => undefined, log: () => undefined }, { reconcileMs: 100 });
  try {
    await storage.store(JobEvents.enqueued('ev-a', 'first-queue', 0));
    await storage.store(JobEvents.started('ev-a', 'first-worker', 'async'));
    await storage.store(JobEvents.enqueued('ev-b', 'other', 0));
    await indexer.start();
    await eventually('the index took the first events', () => indexer.index.get('ev-a')?.attempts === 1);
    // ev-a's enqueue and start go over the limit; its failure stays.
    await storage.store(JobEvents.failed('ev-a', 'second-worker', { name: 'ValueError', message: 'late' }, 5));
    for (let i = 0; i < MAX_MSGS - 1; i++) await storage.store(JobEvents.started('ev-b', `w${i}`, 'async'));
    const fresh = await freshIndex(session);
    assert.equal(fresh.get('ev-a')?.attempts, 0, 'the fixture: ev-a has no start left in the stream');

    const agreed = await eventually(
      'the running index to equal a fresh build',
      () => {
        const a = indexer.index.get('ev-a');
        const b = fresh.get('ev-a');
        return JSON.stringify([indexer.index.stats, a]) === JSON.stringify([fresh.stats, b]);
      },
      15_000,
      50,
    ).catch(() => false);
    assert.ok(agreed, `running ${JSON.stringify([indexer.index.stats, indexer.index.get('ev-a')])}\nfresh   ${JSON.stringify([fresh.stats, fresh.get('ev-a')])}`);
    assert.deepEqual(indexer.index.listQueues(), fresh.listQueues());
    assert.deepEqual(indexer.index.listWorkers(), fresh.listWorkers());
  } finally {
    await indexer.stop();
    await session.close();
    await server.dispose();
  }
});
