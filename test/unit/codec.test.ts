import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decode } from '@msgpack/msgpack';
import { decodeEvent, EventDecodeError } from '../../server/src/codec/decode';
import { encodeEvent, EventEncodeError } from '../../server/src/codec/encode';
import { createEvent, SEED_FIELDS } from '../../server/src/model/event';
import { peekFields } from '../../server/src/index/fieldPeek';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

// Written by msgspec 0.22 `msgspec.msgpack.encode(JobEvent(...))` with the seed's struct.
const SEED_VECTOR =
  'de0011a66a6f625f6964a76a6f622d313233aa6576656e745f74797065a66661696c6564a974696d657374616d70cb41d954fc40000000a9776f726b65725f6964aa776f726b65722d343536ab776f726b65725f74797065a56173796e63aa71756575655f6e616d65a468696768a76d657373616765d9244a6f62206661696c656420616674657220313235302e35306d7320287265747279203229a764657461696c7384ab72657472795f636f756e7402a3626967cd012ca36e6567d0d8a5726174696fcb3fe0000000000000aa6572726f725f74797065aa56616c75654572726f72ad6572726f725f6d657373616765a962616420696e707574ab6475726174696f6e5f6d73cb40938a0000000000a96d656d6f72795f6d62cb4050000000000000ab6370755f74696d655f6d73c0a47461677381a3656e76a470726f64a86d6574616461746181a7617474656d707403ac6e6174735f7375626a656374c0ad6e6174735f73657175656e6365c0';
const SEED_MIN_VECTOR =
  'de0011a66a6f625f6964a16aaa6576656e745f74797065a8656e717565756564a974696d657374616d70cb3ff0000000000000a9776f726b65725f6964c0ab776f726b65725f74797065c0aa71756575655f6e616d65c0a76d657373616765c0a764657461696c7380aa6572726f725f74797065c0ad6572726f725f6d657373616765c0ab6475726174696f6e5f6d73c0a96d656d6f72795f6d62c0ab6370755f74696d655f6d73c0a47461677380a86d6574616461746180ac6e6174735f7375626a656374c0ad6e6174735f73657175656e6365c0';
// The published NAQ's 12-field struct (details nil, duration_ms an int), also written by msgspec.
const PUBLISHED_VECTOR =
  '8ca66a6f625f6964a56a6f622d39aa6576656e745f74797065ae776f726b65725f73746172746564a974696d657374616d70cb41d954fc40500000a9776f726b65725f6964a27731aa71756575655f6e616d65c0a76d657373616765b1576f726b65722077312073746172746564a764657461696c73c0aa6572726f725f74797065c0ad6572726f725f6d657373616765c0ab6475726174696f6e5f6d730fac6e6174735f7375626a656374c0ad6e6174735f73657175656e6365c0';

test('encodes the seed layout byte for byte as msgspec does', () => {
  const event = createEvent({
    job_id: 'job-123',
    event_type: 'failed',
    timestamp: 1700000000,
    worker_id: 'worker-456',
    worker_type: 'async',
    queue_name: 'high',
    message: 'Job failed after 1250.50ms (retry 2)',
    details: { retry_count: 2, big: 300, neg: -40, ratio: 0.5 },
    error_type: 'ValueError',
    error_message: 'bad input',
    duration_ms: 1250.5,
    memory_mb: 64,
    tags: { env: 'prod' },
    metadata: { attempt: 3 },
  });
  assert.equal(toHex(encodeEvent(event)), SEED_VECTOR);
  assert.equal(toHex(encodeEvent(createEvent({ job_id: 'j', event_type: 'enqueued', timestamp: 1 }))), SEED_MIN_VECTOR);
});

test('writes all 17 seed fields in order, with float64 timestamps', () => {
  const bytes = encodeEvent(createEvent({ job_id: 'a', event_type: 'started', timestamp: 5 }));
  assert.deepEqual(Object.keys(decode(bytes) as object), [...SEED_FIELDS]);
  const timestampAt = Buffer.from(bytes).indexOf(Buffer.from('timestamp')) + 'timestamp'.length;
  assert.equal(bytes[timestampAt], 0xcb);
});

