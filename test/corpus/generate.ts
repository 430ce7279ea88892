/**
 * Writes the bad-input corpus: one `<name>.hex` payload per case and `manifest.json` saying what each
 * is and what reading it must give. The files are kept in the repository; run this only to change them:
 *
 *   npx tsx test/corpus/generate.ts
 *
 * Manifest entries: `{ name, hex, about, error }` (decoding must fail with an EventDecodeError whose
 * message matches the regex `error`) or `{ name, hex, about, event }` (decoding must give an event whose
 * fields match `event`; a value may be `{"$number": "NaN" | "Infinity" | "-Infinity"}`, `{"$length": n}`
 * for a string's length or `{"$keys": n}` for a map's key count).
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode } from '@msgpack/msgpack';
import { encodeEvent } from '../../server/src/codec/encode';
import { createEvent, JobEvent } from '../../server/src/model/event';

type Bytes = Uint8Array;
type Expected = Record<string, unknown>;

interface Case {
  name: string;
  about: string;
  bytes: Bytes;
  error?: string;
  event?: Expected;
}

const DIR = __dirname;

// A small msgpack writer, for payloads no encoder would produce.
const cat = (...parts: (Bytes | number[])[]): Bytes => Uint8Array.from(parts.flatMap((p) => [...p]));
const str = (s: string): Bytes => encode(s);
const f64 = (n: number): Bytes => {
  const out = new Uint8Array(9);
  out[0] = 0xcb;
  new DataView(out.buffer).setFloat64(1, n);
  return out;
};
const u64 = (n: bigint): Bytes => {
  const out = new Uint8Array(9);
  out[0] = 0xcf;
  new DataView(out.buffer).setBigUint64(1, n);
  return out;
};
const mapHeader = (count: number): Bytes => (count < 16 ? Uint8Array.of(0x80 | count) : Uint8Array.of(0xde, count >> 8, count & 0xff));
/** A map from already-encoded values, keys as strings, in the given order. */
const rawMap = (entries: [string, Bytes][]): Bytes => cat(mapHeader(entries.length), ...entries.flatMap(([k, v]) => [str(k), v]));
const nested = (depth: number, leaf: Bytes): Bytes => cat(new Uint8Array(depth).fill(0x91), leaf);

/** job_id, event_type and a float64 timestamp, then `rest`. */
const base = (rest: [string, Bytes][] = [], jobId = 'corpus-job', type = 'started'): Bytes =>
  rawMap([['job_id', str(jobId)], ['event_type', str(type)], ['timestamp', f64(1_700_000_000.25)], ...rest]);

const full: JobEvent = createEvent({
  job_id: 'job-123',
  event_type: 'failed',
  timestamp: 1_700_000_000.5,
  worker_id: 'worker-456',
  worker_type: 'async',
  queue_name: 'high',
  message: 'Job failed after 1250.50ms (retry 2)',
  details: { retry_count: 2, ratio: 0.5, nested: { list: [1, 'two', null] } },
  error_type: 'ValueError',
  error_message: 'bad input',
  duration_ms: 1250.5,
  memory_mb: 64,
  cpu_time_ms: 10,
  tags: { env: 'prod' },
  metadata: { attempt: 3 },
});
const fullBytes = encodeEvent(full);

const HOSTILE = {
  img: '<img src=x onerror=alert(1)>',
  script: '<script>alert(document.cookie)</script>',
  js: 'javascript:alert(1)',
  ansi: '\u001b[31mred\u001b[0m\u001b]0;pwned\u0007',
  rtl: 'invoice\u202egpj.exe',
  lines: 'first line\nsecond line\r\nthird\u2028fourth',
  nul: 'nul\u0000byte',
};
const hostileEvent = createEvent({
  job_id: 'hostile-job',
  event_type: 'failed',
  timestamp: 1_700_000_000,
  worker_id: HOSTILE.rtl,
  worker_type: HOSTILE.ansi,
  queue_name: HOSTILE.js,
  message: HOSTILE.img,
  details: { html: HOSTILE.script, link: HOSTILE.js, ansi: HOSTILE.ansi, [HOSTILE.img]: HOSTILE.lines },
  error_type: HOSTILE.script,
  error_message: `${HOSTILE.lines} ${HOSTILE.ansi} ${HOSTILE.nul}`,
  tags: { link: HOSTILE.js, [HOSTILE.ansi]: HOSTILE.rtl },
  metadata: { note: HOSTILE.img },
});

const tenThousandKeys: Record<string, number> = {};
for (let i = 0; i < 10_000; i++) tenThousandKeys[`k${i}`] = i % 100;

