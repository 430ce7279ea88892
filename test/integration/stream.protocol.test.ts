import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { nanos, StreamConfig } from 'nats';
import { ErrorCodes, ResponseError } from 'vscode-languageserver-protocol';
import { StreamApplyRequest, StreamPlanRequest } from '../../server/src/protocol/protocol';
import { NatsSession } from '../../server/src/storage/session';
import { desiredStreamConfig } from '../../server/src/storage/streamConfig';
import { BackendProcess, backendSettings, SERVER_JS } from '../support/backendProcess';
import { NatsServer } from '../support/natsServer';
import { PREFIX, STREAM } from '../support/storageFixture';

let server: NatsServer;
let admin: NatsSession;
let backend: BackendProcess;
let operatorConfig: StreamConfig;

async function config(): Promise<StreamConfig> {
  return (await admin.jsm.streams.info(STREAM)).config;
}

before(async () => {
  assert.ok(existsSync(SERVER_JS), 'dist/ is missing: run npm run build first');
  server = await NatsServer.start();
  admin = await NatsSession.open({ connection: { servers: server.url }, streamName: STREAM, subjectPrefix: PREFIX, timeoutMs: 5_000, createStream: false });
  await admin.jsm.streams.add({
    name: STREAM,
    subjects: [`${PREFIX}.>`, 'audit.>'],
    max_age: 0,
    max_msgs: -1,
    max_bytes: -1,
    max_msg_size: 8 * 1024 * 1024,
    duplicate_window: nanos(60 * 60 * 1000),
    allow_direct: true,
  });
  operatorConfig = await config();
  backend = await BackendProcess.start(backendSettings({ serverUrl: server.url }));
  await backend.untilPhase('connected', 30_000);
});

after(async () => {
  await backend?.stop();
  await admin?.close();
  await server?.dispose();
});

test("stream/plan reviews the operator's stream and changes nothing", async () => {
  const review = await backend.rpc.sendRequest(StreamPlanRequest.type);
  assert.equal(review.stream, STREAM);
  assert.equal(review.action, 'update');
  assert.deepEqual(
    review.changes.map((c) => [c.field, c.from, c.to]),
    [
      ['max_age', 'unlimited', '7d'],
      ['max_msgs', 'unlimited', '10000000'],
      ['max_bytes', 'unlimited', '10 GiB'],
      ['max_msg_size', '8 MiB', '1 MiB'],
      ['duplicate_window', '1h', '2m'],
    ],
  );
  assert.ok(review.changes.every((c) => typeof c.forceRule === 'string' && c.forceRule.length > 0));
  assert.deepEqual(review.problems, []);
  assert.deepEqual(review.kept, ["subjects audit.> are the operator's and stay"]);
  assert.equal(review.text[0], `stream ${STREAM}: 5 changes`);
  assert.match(review.basis, /^[0-9a-f]{16}$/);
  assert.deepEqual(await config(), operatorConfig);
});

test('stream/apply refuses parameters that break its rules, naming the field', async () => {
  const { basis } = await backend.rpc.sendRequest(StreamPlanRequest.type);
  for (const [params, field] of [
    [{ force: 'yes', basis }, /force: must be true or false/],
    [{ force: true }, /basis/],
    [{ force: true, basis: 'not-a-basis' }, /basis: must be the basis of a stream\/plan review/],
  ] as const) {
    await assert.rejects(backend.rpc.sendRequest(StreamApplyRequest.method, params), (error: unknown) => {
      assert.ok(error instanceof ResponseError);
      assert.equal(error.code, ErrorCodes.InvalidParams);
      assert.match(error.message, field);
      return true;
    });
  }
  assert.deepEqual(await config(), operatorConfig);
});

test('stream/apply without force refuses, with every field and rule, and changes nothing', async () => {
  const { basis } = await backend.rpc.sendRequest(StreamPlanRequest.type);
  const result = await backend.rpc.sendRequest(StreamApplyRequest.type, { force: false, basis });
  assert.equal(result.outcome, 'refused');
  assert.equal(result.reasons[0], `stream ${STREAM} was not changed:`);
  for (const field of ['max_age', 'max_msgs', 'max_bytes', 'max_msg_size', 'duplicate_window']) {
    assert.ok(result.reasons.some((line) => line.includes(`${field} `) && line.includes('needs --force: ')), field);
  }
  assert.equal(result.review.basis, basis);
  assert.deepEqual(await config(), operatorConfig);
});

test('stream/apply against a review of another configuration changes nothing', async () => {
  const result = await backend.rpc.sendRequest(StreamApplyRequest.type, { force: true, basis: '0123456789abcdef' });
  assert.equal(result.outcome, 'changed');
  assert.match(result.reasons[0] ?? '', /changed since its plan was reviewed; review it again/);
  assert.deepEqual(await config(), operatorConfig);
});

test("stream/apply with force, on the confirmed review, applies the seed's limits and keeps the operator's subject", async () => {
  const { basis } = await backend.rpc.sendRequest(StreamPlanRequest.type);
  const result = await backend.rpc.sendRequest(StreamApplyRequest.type, { force: true, basis });
  assert.equal(result.outcome, 'updated');
  assert.deepEqual(result.reasons, []);
  assert.equal(result.review.action, 'none');
  const seed = desiredStreamConfig(STREAM, PREFIX);
  assert.deepEqual(await config(), {
    ...operatorConfig,
    max_age: seed.max_age,
    max_msgs: seed.max_msgs,
    max_bytes: seed.max_bytes,
    max_msg_size: seed.max_msg_size,
    duplicate_window: seed.duplicate_window,
  });
  await backend.until('the apply logged', () => backend.logs.some((line) => line.includes(`stream/apply with force: updated stream ${STREAM}`)));
});