test('decodes the seed layout', () => {
  const event = decodeEvent(hex(SEED_VECTOR));
  assert.equal(event.job_id, 'job-123');
  assert.equal(event.event_type, 'failed');
  assert.equal(event.timestamp, 1700000000);
  assert.equal(event.duration_ms, 1250.5);
  assert.equal(event.cpu_time_ms, null);
  assert.deepEqual(event.details, { retry_count: 2, big: 300, neg: -40, ratio: 0.5 });
  assert.deepEqual(event.tags, { env: 'prod' });
});

test('decodes the published layout, filling subject and sequence from the message', () => {
  const event = decodeEvent(hex(PUBLISHED_VECTOR), { seq: 7, subject: 'naq.jobs.events.job-9.worker.w1.worker_started' });
  assert.equal(event.event_type, 'worker_started');
  assert.equal(event.timestamp, 1700000001.25);
  assert.deepEqual(event.details, {});
  assert.equal(event.worker_type, null);
  assert.equal(event.duration_ms, 15);
  assert.equal(event.nats_sequence, 7);
  assert.equal(event.nats_subject, 'naq.jobs.events.job-9.worker.w1.worker_started');
});

test('keeps unknown event types and ignores unknown fields', () => {
  const payload = Uint8Array.from([
    ...hex('83'),
    ...hex('a66a6f625f6964a131'), // job_id: "1"
    ...hex('aa6576656e745f74797065a5666c756666'), // event_type: "fluff"
    ...hex('a5657874726103'), // extra: 3
  ]);
  const event = decodeEvent(payload, {}, 42);
  assert.equal(event.event_type, 'fluff');
  assert.equal(event.timestamp, 42);
});

test('round-trips through encode and decode', () => {
  const event = createEvent({ job_id: 'x', event_type: 'completed', timestamp: 1.5, details: { nested: { a: [1, 'b', null] } } });
  assert.deepEqual(decodeEvent(encodeEvent(event)), event);
});

test('a malformed payload is a typed error naming sequence and subject', () => {
  const origin = { seq: 12, subject: 'naq.jobs.events.j.failed' };
  for (const [payload, reason] of [
    [hex('c1'), /not valid msgpack/],
    [hex('de0011a6'), /not valid msgpack/],
    [hex('93010203'), /expected a msgpack map, got array/],
    [hex('82a66a6f625f69640aaa6576656e745f74797065a161'), /field "job_id": expected a string, got int/],
    [hex('83a66a6f625f6964a161aa6576656e745f74797065a161a474616773 81a161 01'.replace(/ /g, '')), /field "tags.a": expected a string, got int/],
  ] as const) {
    assert.throws(
      () => decodeEvent(payload, origin),
      (error: unknown) =>
        error instanceof EventDecodeError &&
        error.seq === 12 &&
        error.subject === origin.subject &&
        reason.test(error.message) &&
        error.message.includes('sequence 12'),
    );
  }
});

test('refuses to encode events with broken float fields', () => {
  const event = createEvent({ job_id: 'x', event_type: 'completed', timestamp: 1, duration_ms: Number.NaN });
  assert.throws(() => encodeEvent(event), EventEncodeError);
});

test('a string whose bytes are not UTF-8 reads as the index peeks it, each bad sequence as U+FFFD, and survives encoding again', () => {
  const event = createEvent({ job_id: 'utf8-job', event_type: 'failed', timestamp: 1_700_000_000.5, error_message: 'r\u00e9d', details: { 'k\u00e9y': 'v' } });
  const bytes = Buffer.from(encodeEvent(event));
  // "é" is C3 A9; ED 72 starts a three-byte sequence that never ends (msgpack's own decoder made it U+DCA5 and lost the "r").
  // Only inside the two strings: the same two bytes can end a float and start the next key's header.
  for (const text of ['r\u00e9d', 'k\u00e9y']) {
    const at = bytes.indexOf(Buffer.from(text, 'utf8'));
    assert.ok(at >= 0, `encoded ${text} not found`);
    bytes.set([0xed, 0x72], at + 1);
  }
  const decoded = decodeEvent(bytes);
  assert.equal(decoded.error_message, 'r\ufffdrd');
  assert.deepEqual(decoded.details, { 'k\ufffdry': 'v' });
  assert.equal(peekFields(bytes)?.error_message, decoded.error_message);
  assert.deepEqual(decodeEvent(encodeEvent(decoded)), decoded);
});
