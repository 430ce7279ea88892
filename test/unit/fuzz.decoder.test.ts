import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Decoder, encode } from '@msgpack/msgpack';
import { decodeEvent, EventDecodeError } from '../../server/src/codec/decode';
import { encodeEvent } from '../../server/src/codec/encode';
import { msgpackShapeProblem } from '../../server/src/codec/msgpackShape';
import { peekFields, PeekedFields } from '../../server/src/index/fieldPeek';
import { createEvent, JobEvent, SEED_FIELDS } from '../../server/src/model/event';
import { loadCorpus } from '../corpus/corpus';

/**
 * Decoder fuzzing, bounded in inputs (NAQ_FUZZ_INPUTS per seed, default 20,000) rather than time, so a
 * loaded machine explores as much as an idle one, and reproducible: one fixed seed every run, plus a
 * random one (or NAQ_FUZZ_SEED) that is printed. Inputs: random bytes, mutations of valid encoded events and of the small corpus payloads
 * (bit flips, interesting bytes, truncation, insertion, deletion, duplication, corrupted length fields),
 * and random structures with wrongly typed fields. For every input:
 * - `decodeEvent` returns a well-typed JobEvent or throws EventDecodeError, nothing else;
 * - its up-front msgpack shape check refuses nothing the msgpack decoder accepts;
 * - `peekFields` (the index's cheap reader) never throws, and agrees with the decoder where both read a field;
 * - a decoded event whose numbers are finite re-encodes and decodes to the same event.
 */

const INPUTS = Number(process.env.NAQ_FUZZ_INPUTS ?? 20_000);
/** Every run explores this one: a failure found once is found again. */
const FIXED_SEED = 0x6e61_7131;
const RANDOM_SEED = Number(process.env.NAQ_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 32));

/** mulberry32: small, fast, good enough to explore, and the same sequence for the same seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let random = prng(FIXED_SEED);
const int = (n: number): number => Math.floor(random() * n);
const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
const chance = (p: number): boolean => random() < p;

/** Bytes that steer msgpack decoders into their less travelled paths. */
const INTERESTING = [0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf, 0xd0, 0xd3, 0xd4, 0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xe0, 0xff];
const STRINGS = ['', 'x', 'job-1', '<script>', '\u001b[31m', '\u202e', 'a.b', '*', '>', ' ', '\u0000', '💥', 'é', 'x'.repeat(40)];
const FIELD_VALUES: (() => unknown)[] = [
  () => pick(STRINGS),
  () => null,
  () => int(1_000_000) - 500_000,
  () => random() * 1e10,
  () => pick([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 2 ** 53 + 2, -(2 ** 63)]),
  () => chance(0.5),
  () => ({ [pick(STRINGS)]: pick(STRINGS), n: int(10) }),
  () => [pick(STRINGS), int(5)],
  () => Uint8Array.of(int(256), int(256)),
  () => new Date(int(2e12)),
];

function randomEvent(): JobEvent {
  return createEvent({
    job_id: `job-${int(1000)}`,
    event_type: pick(['enqueued', 'started', 'failed', 'completed', 'brand_new']),
    timestamp: random() * 2e9,
    worker_id: chance(0.5) ? `w${int(9)}` : null,
    queue_name: chance(0.5) ? pick(STRINGS) : null,
    message: chance(0.7) ? pick(STRINGS) : null,
    details: chance(0.5) ? { n: int(100), s: pick(STRINGS), list: [1, 'a', null], nested: { deep: { er: random() } } } : {},
    error_type: chance(0.3) ? 'ValueError' : null,
    error_message: chance(0.3) ? pick(STRINGS) : null,
    duration_ms: chance(0.5) ? random() * 1000 : null,
    tags: chance(0.5) ? { env: pick(STRINGS) } : {},
    metadata: chance(0.3) ? { attempt: int(5) } : {},
  });
}

/** A map with the event's field names (sometimes missing, sometimes extra), any value at all. */
function randomStructure(): Uint8Array {
  const fields: Record<string, unknown> = {};
  const valid = randomEvent();
  // Mostly right, one or two fields wrong: the type checks are what this explores.
  for (const field of SEED_FIELDS) if (chance(0.9)) fields[field] = chance(0.93) ? valid[field] : pick(FIELD_VALUES)();
  if (chance(0.3)) fields[pick(STRINGS) || 'extra'] = pick(FIELD_VALUES)();
  return encode(fields, { ignoreUndefined: true });
}

