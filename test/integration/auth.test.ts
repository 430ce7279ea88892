import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connect, StringCodec, type NatsConnection, type Status } from 'nats';
import {
  describeConnection,
  jetStreamOptions,
  resolveConnectionSettings,
  toConnectOptions,
  type ConnectionInput,
  type ConnectionSettings,
} from '../../server/src/config/connection';
import { describeNatsError } from '../../server/src/config/natsErrors';
import { nk, seedText, TestOperator } from '../support/authJwt';
import { eventually } from '../support/eventually';
import { freePort, NatsServer } from '../support/natsServer';
import { makeOtherCa, makeTestPki, serverTlsConfig, type TestPki } from '../support/tlsCerts';
import { withTimeout } from '../../server/src/util/timeout';

const sc = StringCodec();
const CONNECT_TIMEOUT_MS = 3_000;
/** Upper bound for any single network step, above the client's own timeouts. */
const STEP_DEADLINE_MS = 8_000;
const TEST_TIMEOUT = { timeout: 60_000 };

let root: string;
let xdg: string;
let pki: TestPki;
let otherCa: string;

function env(): NodeJS.ProcessEnv {
  return { XDG_CONFIG_HOME: xdg, HOME: join(root, 'home') };
}

function writeContext(name: string, body: Record<string, unknown>): void {
  mkdirSync(join(xdg, 'nats', 'context'), { recursive: true });
  writeFileSync(join(xdg, 'nats', 'context', `${name}.json`), JSON.stringify(body));
}

function settingsFor(input: ConnectionInput): ConnectionSettings {
  return resolveConnectionSettings({ timeoutMs: CONNECT_TIMEOUT_MS, maxReconnectAttempts: 0, ...input }, env());
}

function deadline<T>(what: string, promise: Promise<T>, ms = STEP_DEADLINE_MS): Promise<T> {
  return withTimeout(promise, ms, what);
}

async function connectWith(settings: ConnectionSettings): Promise<NatsConnection> {
  return deadline('connect', connect(toConnectOptions(settings)));
}

/** Connects, expecting failure; returns the one-line description. */
async function failedConnect(settings: ConnectionSettings): Promise<{ message: string; error: unknown }> {
  try {
    const nc = await connectWith(settings);
    await nc.close();
  } catch (error) {
    return { message: describeNatsError(error), error };
  }
  assert.fail(`connecting with ${describeConnection(settings)} should have failed`);
}

/** Proves the connection is usable: a responder and a request/reply round trip. */
async function requestReply(nc: NatsConnection, subject = 'naq.test.echo'): Promise<void> {
  const sub = nc.subscribe(subject, { callback: (_err, msg) => msg.respond(msg.data) });
  await deadline('flush', nc.flush());
  const reply = await deadline('request', nc.request(subject, sc.encode('ping'), { timeout: 2_000 }));
  assert.equal(sc.decode(reply.data), 'ping');
  sub.unsubscribe();
}

async function withServer(config: string, fn: (server: NatsServer) => Promise<void>): Promise<void> {
  const server = await NatsServer.start({ config });
  try {
    await fn(server);
  } finally {
    await server.dispose();
  }
}

async function closeQuietly(nc: NatsConnection | undefined): Promise<void> {
  if (nc && !nc.isClosed()) await deadline('close', nc.close()).catch(() => undefined);
}

