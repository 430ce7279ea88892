import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Authenticator, JwtAuth, NKeyAuth } from 'nats';
import { ConfigError } from '../../server/src/config/configError';
import {
  describeConnection,
  jetStreamOptions,
  resolveConnectionSettings,
  toConnectOptions,
  type ConnectionSettings,
} from '../../server/src/config/connection';
import { describeNatsError } from '../../server/src/config/natsErrors';
import { nk, seedText, TestOperator } from '../support/authJwt';

let root: string;
let xdg: string;

function writeContext(name: string, body: Record<string, unknown>): void {
  const dir = join(xdg, 'nats', 'context');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(body));
}

function select(name: string): void {
  writeFileSync(join(xdg, 'nats', 'context.txt'), name);
}

/** An environment with no contexts at all, so the host's real ~/.config/nats never leaks in. */
function bareEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { XDG_CONFIG_HOME: join(root, 'empty-xdg'), HOME: join(root, 'home'), ...extra };
}

function ctxEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { XDG_CONFIG_HOME: xdg, HOME: join(root, 'home'), ...extra };
}

function callAuth(auth: ConnectionSettings | Authenticator | Authenticator[] | undefined, nonce: string): Partial<JwtAuth & NKeyAuth> {
  assert.equal(typeof auth, 'function');
  return (auth as Authenticator)(nonce) as Partial<JwtAuth & NKeyAuth>;
}

function verifies(publicKey: string, nonce: string, sig: string | undefined): boolean {
  assert.ok(sig, 'a signature was produced');
  return nk.fromPublic(publicKey).verify(new TextEncoder().encode(nonce), Buffer.from(sig, 'base64url'));
}

