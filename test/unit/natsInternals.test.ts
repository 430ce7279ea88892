import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildAuthenticator, MsgHdrsImpl } from 'nats';

/**
 * server/src leans on nats.js beyond its documented API: the publisher hands pre-encoded header bytes
 * through a `MsgHdrsImpl` subclass whose `encode()` nats.js calls inside `publish()`, reads an ack's
 * reply subject from the bytes a received message keeps in `_msg.subject`, and the bare
 * wire connection authenticates with `buildAuthenticator`. nats is pinned to the exact version these
 * were checked against; this fails loudly when that version or those internals move.
 */

const ROOT = join(__dirname, '..', '..');
const NATS_DIR = join(ROOT, 'node_modules', 'nats');

test('nats is pinned to the exact installed version', () => {
  const installed = (JSON.parse(readFileSync(join(NATS_DIR, 'package.json'), 'utf8')) as { version: string }).version;
  const wanted = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies.nats;
  assert.equal(wanted, installed, `package.json pins nats ${wanted} but ${installed} is installed: re-check the internals below before moving the pin`);
  assert.equal(installed, '2.29.3', 'the internals below were checked against nats 2.29.3');
});

test('publish() sends exactly what the headers object encode() returns (the publisher relies on it)', () => {
  assert.equal(typeof MsgHdrsImpl, 'function');
  assert.equal(typeof MsgHdrsImpl.prototype.encode, 'function');
  const protocol = readFileSync(join(NATS_DIR, 'lib', 'nats-base-client', 'protocol.js'), 'utf8');
  assert.match(protocol, /const hdrs = options\.headers;\s+headers = hdrs\.encode\(\);\s+hlen = headers\.length;/, 'nats.js no longer encodes headers with one encode() call in publish()');
});

test('a received message keeps its subject bytes in _msg.subject (the publisher reads ack subjects there)', () => {
  const msg = readFileSync(join(NATS_DIR, 'lib', 'nats-base-client', 'msg.js'), 'utf8');
  assert.match(msg, /constructor\(msg, data, publisher\) \{\s+this\._msg = msg;/, 'MsgImpl no longer keeps the parsed message in _msg');
  assert.match(msg, /this\._subject = encoders_1\.TD\.decode\(this\._msg\.subject\);/, 'MsgImpl no longer decodes its subject from _msg.subject bytes');
});

test('buildAuthenticator answers the CONNECT fields the wire connection sends', () => {
  assert.deepEqual(buildAuthenticator({ user: 'naq', pass: 's3cret' })('nonce'), { user: 'naq', pass: 's3cret' });
  assert.deepEqual(buildAuthenticator({ token: 't0ken' })('nonce'), { auth_token: 't0ken' });
});
