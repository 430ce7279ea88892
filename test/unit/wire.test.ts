import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AckReply, readAckReply } from '../../server/src/wire/ackReply';
import { Frame, FrameParser, ProtocolError } from '../../server/src/wire/frameParser';

interface Seen {
  line: string;
  subject: string;
  reply: string | null;
  headers: string;
  payload: string;
}

function parseAll(chunks: Buffer[]): { messages: Seen[]; lines: string[] } {
  const messages: Seen[] = [];
  const lines: string[] = [];
  const text = (f: Frame, from: number, to: number): string => f.buf.toString('utf8', from, to);
  const parser = new FrameParser({
    message: (f) =>
      messages.push({
        line: text(f, f.lineStart, f.lineEnd),
        subject: text(f, f.subjectStart, f.subjectEnd),
        reply: f.replyStart < 0 ? null : text(f, f.replyStart, f.replyEnd),
        headers: text(f, f.headersStart, f.headersEnd),
        payload: text(f, f.payloadStart, f.payloadEnd),
      }),
    control: (line) => lines.push(line),
  });
  for (const chunk of chunks) parser.push(chunk);
  return { messages, lines };
}

const HEADERS = 'NATS/1.0\r\nNats-Msg-Id: a1\r\n\r\n';
const STREAM =
  'INFO {"server_id":"x"}\r\n' +
  'MSG naq.jobs.events.j1.enqueued 1 5\r\nhello\r\n' +
  'PING\r\n' +
  'MSG naq.jobs.events.j2.started 1 $JS.ACK.S.C.1.2.2.1700000000000000000.0 0\r\n\r\n' +
  `HMSG naq.jobs.events.jö.failed 1 $JS.ACK.S.C.1.3.3.1700000000000000000.0 ${Buffer.byteLength(HEADERS)} ${Buffer.byteLength(HEADERS) + 6}\r\n${HEADERS}wörld\r\n` +
  'HMSG _INBOX.x 1 31 31\r\nNATS/1.0 100 Idle Heartbeat\r\n\r\n\r\n' +
  '+OK\r\n';

const EXPECTED: Seen[] = [
  { line: 'MSG naq.jobs.events.j1.enqueued 1 5', subject: 'naq.jobs.events.j1.enqueued', reply: null, headers: '', payload: 'hello' },
  { line: 'MSG naq.jobs.events.j2.started 1 $JS.ACK.S.C.1.2.2.1700000000000000000.0 0', subject: 'naq.jobs.events.j2.started', reply: '$JS.ACK.S.C.1.2.2.1700000000000000000.0', headers: '', payload: '' },
  {
    line: `HMSG naq.jobs.events.jö.failed 1 $JS.ACK.S.C.1.3.3.1700000000000000000.0 ${Buffer.byteLength(HEADERS)} ${Buffer.byteLength(HEADERS) + 6}`,
    subject: 'naq.jobs.events.jö.failed',
    reply: '$JS.ACK.S.C.1.3.3.1700000000000000000.0',
    headers: HEADERS,
    payload: 'wörld',
  },
  { line: 'HMSG _INBOX.x 1 31 31', subject: '_INBOX.x', reply: null, headers: 'NATS/1.0 100 Idle Heartbeat\r\n\r\n', payload: '' },
];

describe('frame parser', () => {
  test('reads messages with and without replies and headers, and control lines, in one chunk', () => {
    const { messages, lines } = parseAll([Buffer.from(STREAM)]);
    assert.deepEqual(messages, EXPECTED);
    assert.deepEqual(lines, ['INFO {"server_id":"x"}', 'PING', '+OK']);
  });

  test('gives the same frames however the bytes are split', () => {
    const bytes = Buffer.from(STREAM);
    for (let cut = 1; cut < bytes.length; cut++) {
      const { messages, lines } = parseAll([bytes.subarray(0, cut), bytes.subarray(cut)]);
      assert.deepEqual(messages, EXPECTED, `cut at ${cut}`);
      assert.equal(lines.length, 3, `cut at ${cut}`);
    }
    const { messages } = parseAll([...bytes].map((b) => Buffer.from([b])));
    assert.deepEqual(messages, EXPECTED, 'a byte at a time');
  });

  test('names what is wrong with a broken stream', () => {
    const broken: [string, RegExp][] = [
      ['MSG a 1 x\r\n', /not a number/],
      ['MSG a\r\n', /malformed message line/],
      ['MSG a 1 2\r\nabcd\r\n', /not followed by CRLF/],
      ['HMSG a 1 9 3\r\nabc\r\n', /header size 9 exceeds message size 3/],
      ['MSX a 1 2\r\n', /unexpected line/],
    ];
    for (const [input, problem] of broken) assert.throws(() => parseAll([Buffer.from(input)]), (e: unknown) => e instanceof ProtocolError && problem.test(e.message), input);
  });

  test('refuses an endless line instead of buffering it', () => {
    const parser = new FrameParser({ message: () => undefined, control: () => undefined });
    assert.throws(() => parser.push(Buffer.alloc(2 << 20, 0x41)), /longer than/);
  });
});

describe('JetStream ack reply', () => {
  const read = (subject: string): AckReply | undefined => {
    const into: AckReply = { streamSequence: 0, deliverySequence: 0, storedAt: 0, pending: 0 };
    const buf = Buffer.from(`xx${subject}yy`);
    return readAckReply(buf, 2, buf.length - 2, into) ? into : undefined;
  };

  test('reads the nine-token form of nats-server 2.9', () => {
    const reply = read('$JS.ACK.NAQ_JOB_EVENTS.c1.1.1234567.89.1700000000123456789.42');
    assert.ok(reply);
    const { storedAt, ...sequences } = reply;
    assert.deepEqual(sequences, { streamSequence: 1234567, deliverySequence: 89, pending: 42 });
    // Nanoseconds pass 2^53: the last digits go, the microseconds stay.
    assert.ok(Math.abs(storedAt - 1700000000.123456) < 2e-6, String(storedAt));
  });

  test('reads the forms with domain and account hash, with and without the random token', () => {
    const expected = { streamSequence: 7, deliverySequence: 3, storedAt: 1.5, pending: 0 };
    assert.deepEqual(read('$JS.ACK.hub.ACCHASH.S.C.1.7.3.1500000000.0'), expected);
    assert.deepEqual(read('$JS.ACK._.ACCHASH.S.C.1.7.3.1500000000.0.r4nd0m'), expected);
  });

  test('refuses what is not an ack reply', () => {
    for (const subject of ['$JS.FC.S.C.1', '_INBOX.abc', '$JS.ACK.S.C.1.x.3.4.5', '$JS.ACK.S.C.1.2.3', '$JS.ACK.a.b.c.d.e.f.g.h.i.j.k.l.m', '$JS.ACK.S.C.1..3.4.5']) {
      assert.equal(read(subject), undefined, subject);
    }
  });
});