function mutate(input: Uint8Array): Uint8Array {
  let bytes = Uint8Array.from(input);
  const rounds = chance(0.6) ? 1 : 1 + int(4);
  for (let r = 0; r < rounds; r++) {
    const at = int(bytes.length + 1);
    switch (int(8)) {
      case 0: // bit flips
        if (bytes.length > 0) for (let i = int(8) + 1; i > 0; i--) bytes[int(bytes.length)] ^= 1 << int(8);
        break;
      case 1: // an interesting byte
        if (bytes.length > 0) bytes[int(bytes.length)] = pick(INTERESTING);
        break;
      case 2: // truncation
        bytes = bytes.subarray(0, int(bytes.length + 1));
        break;
      case 3: // insertion
        bytes = Uint8Array.from([...bytes.subarray(0, at), ...Array.from({ length: 1 + int(8) }, () => (chance(0.5) ? pick(INTERESTING) : int(256))), ...bytes.subarray(at)]);
        break;
      case 4: // deletion
        bytes = Uint8Array.from([...bytes.subarray(0, at), ...bytes.subarray(at + 1 + int(8))]);
        break;
      case 5: // a chunk repeated
        bytes = Uint8Array.from([...bytes.subarray(0, at), ...bytes.subarray(at, at + int(32)), ...bytes.subarray(at)]);
        break;
      default: {
        // a length field corrupted: find a str/bin/array/map header and make it lie
        const headers: number[] = [];
        for (let i = 0; i < bytes.length; i++) {
          const b = bytes[i] as number;
          if ((b >= 0x80 && b <= 0xbf) || (b >= 0xc4 && b <= 0xc6) || (b >= 0xd9 && b <= 0xdf)) headers.push(i);
        }
        if (headers.length === 0) break;
        const i = pick(headers);
        const b = bytes[i] as number;
        if (b < 0xc0) bytes[i] = (b & 0xf0) | int(16);
        else if (i + 1 < bytes.length) bytes[i + 1] = pick([0x00, 0x01, 0x7f, 0xff]);
        if (chance(0.3) && i + 4 < bytes.length && b >= 0xc4) bytes.set([0xff, 0xff, 0xff, 0xff], i + 1);
      }
    }
  }
  return bytes;
}