describe('authentication against real nats-server processes', () => {
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'naq-auth-'));
    xdg = join(root, 'xdg');
    pki = makeTestPki(join(root, 'pki'));
    otherCa = makeOtherCa(join(root, 'other-pki'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('user + password from a NATS context; a wrong password fails fast with "Authorization"', TEST_TIMEOUT, async () => {
    await withServer('authorization { users: [ { user: naq, password: "naq_password" } ] }', async (server) => {
      writeContext('userpass', { url: server.url, user: 'naq', password: 'naq_password' });
      const s = settingsFor({ context: 'userpass' });
      assert.equal(s.auth, 'user');
      const nc = await connectWith(s);
      try {
        await requestReply(nc);
      } finally {
        await closeQuietly(nc);
      }

      const wrong = await failedConnect(settingsFor({ context: 'userpass', password: 'wrong' }));
      assert.match(wrong.message, /Authorization/);
      assert.match(wrong.message, /^authorization failed: the server rejected the credentials \(Authorization Violation\)/);

      const none = await failedConnect(settingsFor({ server: server.url, context: false }));
      assert.match(none.message, /Authorization/);
    });
  });

  test('token', TEST_TIMEOUT, async () => {
    await withServer('authorization { token: "s3cr3t-t0ken" }', async (server) => {
      const nc = await connectWith(settingsFor({ server: server.url, token: 's3cr3t-t0ken', context: false }));
      try {
        await requestReply(nc);
      } finally {
        await closeQuietly(nc);
      }
      // The token can also ride in the URL, as nats-py accepts it: it is lifted out of the URL.
      const viaUrl = settingsFor({ server: `nats://s3cr3t-t0ken@127.0.0.1:${server.port}`, context: false });
      assert.equal(viaUrl.auth, 'token');
      const nc2 = await connectWith(viaUrl);
      await closeQuietly(nc2);

      const wrong = await failedConnect(settingsFor({ server: server.url, token: 'nope', context: false }));
      assert.match(wrong.message, /Authorization/);
    });
  });

  test('nkey: a user nkey made at test time, seed file referenced by a context', TEST_TIMEOUT, async () => {
    const user = nk.createUser();
    const seedFile = join(root, 'user.nk');
    writeFileSync(seedFile, `${seedText(user)}\n`, { mode: 0o600 });
    await withServer(`authorization { users: [ { nkey: ${user.getPublicKey()} } ] }`, async (server) => {
      writeContext('nkey', { url: server.url, nkey: seedFile });
      const s = settingsFor({ context: 'nkey' });
      assert.equal(s.auth, 'nkey');
      const nc = await connectWith(s);
      try {
        await requestReply(nc);
      } finally {
        await closeQuietly(nc);
      }

      const stranger = join(root, 'stranger.nk');
      writeFileSync(stranger, seedText(nk.createUser()));
      const wrong = await failedConnect(settingsFor({ context: 'nkey', nkey: stranger }));
      assert.match(wrong.message, /Authorization/);
    });
  });

  test('creds in operator mode (JWTs signed at test time): request/reply and JetStream', TEST_TIMEOUT, async () => {
    const op = new TestOperator({ jetstream: true });
    const credsFile = op.writeUserCreds(root, 'naq-user');
    await withServer(op.serverConfig(), async (server) => {
      writeContext('creds', { url: server.url, creds: credsFile });
      const s = settingsFor({ context: 'creds' });
      assert.equal(s.auth, 'creds');
      const nc = await connectWith(s);
      try {
        await requestReply(nc);
        const jsm = await deadline('jetstreamManager', nc.jetstreamManager({ ...jetStreamOptions(s), timeout: 3_000 }));
        await deadline('add stream', jsm.streams.add({ name: 'NAQ_JOB_EVENTS', subjects: ['naq.jobs.events.>'] }));
        const js = nc.jetstream({ ...jetStreamOptions(s), timeout: 3_000 });
        const ack = await deadline('js publish', js.publish('naq.jobs.events.job1.started', sc.encode('{}')));
        assert.equal(ack.stream, 'NAQ_JOB_EVENTS');
        assert.equal(ack.seq, 1);
        const stored = await deadline('get message', jsm.streams.getMessage('NAQ_JOB_EVENTS', { seq: 1 }));
        assert.equal(stored.subject, 'naq.jobs.events.job1.started');
      } finally {
        await closeQuietly(nc);
      }

      const foreign = new TestOperator().writeUserCreds(root, 'foreign-operator-user');
      const wrong = await failedConnect(settingsFor({ server: server.url, creds: foreign, context: false }));
      assert.match(wrong.message, /Authorization/);
    });
  });

  test('creds in operator mode: an account without JetStream says so', TEST_TIMEOUT, async () => {
    const op = new TestOperator({ jetstream: false });
    const credsFile = op.writeUserCreds(root, 'no-js-user');
    await withServer(op.serverConfig(), async (server) => {
      const s = settingsFor({ server: server.url, creds: credsFile, context: false });
      const nc = await connectWith(s);
      try {
        const err = await deadline(
          'jetstreamManager',
          nc.jetstreamManager({ timeout: 2_000 }).then(
            () => undefined,
            (e: unknown) => e,
          ),
        );
        assert.ok(err !== undefined, 'JetStream must be unavailable');
        assert.match(describeNatsError(err), /JetStream|no responders/);
      } finally {
        await closeQuietly(nc);
      }
    });
  });

  test('TLS: server cert from a test CA; the client verifies with the CA (context ca, tls:// URL)', TEST_TIMEOUT, async () => {
    await withServer(serverTlsConfig(pki), async (server) => {
      writeContext('tls', { url: `tls://127.0.0.1:${server.port}`, ca: pki.caFile });
      const s = settingsFor({ context: 'tls' });
      assert.deepEqual(s.tls, { caFile: pki.caFile, handshakeFirst: false });
      const nc = await connectWith(s);
      try {
        await requestReply(nc);
      } finally {
        await closeQuietly(nc);
      }
      // By host name too (the certificate lists DNS:localhost).
      const byName = await connectWith(settingsFor({ server: `tls://localhost:${server.port}`, tlsCa: pki.caFile, context: false }));
      await closeQuietly(byName);

      const untrusted = await failedConnect(settingsFor({ server: server.url, context: false }));
      assert.match(untrusted.message, /^TLS: the server's certificate is not trusted/);
      const wrongCa = await failedConnect(settingsFor({ server: server.url, tlsCa: otherCa, context: false }));
      assert.match(wrongCa.message, /^TLS: the server's certificate is not trusted \(unable to verify the first certificate\)/);
    });
  });

  test('TLS with client certificates (server verify: true)', TEST_TIMEOUT, async () => {
    await withServer(serverTlsConfig(pki, { verify: true }), async (server) => {
      writeContext('mtls', { url: server.url, ca: pki.caFile, cert: pki.clientCert, key: pki.clientKey });
      const nc = await connectWith(settingsFor({ context: 'mtls' }));
      try {
        await requestReply(nc);
      } finally {
        await closeQuietly(nc);
      }
      // Without a client certificate nats.js only reports a timeout: the server drops the handshake.
      const noCert = await failedConnect(settingsFor({ server: server.url, tlsCa: pki.caFile, context: false, timeoutMs: 1_500 }));
      assert.match(noCert.message, /^timed out.*TLS client certificate/);
    });
  });

  test('TLS demanded by the client but not offered by the server', TEST_TIMEOUT, async () => {
    await withServer('', async (server) => {
      const r = await failedConnect(settingsFor({ server: `tls://127.0.0.1:${server.port}`, tlsCa: pki.caFile, context: false }));
      assert.match(r.message, /^TLS required but the server does not offer it/);
    });
  });

  test('a user without publish permission on naq.> gets a permissions error naming the subject', TEST_TIMEOUT, async () => {
    const config = [
      'authorization { users: [',
      '  { user: reader, password: pw, permissions: { publish: { deny: ["naq.>"] } } }',
      '] }',
    ].join('\n');
    await withServer(config, async (server) => {
      const nc = await connectWith(settingsFor({ server: server.url, user: 'reader', password: 'pw', context: false }));
      const statuses: Status[] = [];
      // Not awaited: in nats.js 2.29 an nc.status() iterator never ends, even after nc.close().
      void (async () => {
        for await (const status of nc.status()) statuses.push(status);
      })();
      try {
        // A plain publish: the server answers -ERR asynchronously; nats.js reports it as a status event.
        nc.publish('naq.jobs.events.x.started', sc.encode('{}'));
        await deadline('flush', nc.flush());
        const event = await eventually('a status error event', () => statuses.find((s) => s.type === 'error'), 5_000, 20);
        assert.equal(describeNatsError(event), 'permission denied: cannot publish to "naq.jobs.events.x.started"');

        // A request to a denied subject rejects with the permissions error itself.
        const requestError = await deadline(
          'request',
          nc.request('naq.jobs.events.x.query', sc.encode('?'), { timeout: 2_000 }).then(
            () => undefined,
            (e: unknown) => e,
          ),
        );
        assert.equal(describeNatsError(requestError), 'permission denied: cannot publish to "naq.jobs.events.x.query"');

        // A JetStream publish too (it is a request underneath).
        const jsm = await deadline('jetstreamManager', nc.jetstreamManager({ timeout: 3_000 }));
        await deadline('add stream', jsm.streams.add({ name: 'NAQ_JOB_EVENTS', subjects: ['naq.jobs.events.>'] }));
        const jsError = await deadline(
          'js publish',
          nc
            .jetstream({ timeout: 2_000 })
            .publish('naq.jobs.events.y.started', sc.encode('{}'))
            .then(
              () => undefined,
              (e: unknown) => e,
            ),
        );
        assert.equal(describeNatsError(jsError), 'permission denied: cannot publish to "naq.jobs.events.y.started"');
        // The connection survives permission errors.
        assert.equal(nc.isClosed(), false);
      } finally {
        await closeQuietly(nc);
      }
    });
  });

  test("the seed's example permissions (pub/sub naq.> only) shut out JetStream and replies", TEST_TIMEOUT, async () => {
    const config = 'authorization { users: [ { user: naq, password: "naq_password", permissions: { publish: "naq.>", subscribe: "naq.>" } } ] }';
    await withServer(config, async (server) => {
      const nc = await connectWith(settingsFor({ server: server.url, user: 'naq', password: 'naq_password', context: false }));
      try {
        const err = await deadline(
          'jetstreamManager',
          nc.jetstreamManager({ timeout: 2_000 }).then(
            () => undefined,
            (e: unknown) => e,
          ),
        );
        assert.ok(err !== undefined);
        // nats.js subscribes its reply inbox first: the denial names _INBOX and says what is needed.
        assert.match(describeNatsError(err), /^permission denied: cannot subscribe to "_INBOX\.[A-Z0-9]+\.\*" \(replies need subscribe permission on _INBOX\.>/);

        // With an inbox under naq.> replies work, and the next wall is the JetStream API itself.
        const withInbox = await connectWith(
          settingsFor({ server: server.url, user: 'naq', password: 'naq_password', inboxPrefix: 'naq.inbox', context: false }),
        );
        try {
          await requestReply(withInbox, 'naq.test.echo');
          const jsErr = await deadline(
            'jetstreamManager',
            withInbox.jetstreamManager({ timeout: 2_000 }).then(
              () => undefined,
              (e: unknown) => e,
            ),
          );
          assert.match(describeNatsError(jsErr), /^permission denied: cannot publish to "\$JS\.API\.INFO" \(JetStream needs publish permission on \$JS\.API\.>\)$/);
        } finally {
          await closeQuietly(withInbox);
        }
      } finally {
        await closeQuietly(nc);
      }
    });
  });

  test('nothing listening: connection refused, naming the address, without waiting for the timeout', TEST_TIMEOUT, async () => {
    const port = await freePort();
    const r = await failedConnect(settingsFor({ server: `nats://127.0.0.1:${port}`, context: false }));
    // The refusal itself, not a timeout: the message names the cause.
    assert.equal(r.message, `connection refused: no NATS server is listening at 127.0.0.1:${port}`);
  });
});