const cases: Case[] = [
  // Events: everything a producer may legitimately write, or that we must still show.
  { name: 'seed-layout', about: 'all 17 seed fields, as msgspec writes them', bytes: fullBytes, event: { job_id: 'job-123', event_type: 'failed', timestamp: 1_700_000_000.5, worker_id: 'worker-456', duration_ms: 1250.5, tags: { env: 'prod' }, details: full.details } },
  {
    name: 'published-layout',
    about: "the published NAQ's 12 fields: details nil, duration_ms an int",
    bytes: rawMap([
      ['job_id', str('job-9')],
      ['event_type', str('worker_started')],
      ['timestamp', f64(1_700_000_001.25)],
      ['worker_id', str('w1')],
      ['queue_name', Uint8Array.of(0xc0)],
      ['message', str('Worker w1 started')],
      ['details', Uint8Array.of(0xc0)],
      ['error_type', Uint8Array.of(0xc0)],
      ['error_message', Uint8Array.of(0xc0)],
      ['duration_ms', Uint8Array.of(15)],
      ['nats_subject', Uint8Array.of(0xc0)],
      ['nats_sequence', Uint8Array.of(0xc0)],
    ]),
    event: { job_id: 'job-9', event_type: 'worker_started', details: {}, duration_ms: 15, worker_type: null },
  },
  { name: 'minimal', about: 'only job_id and event_type: every other field takes its default', bytes: rawMap([['job_id', str('m')], ['event_type', str('enqueued')]]), event: { job_id: 'm', event_type: 'enqueued', details: {}, tags: {}, metadata: {}, message: null } },
  { name: 'unknown-type-and-fields', about: 'a type and fields from a newer producer: kept, and ignored', bytes: base([['brand_new_field', encode({ a: [1, 2] })], ['another', str('x')]], 'corpus-job', 'quantum_leap'), event: { event_type: 'quantum_leap' } },
  { name: 'map16-header', about: 'a map16 header for 3 entries (valid, not minimal)', bytes: cat([0xde, 0x00, 0x03], str('job_id'), str('m16'), str('event_type'), str('started'), str('timestamp'), f64(5)), event: { job_id: 'm16', timestamp: 5 } },
  { name: 'timestamp-year-3000', about: 'far in the future', bytes: rawMap([['job_id', str('t')], ['event_type', str('started')], ['timestamp', f64(32_503_680_000)]]), event: { timestamp: 32_503_680_000 } },
  { name: 'timestamp-before-1970', about: 'negative epoch seconds', bytes: rawMap([['job_id', str('t')], ['event_type', str('started')], ['timestamp', f64(-86_400.5)]]), event: { timestamp: -86_400.5 } },
  { name: 'timestamp-uint64', about: 'a whole-number timestamp as uint64 (msgspec accepts an int for a float)', bytes: rawMap([['job_id', str('t')], ['event_type', str('started')], ['timestamp', u64(32_503_680_000n)]]), event: { timestamp: 32_503_680_000 } },
  { name: 'timestamp-huge', about: '1e300 seconds: no date, still a number', bytes: rawMap([['job_id', str('t')], ['event_type', str('started')], ['timestamp', f64(1e300)]]), event: { timestamp: 1e300 } },
  { name: 'duration-nan', about: 'NaN duration, Infinity memory, -Infinity cpu: kept as numbers', bytes: base([['duration_ms', f64(Number.NaN)], ['memory_mb', f64(Number.POSITIVE_INFINITY)], ['cpu_time_ms', f64(Number.NEGATIVE_INFINITY)]]), event: { duration_ms: { $number: 'NaN' }, memory_mb: { $number: 'Infinity' }, cpu_time_ms: { $number: '-Infinity' } } },
  {
    name: 'hostile-text',
    about: 'markup, javascript: URLs, ANSI escapes, RTL override, newlines and NUL in every text field: decoded exactly',
    bytes: encodeEvent(hostileEvent),
    event: {
      worker_id: hostileEvent.worker_id,
      worker_type: hostileEvent.worker_type,
      queue_name: hostileEvent.queue_name,
      message: hostileEvent.message,
      error_type: hostileEvent.error_type,
      error_message: hostileEvent.error_message,
      details: hostileEvent.details,
      tags: hostileEvent.tags,
      metadata: hostileEvent.metadata,
    },
  },
  { name: 'ids-unfit-for-subjects', about: 'ids in the payload are data, not subject tokens: dots, wildcards, spaces, 1000 characters', bytes: base([['worker_id', str('w 1.*>')], ['queue_name', str('q'.repeat(1000))]], 'a.b.*.>'), event: { job_id: 'a.b.*.>', worker_id: 'w 1.*>', queue_name: { $length: 1000 } } },
  { name: 'unicode', about: 'astral characters, combining marks, zero-width joiners', bytes: base([['message', str('📦 déjà vu 👩‍💻 Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǫ̗ \u200b')]]), event: { message: '📦 déjà vu 👩‍💻 Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǫ̗ \u200b' } },
  { name: 'details-10k-keys', about: 'a details map with 10,000 keys', bytes: base([['details', encode(tenThousandKeys)]]), event: { details: { $keys: 10_000 } } },
  { name: 'message-70k', about: 'a 70,000-character message (str32)', bytes: base([['message', str('x'.repeat(70_000))]]), event: { message: { $length: 70_000 } } },
  { name: 'details-nested-64', about: 'details nested 64 levels: the most allowed', bytes: base([['details', cat(rawMap([['deep', nested(63, Uint8Array.of(0x01))]]))]]), event: { job_id: 'corpus-job' } },
  { name: 'deep-unknown-field', about: 'an unknown field nested 10,000 levels: ignored', bytes: base([['ignored', nested(10_000, Uint8Array.of(0xc0))]]), event: { job_id: 'corpus-job' } },

  // Not events: each must be a typed error naming what is wrong.
  { name: 'empty', about: 'zero bytes', bytes: new Uint8Array(0), error: 'not valid msgpack' },
  { name: 'reserved-byte', about: '0xc1, never used by msgpack', bytes: Uint8Array.of(0xc1), error: 'not valid msgpack' },
  { name: 'truncated-half', about: 'the seed layout cut in half', bytes: fullBytes.subarray(0, Math.floor(fullBytes.length / 2)), error: 'not valid msgpack' },
  { name: 'truncated-in-float', about: 'cut inside the timestamp float64', bytes: base().subarray(0, base().length - 4), error: 'not valid msgpack' },
  { name: 'str32-length-lie', about: 'a str32 header claiming 4 GB', bytes: cat(Uint8Array.of(0x83), str('job_id'), str('x'), str('event_type'), str('y'), str('message'), [0xdb, 0xff, 0xff, 0xff, 0xff], str('short')), error: 'not valid msgpack' },
  { name: 'map32-count-lie', about: 'a map32 header claiming 4 billion entries', bytes: cat([0xdf, 0xff, 0xff, 0xff, 0xff], str('job_id'), str('x')), error: 'not valid msgpack' },
  { name: 'array-header-bomb', about: '2,000 nested array16 headers announcing 65,535 elements each (6 KB that used to cost the decoder 1 GB)', bytes: cat(...Array.from({ length: 2_000 }, () => [0xdc, 0xff, 0xff]), [0xc0]), error: 'not valid msgpack \\(the array at offset 0 announces 65535 values' },
  { name: 'array32-30m', about: 'an array32 announcing 29.5 million elements in a 20-byte payload', bytes: base([['details', rawMap([['a', Uint8Array.of(0xdd, 0x01, 0xc2, 0x41, 0xf7, 0x01)]])]]), error: 'not valid msgpack \\(the array at offset \\d+ announces 29508087 values' },
  { name: 'array-top', about: 'an array, not a map', bytes: encode(['job_id', 'x']), error: 'expected a msgpack map, got array' },
  { name: 'string-top', about: 'a bare string', bytes: encode('job_id'), error: 'expected a msgpack map, got string' },
  { name: 'nil-top', about: 'nil', bytes: Uint8Array.of(0xc0), error: 'expected a msgpack map, got nil' },
  { name: 'deep-array-top', about: 'an array nested 10,000 levels', bytes: nested(10_000, Uint8Array.of(0xc0)), error: 'expected a msgpack map, got array' },
  { name: 'trailing-bytes', about: 'a valid event followed by one more byte', bytes: cat(base(), [0xc0]), error: 'not valid msgpack \\(1 byte after the value\\)' },
  { name: 'job-id-int', about: 'job_id an int', bytes: rawMap([['job_id', Uint8Array.of(0x2a)], ['event_type', str('started')]]), error: 'field "job_id": expected a string, got int' },
  { name: 'job-id-missing', about: 'no job_id', bytes: rawMap([['event_type', str('started')]]), error: 'field "job_id": expected a string' },
  { name: 'job-id-empty', about: 'an empty job_id', bytes: base([], ''), error: 'field "job_id": must not be empty' },
  { name: 'event-type-nil', about: 'event_type nil', bytes: rawMap([['job_id', str('x')], ['event_type', Uint8Array.of(0xc0)]]), error: 'field "event_type": expected a string, got nil' },
  { name: 'timestamp-string', about: 'timestamp a string', bytes: rawMap([['job_id', str('x')], ['event_type', str('y')], ['timestamp', str('2024-01-01T00:00:00Z')]]), error: 'field "timestamp": expected a number or nil, got string' },
  { name: 'timestamp-nan', about: 'timestamp NaN', bytes: rawMap([['job_id', str('x')], ['event_type', str('y')], ['timestamp', f64(Number.NaN)]]), error: 'field "timestamp": not a finite number' },
  { name: 'timestamp-infinity', about: 'timestamp Infinity', bytes: rawMap([['job_id', str('x')], ['event_type', str('y')], ['timestamp', f64(Number.POSITIVE_INFINITY)]]), error: 'field "timestamp": not a finite number' },
  { name: 'timestamp-minus-infinity', about: 'timestamp -Infinity', bytes: rawMap([['job_id', str('x')], ['event_type', str('y')], ['timestamp', f64(Number.NEGATIVE_INFINITY)]]), error: 'field "timestamp": not a finite number' },
  { name: 'timestamp-ext', about: 'timestamp as a msgpack timestamp extension', bytes: rawMap([['job_id', str('x')], ['event_type', str('y')], ['timestamp', encode(new Date(0))]]), error: 'field "timestamp": expected a number or nil, got timestamp' },
  { name: 'tags-int-value', about: 'a tag with an int value', bytes: base([['tags', encode({ retries: 3 })]]), error: 'field "tags.retries": expected a string, got int' },
  { name: 'tags-map-value', about: 'a tag with a map value', bytes: base([['tags', encode({ x: { y: 'z' } })]]), error: 'field "tags.x": expected a string, got map' },
  { name: 'details-array', about: 'details an array', bytes: base([['details', encode([1, 2, 3])]]), error: 'field "details": expected a map or nil, got array' },
  { name: 'details-string', about: 'details a string', bytes: base([['details', str('{"a":1}')]]), error: 'field "details": expected a map or nil, got string' },
  { name: 'details-timestamp-ext', about: 'details a timestamp extension (decoded as a Date)', bytes: base([['details', encode(new Date(0))]]), error: 'field "details": expected a map or nil, got timestamp' },
  { name: 'details-ext', about: 'details an application extension value', bytes: base([['details', Uint8Array.of(0xd4, 0x05, 0x01)]]), error: 'field "details": expected a map or nil, got extension' },
  { name: 'metadata-binary', about: 'metadata binary', bytes: base([['metadata', Uint8Array.of(0xc4, 0x02, 0x01, 0x02)]]), error: 'field "metadata": expected a map or nil, got binary' },
  { name: 'details-nested-10k', about: 'details nested 10,000 levels deep', bytes: base([['details', rawMap([['deep', nested(10_000, Uint8Array.of(0xc0))]])]]), error: 'field "details": nested more than 64 levels deep' },
  { name: 'details-nested-65', about: 'details nested one level more than allowed', bytes: base([['details', rawMap([['deep', nested(65, Uint8Array.of(0x01))]])]]), error: 'field "details": nested more than 64 levels deep' },
  { name: 'worker-id-int', about: 'worker_id an int', bytes: base([['worker_id', Uint8Array.of(0x07)]]), error: 'field "worker_id": expected a string or nil, got int' },
  { name: 'duration-string', about: 'duration_ms a string', bytes: base([['duration_ms', str('12ms')]]), error: 'field "duration_ms": expected a number or nil, got string' },
  { name: 'sequence-float', about: 'nats_sequence a float', bytes: base([['nats_sequence', f64(1.5)]]), error: 'field "nats_sequence": expected an int or nil, got float' },
  { name: 'proto-key', about: 'a __proto__ key (prototype pollution attempt)', bytes: base([['details', rawMap([['__proto__', encode({ polluted: true })]])]]), error: '__proto__ is not allowed' },
  { name: 'binary-map-key', about: 'a map key that is binary', bytes: cat(Uint8Array.of(0x83), str('job_id'), str('x'), str('event_type'), str('y'), [0xc4, 0x01, 0x41], [0x01]), error: 'not valid msgpack' },
];

function hexLines(bytes: Bytes): string {
  const hex = Buffer.from(bytes).toString('hex');
  const lines: string[] = [];
  for (let i = 0; i < hex.length; i += 128) lines.push(hex.slice(i, i + 128));
  return `${lines.join('\n')}\n`;
}

function main(): void {
  mkdirSync(DIR, { recursive: true });
  for (const file of readdirSync(DIR)) if (file.endsWith('.hex')) rmSync(join(DIR, file));
  const names = new Set<string>();
  const manifest = {
    about: 'Payloads a reader of the event stream must survive. Written by generate.ts; read by test/unit/corpus.test.ts and test/reliability/badInput.test.ts.',
    cases: cases.map((c) => {
      if (names.has(c.name) || !/^[a-z0-9-]+$/.test(c.name)) throw new Error(`bad or repeated case name ${c.name}`);
      names.add(c.name);
      const hex = `${c.name}.hex`;
      writeFileSync(join(DIR, hex), hexLines(c.bytes));
      return c.error !== undefined ? { name: c.name, hex, about: c.about, error: c.error } : { name: c.name, hex, about: c.about, event: c.event };
    }),
  };
  writeFileSync(join(DIR, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`${cases.length} cases written to ${DIR}`);
}

main();
