/**
 * Reads a few top-level fields of a msgpack-encoded event without building the whole object:
 * the index reads every event of the stream, and a full decode of each would cost most of its time.
 * Anything unexpected returns undefined; the caller then treats the payload as opaque.
 *
 * Written for speed, as plain functions over one module-level cursor (no reader object, no DataView
 * per payload): at 1,000,000 events this is a visible share of an index build.
 */
export interface PeekedFields {
  timestamp: number | undefined;
  worker_id: string | undefined;
  queue_name: string | undefined;
  message: string | undefined;
  error_type: string | undefined;
  error_message: string | undefined;
  duration_ms: number | undefined;
}

/** In this order: a key is matched to its position, and `peekFields` stores by position. */
const WANTED = ['timestamp', 'worker_id', 'queue_name', 'message', 'error_type', 'error_message', 'duration_ms'] as const;
const NOT_WANTED = -1;
const TIMESTAMP = WANTED.indexOf('timestamp');
const WORKER_ID = WANTED.indexOf('worker_id');
const QUEUE_NAME = WANTED.indexOf('queue_name');
const MESSAGE = WANTED.indexOf('message');
const ERROR_TYPE = WANTED.indexOf('error_type');
const ERROR_MESSAGE = WANTED.indexOf('error_message');
const DURATION_MS = WANTED.indexOf('duration_ms');

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const wantedBytes = WANTED.map((key) => encoder.encode(key));
/**
 * Positions in WANTED by key length in bytes: an array, as a Map lookup per key was measurable, and
 * of plain numbers, as destructuring a [bytes, name] pair per candidate cost more than the compare.
 */
const keysByLength: number[][] = [];
wantedBytes.forEach((bytes, position) => (keysByLength[bytes.length] ??= []).push(position));

/** msgpack numbers are big-endian; these read them through one scratch word, filled a byte at a time. */
const scratchBytes = new Uint8Array(8);
const scratch = new DataView(scratchBytes.buffer);

/**
 * Buffer's own UTF-8 slicing, without the argument checks of `toString` around it (they cost as much
 * as the slicing for the short strings of an event). Not in Node's typings, so looked up once.
 */
const utf8Slice = (Buffer.prototype as Buffer & { utf8Slice?: (this: Buffer, start: number, end: number) => string }).utf8Slice;

const EMPTY = new Uint8Array(0);
let bytes: Uint8Array = EMPTY;
/** Set when `bytes` is a Buffer, whose native string slicing beats anything written here. */
let buffer: Buffer | undefined;
let pos = 0;

function need(n: number): void {
  if (pos + n > bytes.length) throw new RangeError('truncated');
}

function u8(): number {
  need(1);
  return bytes[pos++] as number;
}

function u16(): number {
  need(2);
  const v = ((bytes[pos] as number) << 8) | (bytes[pos + 1] as number);
  pos += 2;
  return v;
}

function u32(): number {
  need(4);
  const v = (bytes[pos] as number) * 0x1000000 + (((bytes[pos + 1] as number) << 16) | ((bytes[pos + 2] as number) << 8) | (bytes[pos + 3] as number));
  pos += 4;
  return v;
}

/** Loads `n` bytes at the cursor into the scratch word, advancing. */
function word(n: 4 | 8): DataView {
  need(n);
  for (let i = 0; i < n; i++) scratchBytes[i] = bytes[pos + i] as number;
  pos += n;
  return scratch;
}

function skip(n: number): void {
  need(n);
  pos += n;
}

function str(n: number): string {
  need(n);
  const start = pos;
  pos += n;
  if (buffer === undefined) return decoder.decode(bytes.subarray(start, start + n));
  return utf8Slice ? utf8Slice.call(buffer, start, start + n) : buffer.toString('utf8', start, start + n);
}

/** Which wanted key (its position in WANTED) the string at the cursor is, compared byte by byte without building it. */
function key(n: number): number {
  need(n);
  const start = pos;
  pos += n;
  const candidates = n < keysByLength.length ? keysByLength[n] : undefined;
  if (candidates === undefined) return NOT_WANTED;
  for (let c = 0; c < candidates.length; c++) {
    const position = candidates[c] as number;
    const expected = wantedBytes[position] as Uint8Array;
    let i = 0;
    while (i < n && bytes[start + i] === expected[i]) i++;
    if (i === n) return position;
  }
  return NOT_WANTED;
}

/** The length of a string header, or -1 when the value is not a string. */
function strLength(tag: number): number {
  if ((tag & 0xe0) === 0xa0) return tag & 0x1f;
  if (tag === 0xd9) return u8();
  if (tag === 0xda) return u16();
  if (tag === 0xdb) return u32();
  return -1;
}

