import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Backend, BackendPeer } from '../../server/src/backend/backend';
import type { StoredMessage } from '../../server/src/processor/streamHandlers';
import type { IndexChange } from '../../server/src/protocol/protocol';
import type { EventStorage } from '../../server/src/storage/eventStorage';
import { backendSettings } from '../support/backendProcess';
import { NatsServer } from '../support/natsServer';
import { openStorage, within } from '../support/storageFixture';

let server: NatsServer;
let storage: EventStorage;
let storagePath: string;

before(async () => {
  server = await NatsServer.start();
  storage = await openStorage(server);
  storagePath = mkdtempSync(join(tmpdir(), 'naq-processor-backend-'));
});

after(async () => {
  await storage?.close();
  await server?.dispose();
  rmSync(storagePath, { recursive: true, force: true });
});

interface Recorder {
  peer: BackendPeer;
  logs: string[];
  changes: IndexChange[];
}

function recorder(): Recorder {
  const logs: string[] = [];
  const changes: IndexChange[] = [];
  return {
    logs,
    changes,
    peer: { state: () => undefined, changed: (change) => changes.push(change), tail: () => undefined, log: (message) => logs.push(message) },
  };
}

/** Resolves once a handler has been given the message stored at `seq`. */
class SeqWaiter {
  private readonly waiting = new Map<number, () => void>();
  private readonly seen = new Set<number>();

  saw(seq: number): void {
    this.seen.add(seq);
    this.waiting.get(seq)?.();
  }

  until(seq: number): Promise<void> {
    if (this.seen.has(seq)) return Promise.resolve();
    return within(15_000, new Promise<void>((resolve) => this.waiting.set(seq, resolve)), `handler given sequence ${seq}`);
  }
}

test('the backend follows the stream through its handlers in order; a failing handler is logged and the index and later handlers go on', async () => {
  const { peer, logs } = recorder();
  const backend = new Backend(peer);
  const calls: string[] = [];
  const waiter = new SeqWaiter();
  backend.useStreamHandler({
    name: 'broken',
    onMessage: (message: StoredMessage) => {
      calls.push(`broken ${message.seq}`);
      throw new Error('deliberately broken');
    },
  });
  backend.useStreamHandler({
    name: 'after',
    onMessage: (message: StoredMessage) => {
      const event = message.event();
      // The index is the first follower: by the time any handler runs, the job already reflects the message.
      const job = event instanceof Error ? undefined : backend.getJob(event.job_id);
      calls.push(`after ${message.seq} ${job?.eventCount ?? 'unindexed'}`);
      waiter.saw(message.seq);
    },
  });
  try {
    const state = await backend.connect(backendSettings({ serverUrl: server.url, storagePath }));
    assert.equal(state.phase, 'connected', state.detail);

    const started = await backend.emit({ event: { job_id: 'ph-1', event_type: 'started', worker_id: 'w' } });
    const completed = await backend.emit({ event: { job_id: 'ph-1', event_type: 'completed', worker_id: 'w' } });
    await waiter.until(completed.seq);

    assert.deepEqual(calls, [`broken ${started.seq}`, `after ${started.seq} 1`, `broken ${completed.seq}`, `after ${completed.seq} 2`]);
    assert.equal(backend.getJob('ph-1')?.status, 'completed', 'the index updated through the failing handler');
    const failures = logs.filter((line) => line.includes('handler broken failed on message'));
    assert.equal(failures.length, 1, `a failing handler is logged once, then counted: ${logs.join('\n')}`);
    assert.match(failures[0] as string, /deliberately broken/);

    const late: number[] = [];
    const stop = backend.useStreamHandler({ name: 'late', onMessage: (message) => late.push(message.seq) });
    const third = await backend.emit({ event: { job_id: 'ph-2', event_type: 'started', worker_id: 'w' } });
    await waiter.until(third.seq);
    stop();
    const fourth = await backend.emit({ event: { job_id: 'ph-2', event_type: 'completed', worker_id: 'w' } });
    await waiter.until(fourth.seq);
    assert.deepEqual(late, [third.seq], 'a handler added while connected follows from then on, and not after its disposer ran');
    assert.equal(backend.getJob('ph-2')?.status, 'completed');
  } finally {
    await backend.shutdown();
  }
});

test('handlers registered on the backend follow the new connection after a reconnect', async () => {
  const { peer } = recorder();
  const backend = new Backend(peer);
  const waiter = new SeqWaiter();
  const seen: number[] = [];
  backend.useStreamHandler({
    name: 'follower',
    onMessage: (message) => {
      seen.push(message.seq);
      waiter.saw(message.seq);
    },
  });
  try {
    const settings = backendSettings({ serverUrl: server.url, storagePath });
    await backend.connect(settings);
    await backend.disconnect();
    const state = await backend.connect(settings);
    assert.equal(state.phase, 'connected', state.detail);
    const stored = await backend.emit({ event: { job_id: 'ph-3', event_type: 'started', worker_id: 'w' } });
    await waiter.until(stored.seq);
    assert.equal(seen.filter((seq) => seq === stored.seq).length, 1, 'given once, by the current connection only');
  } finally {
    await backend.shutdown();
  }
});
