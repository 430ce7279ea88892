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