describe('connection settings', () => {
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'naq-conn-'));
    xdg = join(root, 'xdg');
    mkdirSync(join(xdg, 'nats', 'context'), { recursive: true });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('defaults: 127.0.0.1:4222, no auth, NAQ timeout and reconnects', () => {
    const s = resolveConnectionSettings({}, bareEnv());
    assert.deepEqual(s, {
      servers: ['nats://127.0.0.1:4222'],
      auth: 'none',
      timeoutMs: 10_000,
      maxReconnectAttempts: 10,
      name: 'naq-job-events',
      sources: { servers: 'default', auth: 'default' },
      warnings: [],
    });
  });

  test('NAQ_* environment: servers, timeout, reconnects, URL credentials lifted out', () => {
    const s = resolveConnectionSettings(
      {},
      bareEnv({
        NAQ_EVENT_STORAGE_URL: 'nats://naq:p%40ss@a:4222, nats://naq:p%40ss@b:4223',
        NAQ_NATS_CONNECTION_TIMEOUT: '3',
        NAQ_NATS_MAX_RECONNECT_ATTEMPTS: '-1',
      }),
    );
    assert.deepEqual(s.servers, ['nats://a:4222', 'nats://b:4223']);
    assert.equal(s.auth, 'user');
    assert.equal(s.user, 'naq');
    assert.equal(s.password, 'p@ss');
    assert.equal(s.timeoutMs, 3000);
    assert.equal(s.maxReconnectAttempts, -1);
    assert.deepEqual(s.sources, { servers: 'env', auth: 'env' });
    const token = resolveConnectionSettings({}, bareEnv({ NAQ_EVENT_STORAGE_URL: 'nats://s3cr3t@a:4222' }));
    assert.equal(token.auth, 'token');
    assert.equal(token.token, 's3cr3t');
  });

  test('precedence: input > context (named, else selected) > NAQ env > default', () => {
    writeContext('sel', { url: 'nats://selected:4222', user: 'ctxuser', password: 'ctxpw', jetstream_domain: 'hub' });
    writeContext('other', { url: 'nats://other:4222', token: 'othertoken' });
    select('sel');
    const env = ctxEnv({ NAQ_EVENT_STORAGE_URL: 'nats://envhost:4222' });

    const fromSelected = resolveConnectionSettings({}, env);
    assert.deepEqual(fromSelected.servers, ['nats://selected:4222']);
    assert.equal(fromSelected.context, 'sel');
    assert.equal(fromSelected.user, 'ctxuser');
    assert.equal(fromSelected.jetstreamDomain, 'hub');
    assert.deepEqual(fromSelected.sources, { servers: 'context', auth: 'context' });

    const named = resolveConnectionSettings({ context: 'other' }, env);
    assert.deepEqual(named.servers, ['nats://other:4222']);
    assert.equal(named.auth, 'token');
    assert.equal(named.token, 'othertoken');
    assert.equal(named.jetstreamDomain, undefined);

    const explicit = resolveConnectionSettings({ server: 'nats://cli:4222', user: 'cliuser', password: 'clipw' }, env);
    assert.deepEqual(explicit.servers, ['nats://cli:4222']);
    assert.equal(explicit.user, 'cliuser');
    assert.equal(explicit.password, 'clipw');
    assert.equal(explicit.jetstreamDomain, 'hub', 'context fields the input does not set still apply');
    assert.deepEqual(explicit.sources, { servers: 'input', auth: 'input' });

    const noContext = resolveConnectionSettings({ context: false }, env);
    assert.deepEqual(noContext.servers, ['nats://envhost:4222']);
    assert.equal(noContext.context, undefined);
    assert.equal(noContext.auth, 'none');
    assert.equal(noContext.sources.servers, 'env');
    rmSync(join(xdg, 'nats', 'context.txt'));
  });

  test('authentication is taken whole from one layer; a lone password completes the context user', () => {
    writeContext('creds', { url: 'nats://h:4222', creds: '/x/u.creds', user: '' });
    const flagUser = resolveConnectionSettings({ context: 'creds', user: 'u', password: 'p' }, ctxEnv());
    assert.equal(flagUser.auth, 'user');
    assert.equal(flagUser.credsFile, undefined, 'no mixing of the context creds with a flag user');

    writeContext('userOnly', { url: 'nats://h:4222', user: 'naq' });
    const completed = resolveConnectionSettings({ context: 'userOnly', password: 'prompted' }, ctxEnv());
    assert.equal(completed.auth, 'user');
    assert.equal(completed.user, 'naq');
    assert.equal(completed.password, 'prompted');
    assert.equal(completed.sources.auth, 'context');

    writeContext('many', { user: 'a', password: 'b', creds: '/c', nkey: '/n', token: 't' });
    const many = resolveConnectionSettings({ context: 'many' }, ctxEnv());
    assert.equal(many.auth, 'user', 'CLI order: user first');
    assert.equal(many.token, undefined);

    const lone = resolveConnectionSettings({ password: 'orphan' }, bareEnv());
    assert.equal(lone.auth, 'none');
    assert.equal(lone.password, undefined);
    assert.deepEqual(lone.warnings, ['a password was given without a user to go with it; it is ignored']);

    writeContext('nsc', { url: 'nats://h:4222', nsc: 'nsc://op/acc/user' });
    assert.deepEqual(resolveConnectionSettings({ context: 'nsc' }, ctxEnv()).warnings, [
      'NATS context "nsc" sets "nsc", which this extension does not support; it is ignored',
    ]);
  });

  test('TLS: files from input or context; tls:// URLs and handshake-first require TLS', () => {
    assert.equal(resolveConnectionSettings({ server: 'nats://h:4222' }, bareEnv()).tls, undefined);
    assert.deepEqual(resolveConnectionSettings({ server: 'tls://h:4222' }, bareEnv()).tls, { handshakeFirst: false });
    writeContext('tls', { url: 'nats://h:4222', ca: '~/ca.pem', cert: '/c.pem', key: '/c.key', tls_first: true });
    assert.deepEqual(resolveConnectionSettings({ context: 'tls' }, ctxEnv()).tls, {
      caFile: join(root, 'home', 'ca.pem'),
      certFile: '/c.pem',
      keyFile: '/c.key',
      handshakeFirst: true,
    });
    assert.deepEqual(resolveConnectionSettings({ context: 'tls', tlsCa: '/other/ca.pem', tlsFirst: false }, ctxEnv()).tls, {
      caFile: '/other/ca.pem',
      certFile: '/c.pem',
      keyFile: '/c.key',
      handshakeFirst: false,
    });
    assert.throws(() => resolveConnectionSettings({ tlsCert: '/c.pem' }, bareEnv()), /TLS client certificate is set without its key/);
  });

  test('JetStream domain / API prefix / inbox prefix are validated', () => {
    assert.deepEqual(jetStreamOptions(resolveConnectionSettings({}, bareEnv())), {});
    assert.deepEqual(jetStreamOptions(resolveConnectionSettings({ jetstreamDomain: 'leaf' }, bareEnv())), { domain: 'leaf' });
    assert.deepEqual(jetStreamOptions(resolveConnectionSettings({ apiPrefix: '$JS.hub.API' }, bareEnv())), { apiPrefix: '$JS.hub.API' });
    assert.deepEqual(jetStreamOptions(resolveConnectionSettings({ apiPrefix: 'x.API', jetstreamDomain: 'd' }, bareEnv())), { domain: 'd' });
    assert.throws(() => resolveConnectionSettings({ jetstreamDomain: 'a.b' }, bareEnv()), /jetstreamDomain="a.b" is invalid/);
    assert.throws(() => resolveConnectionSettings({ apiPrefix: '$JS.*.API' }, bareEnv()), /apiPrefix="\$JS\.\*\.API" is invalid/);
    writeContext('badinbox', { inbox_prefix: '_INBOX.>' });
    assert.throws(() => resolveConnectionSettings({ context: 'badinbox' }, ctxEnv()), /inbox_prefix \(NATS context "badinbox"\)="_INBOX\.>" is invalid/);
  });

  test('bad NAQ variables and contexts surface as ConfigError', () => {
    assert.throws(() => resolveConnectionSettings({}, bareEnv({ NAQ_NATS_CONNECTION_TIMEOUT: 'abc' })), ConfigError);
    assert.throws(() => resolveConnectionSettings({ context: 'missing' }, ctxEnv()), /NATS context "missing" does not exist/);
    assert.throws(() => resolveConnectionSettings({ timeoutMs: 0 }, bareEnv()), /timeoutMs=0 is invalid/);
  });

  test('toConnectOptions: servers, timeouts, reconnect policy, user/password, inbox prefix', () => {
    const s = resolveConnectionSettings(
      { server: 'nats://a:4222,nats://b:4222', user: 'naq', password: 'pw', inboxPrefix: '_INBOX_naq', name: 'test-conn' },
      bareEnv({ NAQ_NATS_CONNECTION_TIMEOUT: '4', NAQ_NATS_MAX_RECONNECT_ATTEMPTS: '-1' }),
    );
    assert.deepEqual(toConnectOptions(s), {
      servers: ['nats://a:4222', 'nats://b:4222'],
      name: 'test-conn',
      timeout: 4000,
      reconnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1000,
      pingInterval: 10_000,
      maxPingOut: 2,
      inboxPrefix: '_INBOX_naq',
      user: 'naq',
      pass: 'pw',
    });
    const token = toConnectOptions(resolveConnectionSettings({ token: 't0k' }, bareEnv()));
    assert.equal(token.token, 't0k');
    assert.equal(token.user, undefined);
  });

  test('toConnectOptions: TLS options as the nats.js node transport takes them; unreadable files named', () => {
    const ca = join(root, 'ca.pem');
    writeFileSync(ca, 'not really a cert, only read by nats.js');
    const s = resolveConnectionSettings({ server: 'tls://h:4222', tlsCa: ca }, bareEnv());
    assert.deepEqual(toConnectOptions(s).tls, { handshakeFirst: false, caFile: ca });
    const missing = resolveConnectionSettings({ tlsCa: join(root, 'nope', 'ca.pem') }, bareEnv());
    assert.throws(
      () => toConnectOptions(missing),
      (err: unknown) => err instanceof ConfigError && err.file === join(root, 'nope', 'ca.pem') && /cannot read the TLS CA file .*: file not found/.test(err.message),
    );
  });

  test('creds: read, checked, signed with the seed; CRLF files work; bad files named', () => {
    const op = new TestOperator();
    const { creds, user, jwt } = op.userCreds('alice');
    const file = join(root, 'alice.creds');
    writeFileSync(file, creds);
    const opts = toConnectOptions(resolveConnectionSettings({ creds: file }, bareEnv()));
    const auth = callAuth(opts.authenticator as Authenticator, 'nonce-1');
    assert.equal(auth.jwt, jwt);
    assert.equal(auth.nkey, user.getPublicKey());
    assert.ok(verifies(user.getPublicKey(), 'nonce-1', auth.sig));

    const crlf = join(root, 'crlf.creds');
    writeFileSync(crlf, creds.replace(/\n/g, '\r\n').trimEnd());
    const crlfAuth = callAuth(toConnectOptions(resolveConnectionSettings({ creds: crlf }, bareEnv())).authenticator as Authenticator, 'n');
    assert.equal(crlfAuth.jwt, jwt);

    const missing = join(root, 'missing.creds');
    assert.throws(
      () => toConnectOptions(resolveConnectionSettings({ creds: missing }, bareEnv())),
      (err: unknown) => err instanceof ConfigError && err.file === missing && err.message.includes(missing),
    );
    const garbage = join(root, 'garbage.creds');
    writeFileSync(garbage, 'hello');
    assert.throws(() => toConnectOptions(resolveConnectionSettings({ creds: garbage }, bareEnv())), /garbage\.creds is not a NATS creds file/);
    const accountSeed = join(root, 'account-seed.creds');
    writeFileSync(accountSeed, creds.replace(seedText(user), seedText(nk.createAccount())));
    assert.throws(() => toConnectOptions(resolveConnectionSettings({ creds: accountSeed }, bareEnv())), /holds an account seed/);
    if (process.getuid?.() !== 0) {
      const unreadable = join(root, 'unreadable.creds');
      writeFileSync(unreadable, creds);
      chmodSync(unreadable, 0o000);
      assert.throws(() => toConnectOptions(resolveConnectionSettings({ creds: unreadable }, bareEnv())), /unreadable\.creds: permission denied/);
    }
  });

  test('creds are re-read on reconnect (rotation), keeping the last good copy if the file vanishes', () => {
    const op = new TestOperator();
    const file = join(root, 'rotating.creds');
    const first = op.userCreds('v1');
    writeFileSync(file, first.creds);
    const auth = toConnectOptions(resolveConnectionSettings({ creds: file }, bareEnv())).authenticator as Authenticator;
    const second = op.userCreds('v2');
    writeFileSync(file, second.creds);
    assert.equal(callAuth(auth, 'n').jwt, second.jwt);
    rmSync(file);
    assert.equal(callAuth(auth, 'n').jwt, second.jwt);
  });

  test('nkey: seed file (bare or decorated) signs the nonce; bad seeds are named', () => {
    const user = nk.createUser();
    const bare = join(root, 'user.nk');
    writeFileSync(bare, `${seedText(user)}\n`);
    const auth = callAuth(toConnectOptions(resolveConnectionSettings({ nkey: bare }, bareEnv())).authenticator as Authenticator, 'abc');
    assert.equal(auth.nkey, user.getPublicKey());
    assert.ok(verifies(user.getPublicKey(), 'abc', auth.sig));

    const decorated = join(root, 'decorated.nk');
    writeFileSync(decorated, `-----BEGIN USER NKEY SEED-----\r\n${seedText(user)}\r\n------END USER NKEY SEED------\r\n`);
    assert.equal(callAuth(toConnectOptions(resolveConnectionSettings({ nkey: decorated }, bareEnv())).authenticator as Authenticator, 'x').nkey, user.getPublicKey());

    const empty = join(root, 'empty.nk');
    writeFileSync(empty, 'no seed here');
    assert.throws(() => toConnectOptions(resolveConnectionSettings({ nkey: empty }, bareEnv())), /empty\.nk contains no nkey seed/);
    const corrupt = join(root, 'corrupt.nk');
    const seed = seedText(user);
    // A character in the middle: the last one can fall in base32 padding bits, which no check covers.
    const middle = Math.floor(seed.length / 2);
    writeFileSync(corrupt, seed.slice(0, middle) + (seed[middle] === 'A' ? 'B' : 'A') + seed.slice(middle + 1));
    assert.throws(() => toConnectOptions(resolveConnectionSettings({ nkey: corrupt }, bareEnv())), /corrupt\.nk holds a malformed nkey seed/);
    assert.throws(() => toConnectOptions(resolveConnectionSettings({ nkey: join(root, 'absent.nk') }, bareEnv())), /absent\.nk: file not found/);
  });

  test('user_jwt + user_seed from a context', () => {
    const op = new TestOperator();
    const { jwt, user } = op.userCreds('inline');
    writeContext('inline', { url: 'nats://h:4222', user_jwt: jwt, user_seed: seedText(user) });
    const auth = callAuth(toConnectOptions(resolveConnectionSettings({ context: 'inline' }, ctxEnv())).authenticator as Authenticator, 'n2');
    assert.equal(auth.jwt, jwt);
    assert.equal(auth.nkey, user.getPublicKey());
  });

  test('describeConnection never shows a secret', () => {
    const op = new TestOperator();
    const { creds, user, jwt } = op.userCreds('bob');
    const credsFile = join(root, 'bob.creds');
    writeFileSync(credsFile, creds);
    const seed = seedText(user);
    const secrets = ['pa55word', 's3cr3t-token', seed, jwt, jwt.split('.')[1], 'urlpass'];

    const withEverything: ConnectionSettings = {
      ...resolveConnectionSettings({ server: 'nats://naq:urlpass@h:4222' }, bareEnv()),
      servers: ['nats://naq:urlpass@h:4222', 'tls://h2:4222'],
      user: 'naq',
      password: 'pa55word',
      token: 's3cr3t-token',
      credsFile,
      userJwt: jwt,
      userSeed: seed,
      tls: { caFile: '/ca.pem', certFile: '/c.pem', keyFile: '/c.key', handshakeFirst: true },
      jetstreamDomain: 'hub',
      inboxPrefix: '_INBOX_x',
    };
    const lines = (['user', 'token', 'creds', 'nkey', 'jwt', 'none'] as const).map((auth) => describeConnection({ ...withEverything, auth }));
    for (const line of lines) {
      for (const secret of secrets) assert.ok(!line.includes(secret), `"${line}" leaks a secret`);
      assert.ok(!line.includes('\n'));
    }
    assert.match(lines[0], /^nats:\/\/\*\*\*@h:4222, tls:\/\/h2:4222; auth: user "naq" with password; tls ca \/ca\.pem cert \/c\.pem key \/c\.key handshake first; JetStream domain "hub"; inbox prefix "_INBOX_x"; timeout 10s, reconnect 10x$/);
    assert.match(lines[2], new RegExp(`auth: creds file ${credsFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));

    const resolved = resolveConnectionSettings({ server: 'nats://naq:urlpass@h:4222' }, bareEnv());
    assert.equal(describeConnection(resolved), 'nats://h:4222; auth: user "naq" with password; timeout 10s, reconnect 10x');
    assert.ok(!JSON.stringify(resolved.servers).includes('urlpass'), 'user info is removed from servers');
  });

  test('describeNatsError: nats.js codes, status events and Node.js errors become one named line', () => {
    const cases: [unknown, RegExp][] = [
      [{ code: 'AUTHORIZATION_VIOLATION', message: "'Authorization Violation'" }, /^authorization failed: .*\(Authorization Violation\)/],
      [
        { code: 'PERMISSIONS_VIOLATION', message: `'Permissions Violation for Publish to "naq.jobs.events.x.started"'`, permissionContext: { operation: 'publish', subject: 'naq.jobs.events.x.started' } },
        /^permission denied: cannot publish to "naq\.jobs\.events\.x\.started"$/,
      ],
      [{ code: 'PERMISSIONS_VIOLATION', message: `'Permissions Violation for Subscription to "naq.>" using queue "w"'` }, /^permission denied: cannot subscribe to "naq\.>" in queue group "w"$/],
      [{ type: 'error', data: 'PERMISSIONS_VIOLATION', permissionContext: { operation: 'subscription', subject: 'a.b' } }, /^permission denied: cannot subscribe to "a\.b"$/],
      [{ code: 'CONNECTION_REFUSED', message: 'CONNECTION_REFUSED', chainedError: new Error('connect ECONNREFUSED 127.0.0.1:4999') }, /^connection refused: no NATS server is listening at 127\.0\.0\.1:4999$/],
      [{ code: 'TIMEOUT', message: 'TIMEOUT' }, /^timed out/],
      [{ code: '503', message: '503' }, /^no responders/],
      [{ code: 'SERVER_OPT_NA', message: 'tls' }, /^TLS required but the server does not offer it/],
      [Object.assign(new Error('unable to verify the first certificate'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }), /^TLS: the server's certificate is not trusted/],
      [{ code: 'TLS', message: '/x/ca.pem doesn\'t exist' }, /^TLS setup failed: \/x\/ca\.pem doesn't exist$/],
      [{ code: '10059', message: 'stream not found', api_error: { code: 404, err_code: 10059, description: 'stream not found' } }, /^JetStream: stream not found \(JetStream error 10059\)$/],
      [new ConfigError('NAQ_X="1" is invalid: expected y'), /^NAQ_X="1" is invalid: expected y$/],
      [new Error('something\nelse'), /^something else$/],
      ['plain', /^plain$/],
      [undefined, /^unknown error$/],
    ];
    for (const [err, expected] of cases) assert.match(describeNatsError(err), expected);
  });

  test('describeNatsError: a timeout on an open connection says the server stopped answering, not where to look for a wrong address or TLS', () => {
    const timeout = { code: 'TIMEOUT', message: 'TIMEOUT' };
    const onRequest = describeNatsError(timeout, 'request');
    assert.match(onRequest, /stopped answering/);
    assert.doesNotMatch(onRequest, /address|TLS/);
    assert.match(describeNatsError(timeout), /check the address.*TLS client certificate/);
  });
});
