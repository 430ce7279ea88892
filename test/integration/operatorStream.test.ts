import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { nanos, StreamConfig } from 'nats';
import { AsyncJobEventLogger } from '../../server/src/logger/eventLogger';
import { JobEvents } from '../../server/src/model/factories';
import { TailStartRequest } from '../../server/src/protocol/protocol';
import { NatsSession } from '../../server/src/storage/session';
import { withTimeout } from '../../server/src/util/timeout';
import { BackendProcess, backendSettings, SERVER_JS } from '../support/backendProcess';
import { NatsServer } from '../support/natsServer';
import { openStorage, PREFIX, STREAM, within } from '../support/storageFixture';
import type { EventStorage } from '../../server/src/storage/eventStorage';

const run = promisify(execFile);
const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');

let server: NatsServer;
let admin: EventStorage;
let operatorConfig: StreamConfig;

/** An operator's stream, unlike the seed's in every limit the seed sets. */
before(async () => {
  assert.ok(existsSync(CLI) && existsSync(SERVER_JS), 'dist/ is missing: run npm run build first');
  server = await NatsServer.start();
  const probe = await NatsSession.open({ connection: { servers: server.url }, streamName: STREAM, subjectPrefix: PREFIX, timeoutMs: 5_000, createStream: false });
  try {
    await probe.jsm.streams.add({
      name: STREAM,
      subjects: [`${PREFIX}.>`, 'audit.>'],
      max_age: 0,
      max_msgs: -1,
      max_bytes: -1,
      max_msg_size: 8 * 1024 * 1024,
      duplicate_window: nanos(60 * 60 * 1000),
      allow_direct: true,
    });
    operatorConfig = (await probe.jsm.streams.info(STREAM)).config;
  } finally {
    await probe.close();
  }
  admin = await openStorage(server);
});

after(async () => {
  await admin?.close();
  await server?.dispose();
});

async function assertUnchanged(after: string): Promise<void> {
  assert.deepEqual((await admin.session.jsm.streams.info(STREAM)).config, operatorConfig, `the stream's configuration changed after ${after}`);
}

async function cli(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run('node', [CLI, ...args, '--server', server.url], { timeout: 30_000 });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const failure = error as { stdout: string; stderr: string; code: number };
    return { stdout: failure.stdout, stderr: failure.stderr, code: failure.code };
  }
}

test("opening the operator's stream reports nothing to degrade", () => {
  assert.deepEqual(admin.session.stream, { action: 'existing', problems: [] });
});

test("every CLI command leaves the operator's stream byte-for-byte as it was", async () => {
  const commands: string[][] = [
    ['emit', '--job', 'op-1', '--type', 'enqueued', '--queue', 'q'],
    ['history', 'op-1'],
    ['jobs'],
    ['stats'],
    ['health'],
    ['delete', 'op-1'],
  ];
  for (const args of commands) {
    const result = await cli(...args);
    assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
    await assertUnchanged(`naq-events ${args[0]}`);
  }
});

test("tail, once it listens, has left the operator's stream as it was", async () => {
  const child = spawn('node', [CLI, 'tail', '--server', server.url], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  const listening = new Promise<void>((resolve) => {
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('listening on ')) resolve();
    });
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  try {
    await within(15_000, listening, 'tail listening');
    await assertUnchanged('naq-events tail');
  } finally {
    child.kill('SIGINT');
    await within(10_000, exited, 'tail exit');
  }
  await assertUnchanged('naq-events tail ended');
});

test("a backend session with reconnects leaves the operator's stream as it was", async () => {
  const backend = await BackendProcess.start(backendSettings({ serverUrl: server.url }));
  try {
    await backend.untilPhase('connected', 30_000);
    await backend.rpc.sendRequest(TailStartRequest.type, {});
    await assertUnchanged('the backend connected');
    for (let round = 1; round <= 2; round++) {
      const seen = backend.states.length;
      await server.restart();
      // A reconnect is done when, after a disconnect, the backend says connected again.
      await backend.until(`reconnect ${round}`, () => {
        const later = backend.states.slice(seen);
        const lost = later.findIndex((s) => s.phase === 'disconnected');
        return lost >= 0 && later.slice(lost).some((s) => s.phase === 'connected');
      }, 30_000);
      await assertUnchanged(`backend reconnect ${round}`);
    }
  } finally {
    await backend.stop();
  }
  await assertUnchanged('the backend stopped');
});

test("a logger run leaves the operator's stream as it was", async () => {
  const session = await NatsSession.open({ connection: { servers: server.url }, streamName: STREAM, subjectPrefix: PREFIX, timeoutMs: 5_000 });
  try {
    const logger = new AsyncJobEventLogger(session, { batchSize: 10 });
    logger.start();
    for (let i = 0; i < 50; i++) await logger.log(JobEvents.enqueued(`op-log-${i}`, 'q'));
    const result = await withTimeout(logger.stop(), 30_000, 'stopping the logger');
    assert.equal(result.stored, 50);
  } finally {
    await session.close();
  }
  await assertUnchanged('a logger run');
  // The subjects the operator added still take messages.
  await admin.session.js.publish('audit.y', new Uint8Array([1]));
});
