/**
 * Which three-character sequences a stretch of text holds, hashed into 2^16 bits (8 kB a stretch): a term of three
 * characters or more is looked for only in stretches that hold all of its sequences. A native scan of all the text
 * took 30-50 ms at 2,000,000 jobs; a term that names a job or an error is in a few stretches. A hash collision only
 * makes a stretch read for nothing. The search text keeps one per chunk, the id pool one per page.
 */
const GRAM_BITS = 16;
export const GRAM_WORDS = (1 << GRAM_BITS) >>> 5;

/** The bit of the three UTF-16 code units `a`, `b`, `c`. */
function gramOf(a: number, b: number, c: number): number {
  return (Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca77) ^ Math.imul(c, 0xc2b2ae3d)) >>> (32 - GRAM_BITS);
}

function set(grams: Uint32Array, gram: number): void {
  grams[gram >>> 5] = (grams[gram >>> 5] as number) | (1 << (gram & 31));
}

export function addGrams(grams: Uint32Array, text: string): void {
  if (text.length < 3) return;
  let a = text.charCodeAt(0);
  let b = text.charCodeAt(1);
  for (let i = 2; i < text.length; i++) {
    const c = text.charCodeAt(i);
    set(grams, gramOf(a, b, c));
    a = b;
    b = c;
  }
}

/** `addGrams` of the text whose code units are `bytes[0]` to `bytes[length - 1]`. */
export function addByteGrams(grams: Uint32Array, bytes: Uint8Array, length: number): void {
  for (let i = 2; i < length; i++) set(grams, gramOf(bytes[i - 2] as number, bytes[i - 1] as number, bytes[i] as number));
}

/** The term's sequences' bits, or none for a term too short to have any (every stretch is read). */
export function gramsOfTerm(term: string): number[] {
  const grams: number[] = [];
  for (let i = 2; i < term.length; i++) grams.push(gramOf(term.charCodeAt(i - 2), term.charCodeAt(i - 1), term.charCodeAt(i)));
  return grams;
}

export function holdsAll(grams: Uint32Array, wanted: readonly number[]): boolean {
  for (const gram of wanted) if (((grams[gram >>> 5] as number) & (1 << (gram & 31))) === 0) return false;
  return true;
}
