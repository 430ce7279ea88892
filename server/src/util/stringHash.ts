/** The last step of murmur3: every bit of the input moves every bit of the output. */
export function mixed(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over the UTF-16 code units with the given start and prime, finished by `mixed` so that low bits vary too. */
export function fnv1a(text: string, start = 0x811c9dc5, prime = 0x01000193): number {
  let h = start;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), prime);
  return mixed(h);
}

/** `fnv1a` of the text whose UTF-16 code units are `bytes[from]` to `bytes[to - 1]` (a text of code units below 256). */
export function fnv1aBytes(bytes: Uint8Array, from: number, to: number, start = 0x811c9dc5, prime = 0x01000193): number {
  let h = start;
  for (let i = from; i < to; i++) h = Math.imul(h ^ (bytes[i] as number), prime);
  return mixed(h);
}