/** Reads a scalar we want (string, number, nil); undefined for anything else, which is skipped. */
function scalar(): string | number | undefined {
  const tag = u8();
  const length = strLength(tag);
  if (length >= 0) return str(length);
  if (tag <= 0x7f) return tag;
  if (tag >= 0xe0) return tag - 0x100;
  switch (tag) {
    case 0xc0:
      return undefined;
    case 0xca:
      return word(4).getFloat32(0);
    case 0xcb:
      return word(8).getFloat64(0);
    case 0xcc:
      return u8();
    case 0xcd:
      return u16();
    case 0xce:
      return u32();
    case 0xd0:
      return (u8() << 24) >> 24;
    case 0xd1:
      return (u16() << 16) >> 16;
    case 0xd2:
      return u32() | 0;
    // 64-bit ints: a whole-number timestamp written by an encoder other than msgspec.
    case 0xcf:
      return Number(word(8).getBigUint64(0));
    case 0xd3:
      return Number(word(8).getBigInt64(0));
  }
  pos--;
  skipValue();
  return undefined;
}

function skipValue(): void {
  const tag = u8();
  const length = strLength(tag);
  if (length >= 0) return skip(length);
  if (tag <= 0x7f || tag >= 0xe0 || tag === 0xc0 || tag === 0xc2 || tag === 0xc3) return;
  if ((tag & 0xf0) === 0x80) return skipEntries((tag & 0x0f) * 2);
  if ((tag & 0xf0) === 0x90) return skipEntries(tag & 0x0f);
  switch (tag) {
    case 0xcc:
    case 0xd0:
      return skip(1);
    case 0xcd:
    case 0xd1:
      return skip(2);
    case 0xca:
    case 0xce:
    case 0xd2:
      return skip(4);
    case 0xcb:
    case 0xcf:
    case 0xd3:
      return skip(8);
    case 0xc4:
      return skip(u8());
    case 0xc5:
      return skip(u16());
    case 0xc6:
      return skip(u32());
    case 0xdc:
      return skipEntries(u16());
    case 0xdd:
      return skipEntries(u32());
    case 0xde:
      return skipEntries(u16() * 2);
    case 0xdf:
      return skipEntries(u32() * 2);
    case 0xd4:
      return skip(2);
    case 0xd5:
      return skip(3);
    case 0xd6:
      return skip(5);
    case 0xd7:
      return skip(9);
    case 0xd8:
      return skip(17);
    case 0xc7:
      return skip(u8() + 1);
    case 0xc8:
      return skip(u16() + 1);
    case 0xc9:
      return skip(u32() + 1);
  }
  throw new RangeError(`bad tag ${tag}`);
}

function skipEntries(count: number): void {
  for (let i = 0; i < count; i++) skipValue();
}

/** Every field absent; one shape for every result, which keeps the callers' property reads fast. */
export function noFields(): PeekedFields {
  return {
    timestamp: undefined,
    worker_id: undefined,
    queue_name: undefined,
    message: undefined,
    error_type: undefined,
    error_message: undefined,
    duration_ms: undefined,
  };
}

export function peekFields(payload: Uint8Array): PeekedFields | undefined {
  bytes = payload;
  buffer = Buffer.isBuffer(payload) ? payload : undefined;
  pos = 0;
  try {
    const tag = u8();
    let entries: number;
    if ((tag & 0xf0) === 0x80) entries = tag & 0x0f;
    else if (tag === 0xde) entries = u16();
    else if (tag === 0xdf) entries = u32();
    else return undefined;
    const out = noFields();
    for (let i = 0; i < entries; i++) {
      const keyLength = strLength(u8());
      if (keyLength < 0) return undefined;
      const wanted = key(keyLength);
      if (wanted === NOT_WANTED) {
        skipValue();
        continue;
      }
      const value = scalar();
      // Each field stored by its own name: a store keyed by a variable name is a slow generic one.
      if (typeof value === 'number') {
        if (wanted === TIMESTAMP) out.timestamp = value;
        else if (wanted === DURATION_MS) out.duration_ms = value;
      } else if (typeof value === 'string') {
        if (wanted === WORKER_ID) out.worker_id = value;
        else if (wanted === QUEUE_NAME) out.queue_name = value;
        else if (wanted === MESSAGE) out.message = value;
        else if (wanted === ERROR_TYPE) out.error_type = value;
        else if (wanted === ERROR_MESSAGE) out.error_message = value;
      }
    }
    return out;
  } catch {
    return undefined;
  } finally {
    // The cursor must not keep the last payload alive.
    bytes = EMPTY;
    buffer = undefined;
  }
}
