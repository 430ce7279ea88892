/**
 * Reads a few top-level fields of a msgpack-encoded event without building the whole object:
 * the index reads every event of the stream, and a full decode of each would cost most of its time.
 * Anything unexpected returns undefined; the caller then treats the payload as opaque.
 */
export interface PeekedFields {
  timestamp?: number;
  worker_id?: string;
  queue_name?: string;
  message?: string;
  error_type?: string;
  error_message?: string;
  duration_ms?: number;
}

const WANTED = ['timestamp', 'worker_id', 'queue_name', 'message', 'error_type', 'error_message', 'duration_ms'] as const;
type Wanted = (typeof WANTED)[number];

const decoder = new TextDecoder();
const encoder = new TextEncoder();
const keysByLength = new Map<number, [Uint8Array, Wanted][]>();
for (const key of WANTED) {
  const bytes = encoder.encode(key);
  keysByLength.set(bytes.length, [...(keysByLength.get(bytes.length) ?? []), [bytes, key]]);
}

class Reader {
  pos = 0;
  readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  need(n: number): void {
    if (this.pos + n > this.bytes.length) throw new RangeError('truncated');
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.pos++] as number;
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  str(n: number): string {
    this.need(n);
    const start = this.pos;
    this.pos += n;
    // Most ids and messages are ASCII: building them by char code skips TextDecoder's per-call cost.
    if (n <= 64) {
      let ascii = true;
      for (let i = start; i < start + n; i++) {
        if ((this.bytes[i] as number) > 0x7f) {
          ascii = false;
          break;
        }
      }
      if (ascii) return String.fromCharCode.apply(null, this.bytes.subarray(start, start + n) as unknown as number[]);
    }
    return decoder.decode(this.bytes.subarray(start, start + n));
  }

  /** Which wanted key the string at the cursor is, compared byte by byte without building it. */
  key(n: number): Wanted | undefined {
    this.need(n);
    const start = this.pos;
    this.pos += n;
    const candidates = keysByLength.get(n);
    if (!candidates) return undefined;
    for (const [bytes, name] of candidates) {
      let same = true;
      for (let i = 0; i < n; i++) {
        if (this.bytes[start + i] !== bytes[i]) {
          same = false;
          break;
        }
      }
      if (same) return name;
    }
    return undefined;
  }

  /** The length of a string header at the cursor, or -1 when the value is not a string. */
  strLength(tag: number): number {
    if ((tag & 0xe0) === 0xa0) return tag & 0x1f;
    if (tag === 0xd9) return this.u8();
    if (tag === 0xda) return this.u16();
    if (tag === 0xdb) return this.u32();
    return -1;
  }

  /** Reads a scalar we want (string, number, nil); undefined for anything else, which is skipped. */
  scalar(): string | number | undefined {
    const tag = this.u8();
    const length = this.strLength(tag);
    if (length >= 0) return this.str(length);
    if (tag <= 0x7f) return tag;
    if (tag >= 0xe0) return tag - 0x100;
    switch (tag) {
      case 0xc0:
        return undefined;
      case 0xca: {
        this.need(4);
        const v = this.view.getFloat32(this.pos);
        this.pos += 4;
        return v;
      }
      case 0xcb: {
        this.need(8);
        const v = this.view.getFloat64(this.pos);
        this.pos += 8;
        return v;
      }
      case 0xcc:
        return this.u8();
      case 0xcd:
        return this.u16();
      case 0xce:
        return this.u32();
      case 0xd0:
        return (this.u8() << 24) >> 24;
      case 0xd1:
        return (this.u16() << 16) >> 16;
      case 0xd2:
        return this.u32() | 0;
      // 64-bit ints: a whole-number timestamp written by an encoder other than msgspec.
      case 0xcf:
      case 0xd3: {
        this.need(8);
        const v = tag === 0xcf ? this.view.getBigUint64(this.pos) : this.view.getBigInt64(this.pos);
        this.pos += 8;
        return Number(v);
      }
    }
    this.pos--;
    this.skipValue();
    return undefined;
  }

  skipValue(): void {
    const tag = this.u8();
    const length = this.strLength(tag);
    if (length >= 0) return this.skip(length);
    if (tag <= 0x7f || tag >= 0xe0 || tag === 0xc0 || tag === 0xc2 || tag === 0xc3) return;
    if ((tag & 0xf0) === 0x80) return this.skipEntries((tag & 0x0f) * 2);
    if ((tag & 0xf0) === 0x90) return this.skipEntries(tag & 0x0f);
    switch (tag) {
      case 0xcc:
      case 0xd0:
        return this.skip(1);
      case 0xcd:
      case 0xd1:
        return this.skip(2);
      case 0xca:
      case 0xce:
      case 0xd2:
        return this.skip(4);
      case 0xcb:
      case 0xcf:
      case 0xd3:
        return this.skip(8);
      case 0xc4:
        return this.skip(this.u8());
      case 0xc5:
        return this.skip(this.u16());
      case 0xc6:
        return this.skip(this.u32());
      case 0xdc:
        return this.skipEntries(this.u16());
      case 0xdd:
        return this.skipEntries(this.u32());
      case 0xde:
        return this.skipEntries(this.u16() * 2);
      case 0xdf:
        return this.skipEntries(this.u32() * 2);
      case 0xd4:
        return this.skip(2);
      case 0xd5:
        return this.skip(3);
      case 0xd6:
        return this.skip(5);
      case 0xd7:
        return this.skip(9);
      case 0xd8:
        return this.skip(17);
      case 0xc7:
        return this.skip(this.u8() + 1);
      case 0xc8:
        return this.skip(this.u16() + 1);
      case 0xc9:
        return this.skip(this.u32() + 1);
    }
    throw new RangeError(`bad tag ${tag}`);
  }

  skipEntries(count: number): void {
    for (let i = 0; i < count; i++) this.skipValue();
  }
}

export function peekFields(payload: Uint8Array): PeekedFields | undefined {
  try {
    const reader = new Reader(payload);
    const tag = reader.u8();
    let entries: number;
    if ((tag & 0xf0) === 0x80) entries = tag & 0x0f;
    else if (tag === 0xde) entries = reader.u16();
    else if (tag === 0xdf) entries = reader.u32();
    else return undefined;
    const out: PeekedFields = {};
    for (let i = 0; i < entries; i++) {
      const keyLength = reader.strLength(reader.u8());
      if (keyLength < 0) return undefined;
      const key = reader.key(keyLength);
      if (key === undefined) {
        reader.skipValue();
        continue;
      }
      const value = reader.scalar();
      if (key === 'timestamp' || key === 'duration_ms') {
        if (typeof value === 'number') out[key] = value;
      } else if (typeof value === 'string') {
        out[key] = value;
      }
    }
    return out;
  } catch {
    return undefined;
  }
}
