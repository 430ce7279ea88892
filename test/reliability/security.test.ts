import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { describeNatsError } from '../../server/src/config/natsErrors';
import { JobEvents } from '../../server/src/model/factories';
import { EmitRequest } from '../../server/src/protocol/protocol';
import { EventStorage } from '../../server/src/storage/eventStorage';
import { withTimeout } from '../../server/src/util/timeout';
import { BackendProcess, backendSettings, SERVER_JS } from '../support/backendProcess';
import { NatsServer } from '../support/natsServer';
import { PREFIX, STREAM } from '../support/storageFixture';

/**
 * What a user is not allowed to do fails with a message naming the permission and the subject, in the
 * library, the CLI and the backend; and no password or token ever shows up in what they print or log.
 */

const run = promisify(execFile);
const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const PASSWORD = 'pw-Sup3rS3cret-d0-not-print';
const TOKEN = 'tok-Sup3rS3cret-d0-not-print';

// admin: everything; reader: may not publish events; nostreams: may not create streams.
const USERS = [
  'authorization { users: [',
  `  { user: admin, password: "${PASSWORD}" }`,
  `  { user: reader, password: "${PASSWORD}", permissions: { publish: { deny: ["naq.>"] }, subscribe: ">" } }`,
  `  { user: nostreams, password: "${PASSWORD}", permissions: { publish: { allow: [">"], deny: ["$JS.API.STREAM.CREATE.>"] }, subscribe: ">" } }`,
  '] }',
].join('\n');

let server: NatsServer;
let tokenServer: NatsServer;
let home: string;

before(async () => {
  assert.ok(existsSync(CLI) && existsSync(SERVER_JS), 'dist/cli.js and dist/server.js are missing: run npm run build first');
  [server, tokenServer] = await Promise.all([NatsServer.start({ config: USERS }), NatsServer.start({ config: `authorization { token: "${TOKEN}" }` })]);
  home = mkdtempSync(join(tmpdir(), 'naq-security-home-'));
});

after(async () => {
  await Promise.all([server?.dispose(), tokenServer?.dispose()]);
  rmSync(home, { recursive: true, force: true });
});

function open(user: string, createStream = true): Promise<EventStorage> {
  return withTimeout(
    EventStorage.open({
      connection: { servers: server.url, user, pass: PASSWORD, maxReconnectAttempts: 0 },
      streamName: STREAM,
      subjectPrefix: PREFIX,
      timeoutMs: 5_000,
      createStream,
    }),
    15_000,
    `opening storage as ${user}`,
  );
}

