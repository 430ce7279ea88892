import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeEvent, EventDecodeError } from '../../server/src/codec/decode';
import { encodeEvent } from '../../server/src/codec/encode';
import { peekFields } from '../../server/src/index/fieldPeek';
import { recordFromMessage } from '../../server/src/index/indexRecord';
import type { JobEvent } from '../../server/src/model/event';
import { eventLine, printable } from '../../server/src/model/eventLine';
import { assertFields, loadCorpus } from '../corpus/corpus';

/** Every payload of the bad-input corpus (test/corpus), read as the library and the index read them. */

const PREFIX = 'naq.jobs.events';
const corpus = loadCorpus();
const FLOAT_FIELDS = ['timestamp', 'duration_ms', 'memory_mb', 'cpu_time_ms'] as const;

function encodable(event: JobEvent): boolean {
  return FLOAT_FIELDS.every((field) => event[field] === null || Number.isFinite(event[field]));
}

test('the corpus has both kinds of cases and every file parses', () => {
  assert.ok(corpus.length >= 40, `${corpus.length} cases`);
  assert.ok(corpus.some((c) => c.error) && corpus.some((c) => c.event));
});

for (const [i, c] of corpus.entries()) {
  test(`corpus ${c.name}: ${c.about}`, () => {
    const origin = { seq: 1_000 + i, subject: `${PREFIX}.corpus.${c.name}` };
    let event: JobEvent | undefined;
    let error: unknown;
    try {
      event = decodeEvent(c.bytes, origin, 42);
    } catch (caught) {
      error = caught;
    }

    if (c.error) {
      assert.equal(event, undefined, `decoded as an event: ${JSON.stringify(event)?.slice(0, 200)}`);
      assert.ok(error instanceof EventDecodeError, `not an EventDecodeError: ${String(error)}`);
      assert.match(error.message, c.error);
      assert.equal(error.seq, origin.seq);
      assert.equal(error.subject, origin.subject);
      assert.match(error.message, new RegExp(`^cannot decode event at sequence ${origin.seq}, subject "${origin.subject.replace(/\./g, '\\.')}": `));
      // What the CLI prints for it stays on one line with nothing a terminal would act on.
      // eslint-disable-next-line no-control-regex
      assert.doesNotMatch(printable(error.message), /[\u0000-\u001f\u007f-\u009f]/);
    } else {
      assert.equal(error, undefined, `failed: ${String(error)}`);
      const decoded = event as JobEvent;
      assertFields(decoded, c.event ?? {}, c.name);
      assert.equal(decoded.nats_sequence, origin.seq, 'the sequence comes from the message');
      assert.equal(decoded.nats_subject, origin.subject, 'the subject comes from the message');
      if (encodable(decoded)) assert.deepEqual(decodeEvent(encodeEvent(decoded), origin), decoded, 'encode(decode(x)) round-trips');
      // eslint-disable-next-line no-control-regex
      assert.doesNotMatch(eventLine(decoded), /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/, 'the CLI line shows controls escaped');
    }

    // The index's cheap field reader never throws, and every payload still counts as an event of its subject.
    const peeked = peekFields(c.bytes);
    assert.ok(peeked === undefined || typeof peeked === 'object');
    const record = recordFromMessage(PREFIX, origin.subject, origin.seq, c.bytes, 1_700_000_000);
    assert.ok(record, 'the index records it');
    assert.equal(record.jobId, 'corpus');
    assert.ok(Number.isFinite(record.time), `record time ${record.time}`);
    if (event && peeked?.timestamp !== undefined && Number.isFinite(peeked.timestamp)) assert.equal(peeked.timestamp, event.timestamp, 'peek and decode agree on the timestamp');
    // The index shows the event's own time whatever number form it was written in.
    if (c.name.startsWith('timestamp-') && event) assert.equal(record.time, event.timestamp, "the index's time is the event's");
  });
}
