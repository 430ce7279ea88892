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
 */
export function msgpackShapeProblem(bytes: Uint8Array): string | undefined {
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
    pos += skip;
    pending += values;
    if (values > 0 && pending > end - pos) {
      return `the ${tag >= 0xde || (tag & 0xf0) === 0x80 ? 'map' : 'array'} at offset ${at} announces ${values} values, more than the ${end - pos} bytes left`;
    }
  }
  return pos < end ? `${end - pos} byte${end - pos === 1 ? '' : 's'} after the value` : undefined;
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
