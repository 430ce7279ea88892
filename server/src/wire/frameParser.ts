/**
 * Splits a NATS client connection's incoming bytes into frames without copying or decoding them:
 * MSG and HMSG frames are reported as offsets into the chunk they arrived in, every other protocol
 * line as a string. This is the hot path of a bulk read, so a frame object is reused and only the
 * caller decides what to turn into strings.
 */
export interface Frame {
  /** Valid only during the `message` callback: the parser reuses it and may reuse the bytes. */
  buf: Buffer;
  /** The MSG or HMSG line, without its CRLF: what an error names. */
  lineStart: number;
  lineEnd: number;
  subjectStart: number;
  subjectEnd: number;
  /** -1 when the message has no reply subject. */
  replyStart: number;
  replyEnd: number;
  /** Equal to `headersEnd` when the message has no headers (a MSG frame). */
  headersStart: number;
  headersEnd: number;
  payloadStart: number;
  payloadEnd: number;
}

export interface FrameHandler {
  message(frame: Frame): void;
  /** A line that is not a message, without its CRLF: INFO, PING, PONG, +OK, -ERR. */
  control(line: string): void;
}

export class ProtocolError extends Error {}

const CR = 13;
const LF = 10;
const SPACE = 32;
const CRLF = Buffer.from('\r\n');
const EMPTY = Buffer.alloc(0);
/** Longest non-message line accepted (INFO carries the cluster's URLs); longer is a broken stream. */
const MAX_LINE = 1 << 20;

export class FrameParser {
  private pending: Buffer = EMPTY;
  private readonly frame: Frame = {
    buf: EMPTY,
    lineStart: 0,
    lineEnd: 0,
    subjectStart: 0,
    subjectEnd: 0,
    replyStart: -1,
    replyEnd: -1,
    headersStart: 0,
    headersEnd: 0,
    payloadStart: 0,
    payloadEnd: 0,
  };
  /** Space positions of the line being parsed; a MSG line has at most five fields. */
  private readonly spaces = new Int32Array(6);

  constructor(private readonly handler: FrameHandler) {}

  push(chunk: Buffer): void {
    const buf = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let pos = 0;
    while (pos < buf.length) {
      const eol = buf.indexOf(CRLF, pos);
      if (eol < 0) {
        if (buf.length - pos > MAX_LINE) throw new ProtocolError(`a protocol line longer than ${MAX_LINE} bytes`);
        break;
      }
      const op = buf[pos];
      if (op === 0x4d || op === 0x48) {
        const next = this.message(buf, pos, eol, op === 0x48);
        if (next < 0) break;
        pos = next;
      } else {
        this.handler.control(buf.toString('utf8', pos, eol));
        pos = eol + 2;
      }
    }
    this.pending = pos >= buf.length ? EMPTY : buf.subarray(pos);
  }

  /** Parses the frame whose line ends at `eol`; the position after it, or -1 when its body has not all arrived. */
  private message(buf: Buffer, start: number, eol: number, headers: boolean): number {
    const verb = headers ? 'HMSG ' : 'MSG ';
    if (buf.toString('latin1', start, start + verb.length) !== verb) throw new ProtocolError(`unexpected line: ${clip(buf.toString('utf8', start, eol))}`);
    const { spaces } = this;
    let count = 0;
    for (let at = buf.indexOf(SPACE, start); at >= 0 && at < eol; at = buf.indexOf(SPACE, at + 1)) {
      if (count === spaces.length) throw new ProtocolError(`too many fields: ${clip(buf.toString('utf8', start, eol))}`);
      spaces[count++] = at;
    }
    // Fields: verb subject sid [reply] [header-size] total-size.
    const fields = count + 1;
    const numbers = headers ? 2 : 1;
    if (fields !== 3 + numbers && fields !== 4 + numbers) throw new ProtocolError(`malformed message line: ${clip(buf.toString('utf8', start, eol))}`);
    const total = digits(buf, spaces[count - 1]! + 1, eol);
    const headerSize = headers ? digits(buf, spaces[count - 2]! + 1, spaces[count - 1]!) : 0;
    if (headerSize > total) throw new ProtocolError(`header size ${headerSize} exceeds message size ${total}`);
    const body = eol + 2;
    if (body + total + 2 > buf.length) return -1;
    if (buf[body + total] !== CR || buf[body + total + 1] !== LF) throw new ProtocolError('a message body not followed by CRLF');
    const { frame } = this;
    frame.buf = buf;
    frame.lineStart = start;
    frame.lineEnd = eol;
    frame.subjectStart = spaces[0]! + 1;
    frame.subjectEnd = spaces[1]!;
    const hasReply = fields === 4 + numbers;
    frame.replyStart = hasReply ? spaces[2]! + 1 : -1;
    frame.replyEnd = hasReply ? spaces[3]! : -1;
    frame.headersStart = body;
    frame.headersEnd = body + headerSize;
    frame.payloadStart = body + headerSize;
    frame.payloadEnd = body + total;
    this.handler.message(frame);
    return body + total + 2;
  }
}

function digits(buf: Buffer, from: number, to: number): number {
  if (from >= to) throw new ProtocolError('an empty size field');
  let value = 0;
  for (let i = from; i < to; i++) {
    const d = (buf[i] as number) - 48;
    if (d < 0 || d > 9) throw new ProtocolError(`a size that is not a number: ${clip(buf.toString('utf8', from, to))}`);
    value = value * 10 + d;
  }
  return value;
}

export function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