/** The CLI with a private HOME (no NATS context of this machine), never running longer than 30 s. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [CLI, ...args], { timeout: 30_000, env: { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: join(home, '.config') } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

function assertNoSecret(text: string, what: string): void {
  assert.ok(!text.includes(PASSWORD), `${what} shows the password:\n${text}`);
  assert.ok(!text.includes(TOKEN), `${what} shows the token:\n${text}`);
  assert.ok(!text.includes('Sup3rS3cret'), `${what} shows part of a secret:\n${text}`);
}

test('publishing without permission: storage.store and naq-events emit name the permission and the subject', { timeout: 60_000 }, async () => {
  const admin = await open('admin');
  await admin.close();
  const reader = await open('reader');
  try {
    const error = await withTimeout(
      reader.store(JobEvents.started('denied-1', 'w1', 'async')).then(
        () => undefined,
        (e: unknown) => e,
      ),
      15_000,
      'store as reader',
    );
    assert.ok(error, 'the store was refused');
    assert.equal(describeNatsError(error), `permission denied: cannot publish to "${PREFIX}.denied-1.worker.w1.started"`);
    assert.equal((await reader.streamInfo()).state.messages, 0, 'nothing stored');
  } finally {
    await reader.close();
  }
  const emitted = await cli(['emit', '--job', 'denied-2', '--type', 'failed', '--worker', 'w9', '--server', server.url, '--user', 'reader', '--password', PASSWORD]);
  assert.equal(emitted.code, 1, emitted.stderr);
  assert.equal(emitted.stderr.trim().split('\n').length, 1, `one line: ${emitted.stderr}`);
  assert.match(emitted.stderr, new RegExp(`^naq-events: permission denied: cannot publish to "${PREFIX.replace(/\./g, '\\.')}\\.denied-2\\.worker\\.w9\\.failed"\\n$`));
  assertNoSecret(emitted.stdout + emitted.stderr, 'emit');
});

test('creating the stream without permission: the CLI and the backend name $JS.API.STREAM.CREATE', { timeout: 90_000 }, async () => {
  const admin = await open('admin');
  await withTimeout(admin.session.jsm.streams.delete(STREAM), 10_000, 'deleting the stream').catch(() => false);
  await admin.close();

  const shown = await cli(['health', '--server', server.url, '--user', 'nostreams', '--password', PASSWORD]);
  assert.equal(shown.code, 1, shown.stderr);
  assert.equal(shown.stderr.trim().split('\n').length, 1, `one line: ${shown.stderr}`);
  assert.match(shown.stderr, /permission denied: cannot publish to "\$JS\.API\.STREAM\.CREATE\.NAQ_JOB_EVENTS"/);
  assertNoSecret(shown.stdout + shown.stderr, 'health');

  const backend = await withTimeout(BackendProcess.start(backendSettings({ serverUrl: server.url, secrets: { user: 'nostreams', password: PASSWORD } })), 30_000, 'starting the backend');
  try {
    const state = await backend.untilPhase('disconnected', 20_000).then(() => backend.until('the refusal', () => backend.states.find((s) => /STREAM\.CREATE/.test(s.detail)), 20_000));
    assert.match(state.detail, /permission denied: cannot publish to "\$JS\.API\.STREAM\.CREATE\.NAQ_JOB_EVENTS"/);
    assertNoSecret(JSON.stringify(backend.states) + backend.output, 'backend');
  } finally {
    await withTimeout(backend.stop(), 30_000, 'stopping the backend').catch(() => undefined);
  }
});

test('secrets never appear in the CLI stderr or the backend output, whatever fails', { timeout: 120_000 }, async (t) => {
  // Ensure the stream exists, so the working cases get as far as possible.
  const admin = await open('admin');
  await admin.close();
  const cases: [string, string[]][] = [
    ['wrong password', ['health', '--server', server.url, '--user', 'admin', '--password', `${PASSWORD}-wrong`]],
    ['password in the URL', ['health', '--server', `nats://admin:${PASSWORD}-wrong@127.0.0.1:${server.port}`]],
    ['good password, bad stream name', ['health', '--server', server.url, '--user', 'admin', '--password', PASSWORD, '--stream', 'bad.name']],
    ['good password, denied publish', ['emit', '--job', 'j', '--type', 'started', '--server', server.url, '--user', 'reader', '--password', PASSWORD]],
    ['wrong token', ['health', '--server', tokenServer.url, '--token', `${TOKEN}-wrong`]],
    ['token in the URL', ['health', '--server', `nats://${TOKEN}-wrong@127.0.0.1:${tokenServer.port}`]],
    ['good token', ['health', '--server', tokenServer.url, '--token', TOKEN]],
    ['unreachable, with a password', ['health', '--server', 'nats://127.0.0.1:1', '--user', 'admin', '--password', PASSWORD]],
  ];
  for (const [name, args] of cases) {
    const result = await cli(args);
    t.diagnostic(`CLI, ${name}: exit ${result.code} ${result.stderr.trim()}`);
    assertNoSecret(`${result.stdout}\n${result.stderr}`, `CLI, ${name}`);
    if (result.code !== 0) assert.equal(result.stderr.trim().split('\n').length, 1, `CLI, ${name}: one line: ${result.stderr}`);
  }
  const wrong = await cli(cases[0]?.[1] ?? []);
  assert.match(wrong.stderr, /authorization failed/);

  const backends: [string, Parameters<typeof backendSettings>[0], RegExp][] = [
    ['wrong password', { serverUrl: server.url, secrets: { user: 'admin', password: `${PASSWORD}-wrong` } }, /authorization failed/i],
    ['password in the URL', { serverUrl: `nats://admin:${PASSWORD}@127.0.0.1:${server.port}` }, /Connected/],
    ['good password', { serverUrl: server.url, secrets: { user: 'admin', password: PASSWORD } }, /Connected/],
    ['good token', { serverUrl: tokenServer.url, secrets: { token: TOKEN } }, /Connected/],
    ['wrong token', { serverUrl: tokenServer.url, secrets: { token: `${TOKEN}-wrong` } }, /authorization failed/i],
  ];
  for (const [name, settings, expected] of backends) {
    const backend = await withTimeout(BackendProcess.start(backendSettings(settings)), 30_000, 'starting the backend');
    try {
      const state = await backend.until(`${name}: ${expected}`, () => backend.states.find((s) => expected.test(s.detail)), 20_000);
      if (state.phase === 'connected') {
        // Exercise a request and a publish refusal too, so their paths are in the output.
        await withTimeout(backend.rpc.sendRequest(EmitRequest.type, { event: { job_id: 'sec-1', event_type: 'started', worker_id: 'w' } }), 15_000, 'emit');
      }
      t.diagnostic(`backend, ${name}: ${state.phase}: ${state.detail}`);
      assertNoSecret(JSON.stringify(backend.states) + backend.output, `backend, ${name}`);
    } finally {
      await withTimeout(backend.stop(), 30_000, 'stopping the backend').catch(() => undefined);
    }
  }
});