function randomBytes(): Uint8Array {
  const bytes = Uint8Array.from({ length: int(200) }, () => (chance(0.3) ? pick(INTERESTING) : int(256)));
  if (bytes.length > 0 && chance(0.7)) bytes[0] = pick([0x80 | int(16), 0xde, 0xdf]);
  return bytes;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

function isPlainMap(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function assertWellTyped(event: JobEvent, where: string): void {
  const strings = ['worker_id', 'worker_type', 'queue_name', 'message', 'error_type', 'error_message', 'nats_subject'] as const;
  assert.ok(typeof event.job_id === 'string' && event.job_id !== '', `${where}: job_id`);
  assert.ok(typeof event.event_type === 'string' && event.event_type !== '', `${where}: event_type`);
  assert.ok(typeof event.timestamp === 'number' && Number.isFinite(event.timestamp), `${where}: timestamp`);
  for (const field of strings) assert.ok(event[field] === null || typeof event[field] === 'string', `${where}: ${field}`);
  for (const field of ['duration_ms', 'memory_mb', 'cpu_time_ms'] as const) assert.ok(event[field] === null || typeof event[field] === 'number', `${where}: ${field}`);
  assert.ok(isPlainMap(event.details) && isPlainMap(event.metadata) && isPlainMap(event.tags), `${where}: details, metadata and tags are maps`);
  assert.ok(Object.values(event.tags).every((v) => typeof v === 'string'), `${where}: tag values`);
  assert.ok(event.nats_sequence === null || Number.isSafeInteger(event.nats_sequence), `${where}: nats_sequence`);
  assert.deepEqual(Object.keys(event).sort(), [...SEED_FIELDS].sort(), `${where}: exactly the seed fields`);
}

function encodable(event: JobEvent): boolean {
  const finite = (['timestamp', 'duration_ms', 'memory_mb', 'cpu_time_ms'] as const).every((f) => event[f] === null || Number.isFinite(event[f]));
  return finite && (event.nats_sequence === null || event.nats_sequence >= 0);
}

/** Equality where -0 equals 0 (msgpack writes a whole float as an int). */
function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || (Number.isNaN(a) && Number.isNaN(b));
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (a instanceof Uint8Array && b instanceof Uint8Array) return hex(a) === hex(b);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return Object.is(a, b);
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length || Array.isArray(a) !== Array.isArray(b)) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Where the index's reader and the decoder both have a field, they agree (strings: when valid UTF-8). */
function assertPeekAgrees(peeked: PeekedFields, event: JobEvent, where: string): void {
  for (const [field, value] of Object.entries(peeked) as [keyof PeekedFields, string | number | undefined][]) {
    if (value === undefined) continue;
    const decoded = event[field];
    if (typeof value === 'string' && value.includes('\ufffd')) continue; // invalid UTF-8: the two replace it differently
    if (field === 'timestamp' && !Number.isFinite(value)) continue; // the decoder refuses it; the index uses the store time
    assert.ok(sameValue(value, decoded), `${where}: peek has ${field}=${JSON.stringify(value)}, decode ${JSON.stringify(decoded)}`);
  }
}

interface Counts {
  inputs: number;
  events: number;
  errors: number;
  roundTrips: number;
  peeked: number;
}

const ORIGIN = { seq: 7, subject: 'naq.jobs.events.fuzz.started' };

/** Every property for one input; true when it decoded to an event. */
function check(input: Uint8Array, counts: Counts): boolean {
  let event: JobEvent | undefined;
  try {
    event = decodeEvent(input, ORIGIN, 1_700_000_000);
  } catch (error) {
    if (!(error instanceof EventDecodeError)) assert.fail(`decodeEvent threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    assert.equal(error.seq, ORIGIN.seq);
    counts.errors++;
  }
  // The up-front shape check refuses only what the msgpack decoder would refuse too.
  if (msgpackShapeProblem(input) !== undefined) {
    let valid = true;
    try {
      new Decoder({ maxArrayLength: input.length, maxMapLength: input.length }).decode(input);
    } catch {
      valid = false;
    }
    assert.ok(!valid, `the shape check refused valid msgpack: ${msgpackShapeProblem(input)}`);
  }
  let peeked: PeekedFields | undefined;
  try {
    peeked = peekFields(input);
  } catch (error) {
    assert.fail(`peekFields threw ${String(error)}`);
  }
  if (!event) return false;
  counts.events++;
  assertWellTyped(event, 'decoded');
  if (peeked) {
    counts.peeked++;
    assertPeekAgrees(peeked, event, 'peeked');
  }
  if (encodable(event)) {
    let again: JobEvent;
    try {
      again = decodeEvent(encodeEvent(event), ORIGIN);
    } catch (error) {
      assert.fail(`decoded but does not re-encode: ${String(error)}`);
    }
    assert.ok(sameValue(again, event), `round trip changed it:\n${JSON.stringify(event)}\n${JSON.stringify(again)}`);
    counts.roundTrips++;
  }
  return true;
}

for (const [which, seed] of [
  ['fixed', FIXED_SEED],
  ['random', RANDOM_SEED],
] as const) {
  test(`decoder fuzz: ${INPUTS} inputs from the ${which} seed ${seed}`, { timeout: 120_000 }, (t) => {
    t.diagnostic(`seed ${seed}: rerun with NAQ_FUZZ_SEED=${seed} NAQ_FUZZ_INPUTS=${INPUTS}`);
    random = prng(seed);
    const seeds: Uint8Array[] = Array.from({ length: 40 }, () => encodeEvent(randomEvent()));
    for (const c of loadCorpus()) if (c.bytes.length <= 4_096) seeds.push(c.bytes);
    const counts: Counts = { inputs: 0, events: 0, errors: 0, roundTrips: 0, peeked: 0 };
    while (counts.inputs < INPUTS) {
      const kind = int(10);
      const input = kind < 2 ? randomBytes() : kind < 4 ? randomStructure() : mutate(pick(seeds));
      const n = counts.inputs++;
      let decoded: boolean;
      try {
        decoded = check(input, counts);
      } catch (error) {
        const shown = `${hex(input.subarray(0, 512))}${input.length > 512 ? '…' : ''}`;
        throw new Error(`seed ${seed}, input #${n} (${input.length} bytes: ${shown}): ${(error as Error).message}`, { cause: error });
      }
      // Something decodable is worth mutating further.
      if (decoded && seeds.length < 400 && input.length <= 4_096 && chance(0.05)) seeds.push(input);
    }
    t.diagnostic(`${counts.inputs} inputs: ${counts.events} events (${counts.roundTrips} round-tripped, ${counts.peeked} peeked), ${counts.errors} typed errors`);
    assert.ok(counts.events > 0 && counts.errors > 0, 'both outcomes were reached');
  });
}
