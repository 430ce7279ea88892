/**
 * What JetStream says about a delivered message in its reply subject, read straight from the bytes:
 * `$JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<delivery seq>.<timestamp ns>.<pending>`, or
 * the form with `<domain>.<account hash>` after `$JS.ACK` and a random token at the end (NATS 2.10+).
 */
export interface AckReply {
  streamSequence: number;
  deliverySequence: number;
  /** When the server stored the message, in epoch seconds. */
  storedAt: number;
  /** Messages the consumer still has to deliver after this one. */
  pending: number;
}

const DOT = 46;
const PREFIX = Buffer.from('$JS.ACK.');
/** Dots of the longest form: twelve tokens. */
const MAX_DOTS = 11;
const dots = new Int32Array(MAX_DOTS + 1);

/** Fills `into` and returns true; false when the bytes are not a JetStream ack reply. */
export function readAckReply(buf: Buffer, start: number, end: number, into: AckReply): boolean {
  if (end - start <= PREFIX.length) return false;
  // By hand: Buffer.compare's argument checks cost more than these eight bytes, once per message.
  for (let i = 0; i < PREFIX.length; i++) if (buf[start + i] !== PREFIX[i]) return false;
  let count = 0;
  for (let at = buf.indexOf(DOT, start); at >= 0 && at < end; at = buf.indexOf(DOT, at + 1)) {
    if (count > MAX_DOTS) return false;
    dots[count++] = at;
  }
  const tokens = count + 1;
  // The dot before the stream sequence: after the fifth token of nine, the seventh of eleven or twelve.
  const first = tokens === 9 ? 4 : tokens === 11 || tokens === 12 ? 6 : -1;
  if (first < 0) return false;
  const stream = number(buf, dots[first]! + 1, dots[first + 1]!);
  const delivery = number(buf, dots[first + 1]! + 1, dots[first + 2]!);
  const nanos = number(buf, dots[first + 2]! + 1, dots[first + 3]!);
  const pending = number(buf, dots[first + 3]! + 1, tokens === 12 ? dots[first + 4]! : end);
  if (stream < 0 || delivery < 0 || nanos < 0 || pending < 0) return false;
  into.streamSequence = stream;
  into.deliverySequence = delivery;
  into.storedAt = nanos / 1e9;
  into.pending = pending;
  return true;
}

/** A decimal token's value, or -1. Nanosecond timestamps pass 2^53 and lose their last digits, which seconds do not need. */
function number(buf: Buffer, from: number, to: number): number {
  if (from >= to) return -1;
  let value = 0;
  for (let i = from; i < to; i++) {
    const d = (buf[i] as number) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}
