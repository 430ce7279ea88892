import { Encoder } from '@msgpack/msgpack';
import { EVENT_FIELDS, JobEvent, SEED_FIELDS } from '../model/event';

const encoder = new Encoder();
const NIL = Uint8Array.of(0xc0);

const keyBytes = SEED_FIELDS.map((field) => encoder.encode(field));
/** map16 with 17 entries: msgspec uses fixmap only under 16 entries. */
const MAP_HEADER = Uint8Array.of(0xde, 0x00, SEED_FIELDS.length);

function float64(value: number): Uint8Array {
  const out = new Uint8Array(9);
  out[0] = 0xcb;
  new DataView(out.buffer).setFloat64(1, value);
  return out;
}

export class EventEncodeError extends Error {
  override name = 'EventEncodeError';
}

function encodeField(event: JobEvent, field: keyof JobEvent): Uint8Array {
  const value = event[field];
  const kind = EVENT_FIELDS[field];
  if (value === null || value === undefined) {
    if (kind === 'id' || kind === 'time') throw new EventEncodeError(`event field "${field}" is required`);
    return kind === 'map' || kind === 'tags' ? encoder.encode({}) : NIL;
  }
  // The seed's float fields: msgspec writes them as float64 even when the value is whole.
  if (kind === 'time' || kind === 'number') {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new EventEncodeError(`event field "${field}" must be a finite number, got ${JSON.stringify(value)}`);
    }
    return float64(value);
  }
  if (kind === 'sequence' && !(typeof value === 'number' && Number.isSafeInteger(value) && value >= 0)) {
    throw new EventEncodeError(`event field "${field}" must be a whole number, got ${JSON.stringify(value)}`);
  }
  return encoder.encode(value);
}

const newBytes = (size: number): Uint8Array => new Uint8Array(size);

/**
 * Encodes an event exactly as msgspec encodes the seed's `JobEvent`: all 17 fields, in order.
 * `allocate` gives the bytes the encoding is written into (the logger carves them out of shared chunks).
 */
export function encodeEvent(event: JobEvent, allocate: (size: number) => Uint8Array = newBytes): Uint8Array {
  const parts: Uint8Array[] = [MAP_HEADER];
  let size = MAP_HEADER.length;
  SEED_FIELDS.forEach((field, i) => {
    const key = keyBytes[i] as Uint8Array;
    const value = encodeField(event, field);
    parts.push(key, value);
    size += key.length + value.length;
  });
  const out = allocate(size);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
