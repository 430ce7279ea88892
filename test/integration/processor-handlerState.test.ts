import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Indexer } from '../../server/src/index/indexer';
import { JobEvents } from '../../server/src/model/factories';
import type { StreamHandler } from '../../server/src/processor/streamHandlers';
import type { NatsSession } from '../../server/src/storage/session';
import { NatsServer } from '../support/natsServer';
import { openSession, publish, waitFor } from '../support/processorFixture';
import { STREAM } from '../support/storageFixture';

let server: NatsServer;
let session: NatsSession;

before(async () => {
  server = await NatsServer.start();
  session = await openSession(server);
});

after(async () => {
  await session?.close();
  await server?.dispose();
});

/** A handler that keeps the sequences it saw, and keeps them in the snapshot; `refuse`: its restore throws. */
function keeper(name: string, refuse = false): StreamHandler & { seqs: number[]; restoredAt?: number } {
  const handler: StreamHandler & { seqs: number[]; restoredAt?: number } = {
    name,
    seqs: [],
    onMessage: (message) => void handler.seqs.push(message.seq),
    onReset: () => (handler.seqs = []),
    saveState: () => new Uint8Array(Float64Array.from(handler.seqs).buffer),
    restoreState: (state, lastSeq) => {
      if (refuse || state.byteLength % 8 !== 0) throw new Error('not a list of sequences');
      handler.seqs = [...new Float64Array(Uint8Array.from(state).buffer)];
      handler.restoredAt = lastSeq;
    },
  };
  return handler;
}

test('a handler\'s state is saved with the snapshot and restored at its sequence; a missing or unreadable one makes the index build from the stream', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'naq-handler-state-'));
  const run = async (handlers: StreamHandler[], body: (logs: string[], indexer: Indexer) => Promise<void>): Promise<void> => {
    const logs: string[] = [];
    const indexer = new Indexer(session, { progress: () => undefined, changed: () => undefined, log: (m) => logs.push(m) }, { snapshotFile: join(dir, 'index.snapshot') });
    for (const handler of handlers) indexer.handlers.use(handler);
    try {
      await indexer.start();
      await body(logs, indexer);
    } finally {
      await indexer.stop();
    }
  };
  try {
    const seqs = [await publish(session, JobEvents.enqueued('s-1', 'q')), await publish(session, JobEvents.started('s-1', 'w', 'async'))];
    // Everything the stream holds, job messages or not.
    const all = async (): Promise<number[]> => {
      const { first_seq: first, last_seq: last } = (await session.jsm.streams.info(STREAM)).state;
      return Array.from({ length: last - first + 1 }, (_, i) => first + i);
    };
    const first = keeper('first');
    await run([first], () => waitFor(() => first.seqs.includes(seqs[1] as number), 'the first run to see both'));
    const snapshotAt = seqs[1] as number;

    seqs.push(await publish(session, JobEvents.completed('s-1', 'w', 5)));
    const again = keeper('first');
    await run([again], async (logs) => {
      await waitFor(() => again.seqs.includes(seqs[2] as number), 'the restarted one to see the new message');
      assert.equal(again.restoredAt, snapshotAt);
      assert.deepEqual(again.seqs, await all(), 'each message once: those before the snapshot restored, the rest followed');
      assert.ok(logs.some((l) => l.includes(`snapshot at sequence ${snapshotAt}`)), logs.join(' | '));
    });

    const restoredFirst = keeper('first');
    const newcomer = keeper('newcomer');
    await run([restoredFirst, newcomer], async (logs, indexer) => {
      await waitFor(() => newcomer.seqs.includes(seqs[2] as number), 'the build to reach the end');
      assert.ok(logs.includes('index: building from the stream (the snapshot holds no state of newcomer)'), logs.join(' | '));
      assert.deepEqual(restoredFirst.seqs, await all(), 'reset after its restore, then given every message once');
      assert.deepEqual(newcomer.seqs, await all());
      assert.equal(indexer.index.get('s-1')?.status, 'completed');
    });

    const refusing = keeper('first', true);
    await run([refusing], async (logs) => {
      await waitFor(() => refusing.seqs.includes(seqs[2] as number), 'the build to reach the end');
      assert.ok(logs.includes('index: building from the stream (the state of first in the snapshot is unreadable: not a list of sequences)'), logs.join(' | '));
      assert.deepEqual(refusing.seqs, await all());
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
