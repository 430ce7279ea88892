import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ConfigError } from '../../server/src/config/configError';
import { contextDirectory, expandPath, listContexts, loadContext } from '../../server/src/config/natsContext';

let root: string;
let env: NodeJS.ProcessEnv;

function writeContext(name: string, body: unknown, configHome = join(root, 'xdg')): string {
  const dir = join(configHome, 'nats', 'context');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, typeof body === 'string' ? body : JSON.stringify(body, null, 2));
  return file;
}

function select(name: string, configHome = join(root, 'xdg')): void {
  mkdirSync(join(configHome, 'nats'), { recursive: true });
  writeFileSync(join(configHome, 'nats', 'context.txt'), `${name}\n`);
}

function assertConfigError(fn: () => unknown, ...patterns: RegExp[]): ConfigError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError, got ${String(caught)}`);
  for (const p of patterns) assert.match(caught.message, p);
  return caught;
}

/** A context as `nats context save` writes it (jsm.go natscontext), every field present. */
const FULL_CLI_CONTEXT = {
  name: 'prod',
  description: 'Production cluster',
  url: 'nats://n1.example:4222,nats://n2.example:4222',
  socks_proxy: '',
  token: '',
  user: 'naq',
  password: 'hunter2',
  creds: '',
  nkey: '',
  cert: '~/certs/client.pem',
  key: '$CERTS/client.key',
  ca: '${CERTS}/ca.pem',
  nsc: '',
  jetstream_domain: 'hub',
  jetstream_api_prefix: '',
  jetstream_event_prefix: '',
  inbox_prefix: '_INBOX_naq',
  user_jwt: '',
  user_seed: '',
  color_scheme: 'blue',
  tls_first: true,
  windows_cert_store: '',
  windows_cert_match_by: '',
  windows_cert_match: '',
  windows_ca_certs_match: [],
  some_future_field: { nested: true },
};

describe('NATS CLI contexts', () => {
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'naq-ctx-'));
    env = { XDG_CONFIG_HOME: join(root, 'xdg'), HOME: join(root, 'home'), CERTS: '/etc/certs' };
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('no name and nothing selected: undefined', () => {
    assert.equal(loadContext(undefined, env), undefined);
    assert.equal(loadContext('', env), undefined);
  });

  test('parses every CLI field, expands paths, tolerates unknown fields', () => {
    const file = writeContext('prod', FULL_CLI_CONTEXT);
    const ctx = loadContext('prod', env);
    assert.deepEqual(ctx, {
      name: 'prod',
      file,
      description: 'Production cluster',
      url: 'nats://n1.example:4222,nats://n2.example:4222',
      user: 'naq',
      password: 'hunter2',
      cert: join(root, 'home', 'certs/client.pem'),
      key: '/etc/certs/client.key',
      ca: '/etc/certs/ca.pem',
      jetstreamDomain: 'hub',
      inboxPrefix: '_INBOX_naq',
      tlsFirst: true,
      unsupported: [],
    });
  });

  test('the selected context comes from context.txt, and $NATS_CONTEXT overrides it', () => {
    writeContext('dev', { url: 'nats://dev:4222', token: 'devtoken' });
    writeContext('staging', { url: 'nats://staging:4222' });
    select('dev');
    assert.equal(loadContext(undefined, env)?.name, 'dev');
    assert.equal(loadContext(undefined, env)?.token, 'devtoken');
    assert.equal(loadContext(undefined, { ...env, NATS_CONTEXT: 'staging' })?.url, 'nats://staging:4222');
    assert.equal(loadContext('prod', env)?.name, 'prod', 'an explicit name beats the selection');
  });

  test('without XDG_CONFIG_HOME the contexts live in ~/.config/nats', () => {
    const home = join(root, 'home2');
    const file = writeContext('local', { url: 'nats://127.0.0.1:4333' }, join(home, '.config'));
    select('local', join(home, '.config'));
    const homeEnv = { HOME: home };
    assert.equal(contextDirectory(homeEnv), join(home, '.config', 'nats', 'context'));
    assert.equal(loadContext(undefined, homeEnv)?.file, file);
    assert.equal(loadContext(undefined, { ...homeEnv, XDG_CONFIG_HOME: '' })?.file, file, 'a blank XDG_CONFIG_HOME is ignored');
  });

  test('a named context that does not exist throws naming the file', () => {
    const err = assertConfigError(() => loadContext('nope', env), /NATS context "nope" does not exist/, /nope\.json/);
    assert.equal(err.file, join(root, 'xdg', 'nats', 'context', 'nope.json'));
  });

  test('a selected context that does not exist throws naming context.txt', () => {
    const xdg = join(root, 'xdg-missing');
    select('ghost', xdg);
    assertConfigError(() => loadContext(undefined, { XDG_CONFIG_HOME: xdg }), /"ghost" \(selected in .*context\.txt\) does not exist/, /ghost\.json/);
    assertConfigError(() => loadContext(undefined, { XDG_CONFIG_HOME: xdg, NATS_CONTEXT: 'ghost2' }), /selected by \$NATS_CONTEXT/);
  });

  test('invalid JSON, wrong types and bad URLs throw naming the file', () => {
    const broken = writeContext('broken', '{ "url": "nats://x:4222", ');
    const err = assertConfigError(() => loadContext('broken', env), /is not valid JSON/);
    assert.ok(err.message.includes(broken));
    assert.equal(err.file, broken);
    assertConfigError(() => loadContext((writeContext('arr', '[]'), 'arr'), env), /is not a JSON object/);
    writeContext('badtype', { url: 'nats://x:4222', user: 42 });
    assertConfigError(() => loadContext('badtype', env), /field "user" must be a string/, /badtype\.json/);
    writeContext('badtls', { tls_first: 'yes' });
    assertConfigError(() => loadContext('badtls', env), /"tls_first" must be true or false/);
    writeContext('badurl', { url: 'nats://u:pw123@host:70000' });
    const urlErr = assertConfigError(() => loadContext('badurl', env), /badurl\.json/, /url="nats:\/\/\*\*\*@host:70000" is invalid/);
    assert.ok(!urlErr.message.includes('pw123'));
  });

  test('context names cannot escape the directory', () => {
    for (const bad of ['../prod', 'a/b', 'a\\b', '..']) assertConfigError(() => loadContext(bad, env), /invalid NATS context name/);
  });

  test('env:// secrets are resolved from the environment; op:// and nsc:// are refused clearly', () => {
    writeContext('envsecret', { url: 'nats://h:4222', user: 'naq', password: 'env://NAQ_TEST_PW', token: '' });
    assert.equal(loadContext('envsecret', { ...env, NAQ_TEST_PW: 'from-env' })?.password, 'from-env');
    assertConfigError(() => loadContext('envsecret', env), /field "password" refers to environment variable "NAQ_TEST_PW", which is not set/);
    writeContext('op', { user: 'naq', password: 'op://vault/nats/password' });
    assertConfigError(() => loadContext('op', env), /"password" uses a op:\/\/ reference/);
    writeContext('nsccreds', { creds: 'nsc://operator/account/user' });
    assertConfigError(() => loadContext('nsccreds', env), /"creds" uses a nsc:\/\/ reference/);
  });

  test('creds/nkey paths: file:// and ~ handled; CLI-only features are reported as unsupported', () => {
    writeContext('paths', { creds: 'file:///secrets/u.creds', nkey: '~/keys/u.nk', nsc: 'nsc://o/a/u', socks_proxy: 'socks5://p:1080' });
    const ctx = loadContext('paths', env);
    assert.equal(ctx?.creds, '/secrets/u.creds');
    assert.equal(ctx?.nkey, join(root, 'home', 'keys/u.nk'));
    assert.deepEqual(ctx?.unsupported, ['nsc', 'socks_proxy']);
  });

  test('user_jwt and user_seed are read', () => {
    writeContext('jwt', { user_jwt: 'a.b.c', user_seed: 'SUAXXX' });
    const ctx = loadContext('jwt', env);
    assert.equal(ctx?.userJwt, 'a.b.c');
    assert.equal(ctx?.userSeed, 'SUAXXX');
  });

  test('expandPath', () => {
    assert.equal(expandPath('~', { HOME: '/h' }), '/h');
    assert.equal(expandPath('~/x/y', { HOME: '/h' }), join('/h', 'x/y'));
    assert.equal(expandPath('$A/${B}/c', { A: '/a', B: 'b' }), '/a/b/c');
    assert.equal(expandPath('$UNSET/x', {}), '/x', 'as the CLI (os.ExpandEnv): unset expands to nothing');
    assert.equal(expandPath('relative/path', {}), 'relative/path');
    assert.equal(expandPath('~bob/x', { HOME: '/h' }), '~bob/x');
  });

  test('listContexts: sorted names, selection, descriptions, redacted URLs, broken files listed', () => {
    const xdg = join(root, 'xdg-list');
    writeContext('b-second', { description: 'Second', url: 'nats://naq:topsecret@h2:4222' }, xdg);
    writeContext('a-first', { url: 'nats://h1:4222', password: 'env://NOT_SET_ANYWHERE', user: 'x' }, xdg);
    writeContext('c-broken', '{not json', xdg);
    writeContext('d-empty', '', xdg);
    writeFileSync(join(xdg, 'nats', 'context', 'notes.txt'), 'not a context');
    mkdirSync(join(xdg, 'nats', 'context', 'subdir.json'));
    select('b-second', xdg);

    const list = listContexts({ XDG_CONFIG_HOME: xdg });
    assert.equal(list.directory, join(xdg, 'nats', 'context'));
    assert.equal(list.selected, 'b-second');
    assert.equal(list.selectedBy, 'context.txt');
    assert.equal(list.selectedMissing, false);
    assert.deepEqual(
      list.contexts.map((c) => c.name),
      ['a-first', 'b-second', 'c-broken'],
    );
    const [a, b, c] = list.contexts;
    assert.equal(a.selected, false);
    assert.equal(a.problem, undefined, 'listing does not resolve env:// secrets');
    assert.equal(b.selected, true);
    assert.equal(b.description, 'Second');
    assert.equal(b.url, 'nats://***@h2:4222');
    assert.ok(!JSON.stringify(list).includes('topsecret'));
    assert.match(c.problem ?? '', /is not valid JSON/);

    const viaEnv = listContexts({ XDG_CONFIG_HOME: xdg, NATS_CONTEXT: 'zzz' });
    assert.equal(viaEnv.selected, 'zzz');
    assert.equal(viaEnv.selectedBy, 'NATS_CONTEXT');
    assert.equal(viaEnv.selectedMissing, true);
    assert.ok(viaEnv.contexts.every((ctx) => !ctx.selected));
  });

  test('listContexts with no directory is empty', () => {
    const list = listContexts({ XDG_CONFIG_HOME: join(root, 'does-not-exist') });
    assert.deepEqual(list.contexts, []);
    assert.equal(list.selected, undefined);
    assert.equal(list.selectedMissing, false);
  });
});
