import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readAck } from '../../server/src/logger/pubAck';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

// Replies captured from nats-server 2.9.10 (note the spaces it writes).
test('reads a stored acknowledgement', () => {
  assert.deepEqual(readAck(bytes('{"stream":"S1", "seq":1}')), { kind: 'stored', ack: { stream: 'S1', seq: 1, duplicate: false } });
  assert.deepEqual(readAck(bytes('{"stream":"NAQ_JOB_EVENTS", "seq":9007199254740991}')), {
    kind: 'stored',
    ack: { stream: 'NAQ_JOB_EVENTS', seq: 9007199254740991, duplicate: false },
  });
});

test('reads a duplicate acknowledgement', () => {
  assert.deepEqual(readAck(bytes('{"stream":"S1", "seq":17,"duplicate": true}')), { kind: 'stored', ack: { stream: 'S1', seq: 17, duplicate: true } });
  // A JSON encoder's spelling, as other servers may write it.
  assert.deepEqual(readAck(bytes('{"stream":"S1","seq":17,"duplicate":true}')), { kind: 'stored', ack: { stream: 'S1', seq: 17, duplicate: true } });
});

test('keeps stream names apart when they alternate', () => {
  assert.equal(readAck(bytes('{"stream":"AB", "seq":1}')).kind, 'stored');
  const v = readAck(bytes('{"stream":"CD", "seq":2}'));
  assert.ok(v.kind === 'stored' && v.ack.stream === 'CD');
  const w = readAck(bytes('{"stream":"AB", "seq":3}'));
  assert.ok(w.kind === 'stored' && w.ack.stream === 'AB');
});

test('an error reply is never read as stored, although it carries "stream" and "seq":0', () => {
  const v = readAck(bytes('{"error":{"code":400,"err_code":10054,"description":"message size exceeds maximum allowed"},"stream":"S1","seq":0}'));
  assert.equal(v.kind, 'refused');
  assert.match(v.kind === 'refused' ? v.reason : '', /message size exceeds maximum allowed \(code 400, err_code 10054\)/);
});

test('5xx errors are worth retrying, 4xx are not', () => {
  assert.equal(readAck(bytes('{"error":{"code":503,"err_code":10023,"description":"insufficient resources"}}')).kind, 'retry');
  assert.equal(readAck(bytes('{"error":{"code":500,"description":"store failed"}}')).kind, 'retry');
  assert.equal(readAck(bytes('{"error":{"code":400,"err_code":10060,"description":"expected stream does not match"}}')).kind, 'refused');
});

test('no responders (503 status, empty body) is worth retrying and says what it likely means', () => {
  const v = readAck(new Uint8Array(0), 503);
  assert.equal(v.kind, 'retry');
  assert.match(v.kind === 'retry' ? v.reason : '', /no stream stores this subject/);
});

test('garbage is not taken for an acknowledgement', () => {
  assert.equal(readAck(bytes('hello')).kind, 'retry');
  assert.equal(readAck(bytes('{"stream":"S1", "seq":x}')).kind, 'retry');
  assert.equal(readAck(bytes('{"stream":"S1"}')).kind, 'retry');
});
