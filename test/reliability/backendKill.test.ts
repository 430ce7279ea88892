import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { JobEvents } from '../../server/src/model/factories';
import { TailStartRequest } from '../../server/src/protocol/protocol';
import { BackendProcess, backendSettings, SERVER_JS } from '../support/backendProcess';
import { eventually } from '../support/eventually';
import { NatsServer } from '../support/natsServer';
import { openStorage, STREAM } from '../support/storageFixture';

/**
 * A backend killed with SIGKILL cannot delete its consumers. The stream belongs to its operator, so
 * what the backend left behind must go by itself: every consumer it creates, the index's follower and a
 * tail's, the first ones and their replacements after a server restart, must carry an inactive threshold
 * short enough for the server to remove it within 35 s of its owner's death.
 *
 * (Before the fix, nats.js 2.29's ordered consumer gave every consumer not starting at sequence 1, and
 * every replacement, a hard-coded 5-minute threshold: the index's follower stayed 300 s.)
 */

const VANISH_WITHIN_MS = 35_000;

test('consumers of a backend killed with SIGKILL vanish from the stream within 35 s', { timeout: 150_000 }, async () => {
  assert.ok(existsSync(SERVER_JS), 'dist/ is missing: run npm run build first');
  const server = await NatsServer.start();
  let storage = await openStorage(server);
  let backend: BackendProcess | undefined;
  try {
    for (let i = 0; i < 20; i++) await storage.store(JobEvents.started(`kill-${i % 4}`, `w${i}`, 'async', { details: { i } }));
    const consumers = async (): Promise<string[]> =>
      (await storage.session.jsm.consumers.list(STREAM).next()).map((c) => `${c.name} (inactive_threshold ${c.config.inactive_threshold ?? 'none'} ns)`);

    backend = await BackendProcess.start(backendSettings({ serverUrl: server.url }));
    await backend.untilPhase('connected');
    const tail = await backend.rpc.sendRequest(TailStartRequest.type, {});

    // A server restart takes the in-memory consumers with it: the backend's replacements are what it
    // holds afterwards. A sentinel event reaching the tail (a failure: what a tail without filters shows)
    // says the replacements are in place.
    await storage.close();
    await server.restart();
    storage = await openStorage(server);
    await storage.store(JobEvents.failed('kill-sentinel', 'w', new Error('sentinel'), 1));
    await backend.until('the tail saw the sentinel after the server restart', () => backend?.tails.some((b) => b.tailId === tail.tailId && b.events.some((e) => e.job_id === 'kill-sentinel')), 60_000);
    const owned = await backend.until('the backend holds its index and tail consumers', async () => {
      const held = await consumers();
      return held.length >= 2 ? held : undefined;
    });

    const exited = new Promise((resolve) => backend?.child.once('exit', resolve));
    backend.child.kill('SIGKILL');
    await exited;
    const killedAt = Date.now();

    // Polls the server's own consumer list: the fact is the list emptying, the deadline only bounds the wait.
    await eventually(`the consumers to leave the stream within ${VANISH_WITHIN_MS} ms of the backend's SIGKILL (were: ${owned.join(', ')})`,
      async () => (await consumers()).length === 0, VANISH_WITHIN_MS, 250);
    console.log(`# consumers gone ${Date.now() - killedAt} ms after the SIGKILL (were: ${owned.join(', ')})`);
  } finally {
    await backend?.stop();
    await storage.close();
    await server.dispose();
  }
});
