import { isUtf8 } from 'node:buffer';

/**
 * Checks that a payload is exactly one complete msgpack value before it is decoded.
 *
 * Why: @msgpack/msgpack allocates the array an array header announces before reading any element, so a
 * few bytes announcing 30 million elements cost 240 MB, and a 60 KB payload of nested array16 headers
 * (each announcing 65,535 elements) exhausts the heap and kills the process: whoever may publish to the
 * event subjects could crash every reader. In a well-formed payload every announced element is present
 * and takes at least one byte, so what the decoder allocates is bounded by the payload's size.
 *
 * One pass, no recursion, nothing allocated per value: it only counts the values still to come.
 *
 * Given `illFormed`, it also lists there the strings whose bytes are not UTF-8, three numbers each:
 * where the string's header starts, where its bytes start, and how many there are (see
 * `withStringsRepaired`).
 */
export function msgpackShapeProblem(bytes: Uint8Array, illFormed?: number[]): string | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.length;
  let pos = 0;
  /** Values announced and not read yet, at every nesting level together. */
  let pending = 1;
  while (pending > 0) {
    if (pos >= end) return `truncated: ${pending} more value${pending === 1 ? '' : 's'} announced at the end of ${end} bytes`;
    const at = pos;
    const tag = bytes[pos++] as number;
    pending--;
    let skip = 0;
    let values = 0;
    const isString = (tag >= 0xa0 && tag <= 0xbf) || (tag >= 0xd9 && tag <= 0xdb);
    if (tag <= 0x7f || tag >= 0xe0 || tag === 0xc0 || tag === 0xc2 || tag === 0xc3) {
      // fixint, nil, bool: nothing follows
    } else if (tag <= 0x8f) {
      values = (tag & 0x0f) * 2;
    } else if (tag <= 0x9f) {
      values = tag & 0x0f;
    } else if (tag <= 0xbf) {
      skip = tag & 0x1f;
    } else {
      const size = HEADER_SIZE[tag - 0xc1];
      if (size === undefined || size < 0) return `byte 0x${tag.toString(16)} at offset ${at} does not start a msgpack value`;
      if (pos + size > end) return `truncated: the header at offset ${at} needs ${size} more bytes`;
      const n = size === 1 ? view.getUint8(pos) : size === 2 ? view.getUint16(pos) : size === 4 ? view.getUint32(pos) : 0;
      pos += size;
      switch (tag) {
        case 0xc4: case 0xc5: case 0xc6: case 0xd9: case 0xda: case 0xdb:
          skip = n;
          break;
        case 0xc7: case 0xc8: case 0xc9:
          skip = n + 1;
          break;
        case 0xdc: case 0xdd:
          values = n;
          break;
        case 0xde: case 0xdf:
          values = n * 2;
          break;
        default:
          skip = FIXED_SIZE[tag - 0xc1] ?? 0;
      }
    }
    if (pos + skip > end) return `truncated: the value at offset ${at} needs ${skip} bytes, ${end - pos} are left`;
    if (illFormed && isString && skip > 0 && !isUtf8(bytes.subarray(pos, pos + skip))) illFormed.push(at, pos, skip);
    pos += skip;
    pending += values;
    if (values > 0 && pending > end - pos) {
      return `the ${tag >= 0xde || (tag & 0xf0) === 0x80 ? 'map' : 'array'} at offset ${at} announces ${values} values, more than the ${end - pos} bytes left`;
    }
  }
  return pos < end ? `${end - pos} byte${end - pos === 1 ? '' : 's'} after the value` : undefined;
}

/**
 * `bytes` with each string `illFormed` lists (as `msgpackShapeProblem` fills it) decoded as the WHATWG
 * decoder does, every bad sequence becoming U+FFFD, and encoded again.
 *
 * Why: @msgpack/msgpack decodes a string of up to 200 bytes without checking it, so bytes that are not
 * UTF-8 became lone surrogates there but U+FFFD in a longer string and in the index's field peek: one
 * event read differently in the timeline and in the lists, and changed when encoded again (the decoder
 * fuzz test found it). Python's msgpack refuses such a payload; showing it with U+FFFD keeps the rest
 * of the event readable.
 */
export function withStringsRepaired(bytes: Uint8Array, illFormed: readonly number[]): Uint8Array {
  const parts: Uint8Array[] = [];
  let copied = 0;
  for (let i = 0; i < illFormed.length; i += 3) {
    const [at, start, length] = [illFormed[i] as number, illFormed[i + 1] as number, illFormed[i + 2] as number];
    parts.push(bytes.subarray(copied, at));
    const utf8 = Buffer.from(Buffer.from(bytes.buffer, bytes.byteOffset + start, length).toString('utf8'), 'utf8');
    parts.push(stringHeader(utf8.length), utf8);
    copied = start + length;
  }
  parts.push(bytes.subarray(copied));
  return Buffer.concat(parts);
}

function stringHeader(length: number): Uint8Array {
  if (length < 32) return Uint8Array.of(0xa0 | length);
  if (length < 0x100) return Uint8Array.of(0xd9, length);
  if (length < 0x10000) return Uint8Array.of(0xda, length >>> 8, length & 0xff);
  return Uint8Array.of(0xdb, length >>> 24, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff);
}

/**
 * For tags 0xc1..0xdf: bytes of length header (for bin, ext, str, array, map), 0 for fixed-size values,
 * -1 for 0xc1 (never used).
 */
const HEADER_SIZE: readonly number[] = [
  -1, // c1
  0, 0, // c2 c3 (handled above)
  1, 2, 4, // c4-c6 bin
  1, 2, 4, // c7-c9 ext
  0, 0, // ca cb float
  0, 0, 0, 0, // cc-cf uint
  0, 0, 0, 0, // d0-d3 int
  0, 0, 0, 0, 0, // d4-d8 fixext
  1, 2, 4, // d9-db str
  2, 4, // dc dd array
  2, 4, // de df map
];

/** For tags 0xc1..0xdf with a fixed size: the bytes after the tag. */
const FIXED_SIZE: readonly (number | undefined)[] = [
  undefined, undefined, undefined, // c1-c3
  undefined, undefined, undefined, undefined, undefined, undefined, // c4-c9
  4, 8, // ca cb
  1, 2, 4, 8, // cc-cf
  1, 2, 4, 8, // d0-d3
  2, 3, 5, 9, 17, // d4-d8: type byte + data
];
