/**
 * Reading the reply JetStream sends for a publish, and deciding what it means for the message.
 *
 * A stream answers a publish that carries a reply subject with one JSON document:
 *   `{"stream":"NAQ_JOB_EVENTS","seq":42}` (stored), `{"stream":..,"seq":42,"duplicate":true}`
 *   (already stored under the same `Nats-Msg-Id` inside the duplicate window), or
 *   `{"error":{"code":400,"err_code":10054,"description":"message size exceeds maximum allowed"}}`.
 * When no stream listens on the subject, the server itself answers with an empty message whose
 * status header is 503 ("no responders").
 */

/** Where a stored message landed. */
export interface PubAck {
  stream: string;
  seq: number;
  /** True when the server had already stored this message id: the retry was dropped, `seq` is the original. */
  duplicate: boolean;
}

/**
 * What to do with the message after this reply:
 * - `stored`: done.
 * - `retry`: the server could store it later (stream unavailable, resources short, no responders while
 *   a stream is being created or recovered); retrying with the same message id is safe.
 * - `refused`: this message will never be stored as it is (too big for the stream, bad request); retrying
 *   only repeats the refusal.
 */
export type AckVerdict =
  | { kind: 'stored'; ack: PubAck }
  | { kind: 'retry'; reason: string }
  | { kind: 'refused'; reason: string };

const decoder = new TextDecoder();
const encoder = new TextEncoder();

// Byte patterns of the success reply, so the hot path needs neither a string nor JSON.parse.
// nats-server writes it by hand, not with a JSON encoder: `{"stream":"S1", "seq":1}` and
// `{"stream":"S1", "seq":1,"duplicate": true}` (note the spaces). An error reply also carries
// `"stream"` and `"seq":0`, after `"error"`: anything mentioning "error" takes the slow path.
const STREAM_PREFIX = encoder.encode('{"stream":"');
const SEQ_KEY = encoder.encode('"seq":');
const DUPLICATE_KEY = encoder.encode('"duplicate":');
const ERROR_KEY = encoder.encode('"error"');
const QUOTE = 0x22;
const SPACE = 0x20;

function indexOf(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0];
  const last = haystack.length - needle.length;
  outer: for (let i = from; i <= last; i++) {
    if (haystack[i] !== first) continue;
    for (let j = 1; j < needle.length; j++) {
      if (haystack[i + j] !== needle[j]) continue outer;
    }
    return i;
  }
  return -1;
}

function startsWith(data: Uint8Array, prefix: Uint8Array): boolean {
  if (data.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (data[i] !== prefix[i]) return false;
  return true;
}

/** A publisher talks to one stream, so the same name repeats: keep its bytes and decode it once. */
let lastName = '';
let lastNameBytes = new Uint8Array(0);

function streamName(data: Uint8Array, start: number, end: number): string {
  const length = end - start;
  if (length === lastNameBytes.length) {
    let same = true;
    for (let i = 0; i < length; i++) {
      if (data[start + i] !== lastNameBytes[i]) {
        same = false;
        break;
      }
    }
    if (same) return lastName;
  }
  lastNameBytes = data.slice(start, end);
  lastName = decoder.decode(lastNameBytes);
  return lastName;
}

function skipSpaces(data: Uint8Array, at: number): number {
  while (at < data.length && data[at] === SPACE) at++;
  return at;
}

/** The success reply, read straight from the bytes; undefined when it is anything else. */
function fastAck(data: Uint8Array): PubAck | undefined {
  if (!startsWith(data, STREAM_PREFIX) || indexOf(data, ERROR_KEY) >= 0) return undefined;
  const nameStart = STREAM_PREFIX.length;
  const nameEnd = data.indexOf(QUOTE, nameStart);
  if (nameEnd < 0) return undefined;
  const seqAt = indexOf(data, SEQ_KEY, nameEnd);
  if (seqAt < 0) return undefined;
  let i = skipSpaces(data, seqAt + SEQ_KEY.length);
  const digitsStart = i;
  let seq = 0;
  for (; i < data.length; i++) {
    const c = data[i] as number;
    if (c < 0x30 || c > 0x39) break;
    seq = seq * 10 + (c - 0x30);
  }
  if (i === digitsStart || !Number.isSafeInteger(seq) || seq === 0) return undefined;
  const duplicateAt = indexOf(data, DUPLICATE_KEY, i);
  const duplicate = duplicateAt >= 0 && data[skipSpaces(data, duplicateAt + DUPLICATE_KEY.length)] === 0x74; // 't'
  return { stream: streamName(data, nameStart, nameEnd), seq, duplicate };
}

interface ApiErrorBody {
  code?: unknown;
  err_code?: unknown;
  description?: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads one reply. `status` is the reply's NATS status header code, when it has one
 * (503 for "no responders").
 */
export function readAck(data: Uint8Array, status?: number): AckVerdict {
  if (data.length === 0) {
    if (status === 503) {
      return { kind: 'retry', reason: 'no stream stores this subject (503 no responders): is the stream deleted, or its subjects changed?' };
    }
    return { kind: 'retry', reason: `empty reply from the server${status ? ` (status ${status})` : ''}` };
  }
  const fast = fastAck(data);
  if (fast) return { kind: 'stored', ack: fast };

  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(data));
  } catch {
    return { kind: 'retry', reason: `unreadable reply from the server: ${JSON.stringify(decoder.decode(data).slice(0, 200))}` };
  }
  if (isRecord(parsed) && isRecord(parsed.error)) {
    const error: ApiErrorBody = parsed.error;
    const code = typeof error.code === 'number' ? error.code : 0;
    const description = typeof error.description === 'string' ? error.description : 'no description';
    const tooLarge = error.err_code === 10054 ? ": it is larger than the stream's max_msg_size" : '';
    const reason = `JetStream refused the message: ${description} (code ${code}${typeof error.err_code === 'number' ? `, err_code ${error.err_code}` : ''})${tooLarge}`;
    // 4xx: the request itself is wrong (too large, sealed stream, expectation failed) and stays wrong.
    // 5xx: the stream cannot take it right now (no leader, insufficient resources, store failed).
    return code >= 400 && code < 500 ? { kind: 'refused', reason } : { kind: 'retry', reason };
  }
  if (isRecord(parsed) && typeof parsed.seq === 'number' && parsed.seq > 0 && typeof parsed.stream === 'string') {
    return { kind: 'stored', ack: { stream: parsed.stream, seq: parsed.seq, duplicate: parsed.duplicate === true } };
  }
  return { kind: 'retry', reason: `unexpected reply from the server: ${JSON.stringify(parsed).slice(0, 200)}` };
}
