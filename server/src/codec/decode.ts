import { decode, ExtData } from '@msgpack/msgpack';
import { JobEvent } from '../model/event';
import { msgpackShapeProblem, withStringsRepaired } from './msgpackShape';

/** Where a payload came from, so an error can point at it. */
export interface PayloadOrigin {
  seq?: number;
  subject?: string;
}

/** A payload that is not a job event; names the stream sequence and subject it was read from. */
export class EventDecodeError extends Error {
  override name = 'EventDecodeError';
  readonly seq: number | undefined;
  readonly subject: string | undefined;
  readonly reason: string;

  constructor(reason: string, origin: PayloadOrigin = {}) {
    const where = [
      origin.seq !== undefined ? `sequence ${origin.seq}` : undefined,
      origin.subject !== undefined ? `subject ${JSON.stringify(origin.subject)}` : undefined,
    ]
      .filter(Boolean)
      .join(', ');
    super(`cannot decode event${where ? ` at ${where}` : ''}: ${reason}`);
    this.seq = origin.seq;
    this.subject = origin.subject;
    this.reason = reason;
  }
}

type Fields = Record<string, unknown>;

function kindOf(value: unknown): string {
  if (value === null) return 'nil';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Uint8Array) return 'binary';
  if (value instanceof Date) return 'timestamp';
  if (value instanceof ExtData) return 'extension';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  return typeof value === 'object' ? 'map' : typeof value;
}

function wrongType(field: string, expected: string, value: unknown): never {
  throw new TypeError(`field "${field}": expected ${expected}, got ${kindOf(value)}`);
}

function requiredString(fields: Fields, field: string): string {
  const value = fields[field];
  if (typeof value !== 'string') wrongType(field, 'a string', value);
  return value;
}

function optionalString(fields: Fields, field: string): string | null {
  const value = fields[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') wrongType(field, 'a string or nil', value);
  return value;
}

function optionalNumber(fields: Fields, field: string): number | null {
  const value = fields[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number') wrongType(field, 'a number or nil', value);
  return Number(value);
}

/** A msgpack map, decoded as a plain object: not an array, binary, timestamp (a Date) or other extension value. */
function isMap(value: unknown): value is Fields {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Deeper than this inside `details` or `metadata` is refused: nothing real nests so deep, and a value
 * nested thousands of levels (which msgpack decodes without trouble) overflows the stack of whatever
 * walks it next: JSON for the editor or `--json`, the encoder (which stops at 100).
 */
export const MAX_NESTING = 64;

function checkNesting(field: string, value: unknown): void {
  const stack: [unknown, number][] = [[value, 0]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [item, depth] = next;
    if (typeof item !== 'object' || item === null || item instanceof Uint8Array) continue;
    if (depth > MAX_NESTING) throw new TypeError(`field "${field}": nested more than ${MAX_NESTING} levels deep`);
    for (const child of Array.isArray(item) ? item : Object.values(item)) stack.push([child, depth + 1]);
  }
}

function map(fields: Fields, field: string): Fields {
  const value = fields[field];
  if (value === undefined || value === null) return {};
  if (!isMap(value)) wrongType(field, 'a map or nil', value);
  checkNesting(field, value);
  return value;
}

function stringMap(fields: Fields, field: string): Record<string, string> {
  const value = map(fields, field);
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') wrongType(`${field}.${key}`, 'a string', item);
  }
  return value as Record<string, string>;
}

function sequence(fields: Fields): number | null {
  const value = fields.nats_sequence;
  if (value === undefined || value === null) return null;
  if (!(typeof value === 'number' && Number.isSafeInteger(value))) {
    wrongType('nats_sequence', 'an int or nil', value);
  }
  return Number(value);
}

/**
 * Decodes either published layout (the seed's 17 fields, or the published NAQ's 12), ignoring unknown
 * fields and keeping unknown event types. `fallbackTimestamp` stands in for a missing timestamp, as
 * msgspec's default factory would.
 */
export function decodeEvent(payload: Uint8Array, origin: PayloadOrigin = {}, fallbackTimestamp = Date.now() / 1000): JobEvent {
  // Checked first: the decoder allocates whatever a header announces (see msgpackShape.ts).
  const illFormed: number[] = [];
  const problem = msgpackShapeProblem(payload, illFormed);
  if (problem !== undefined) throw new EventDecodeError(`not valid msgpack (${problem})`, origin);
  let raw: unknown;
  try {
    raw = decode(illFormed.length > 0 ? withStringsRepaired(payload, illFormed) : payload);
  } catch (error) {
    throw new EventDecodeError(`not valid msgpack (${(error as Error).message})`, origin);
  }
  if (!isMap(raw)) throw new EventDecodeError(`expected a msgpack map, got ${kindOf(raw)}`, origin);
  try {
    const timestamp = optionalNumber(raw, 'timestamp') ?? fallbackTimestamp;
    if (!Number.isFinite(timestamp)) throw new TypeError(`field "timestamp": not a finite number`);
    // Spelled out for speed, like the factory: test/unit/eventFields.test.ts holds each reader to the field's kind in EVENT_FIELDS.
    const event: JobEvent = {
      job_id: requiredString(raw, 'job_id'),
      event_type: requiredString(raw, 'event_type'),
      timestamp,
      worker_id: optionalString(raw, 'worker_id'),
      worker_type: optionalString(raw, 'worker_type'),
      queue_name: optionalString(raw, 'queue_name'),
      message: optionalString(raw, 'message'),
      details: map(raw, 'details'),
      error_type: optionalString(raw, 'error_type'),
      error_message: optionalString(raw, 'error_message'),
      duration_ms: optionalNumber(raw, 'duration_ms'),
      memory_mb: optionalNumber(raw, 'memory_mb'),
      cpu_time_ms: optionalNumber(raw, 'cpu_time_ms'),
      tags: stringMap(raw, 'tags'),
      metadata: map(raw, 'metadata'),
      nats_subject: optionalString(raw, 'nats_subject'),
      nats_sequence: sequence(raw),
    };
    if (event.job_id === '') throw new TypeError('field "job_id": must not be empty');
    if (event.event_type === '') throw new TypeError('field "event_type": must not be empty');
    if (origin.subject !== undefined) event.nats_subject = origin.subject;
    if (origin.seq !== undefined) event.nats_sequence = origin.seq;
    return event;
  } catch (error) {
    throw new EventDecodeError((error as Error).message, origin);
  }
}
