import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encode } from '@msgpack/msgpack';
import { decodeEvent, EventDecodeError } from '../../server/src/codec/decode';
import { encodeEvent, EventEncodeError } from '../../server/src/codec/encode';
import { createEvent, EVENT_FIELDS, FieldKind, JobEvent, SEED_FIELDS } from '../../server/src/model/event';

/**
 * The factory and the decoder spell the fields out (a loop over the table measured several times
 * slower on the logger's and the reader's paths); these tests hold both to EVENT_FIELDS.
 */

const DEFAULTS: Record<FieldKind, unknown> = { id: undefined, time: undefined, text: null, number: null, map: {}, tags: {}, sequence: null };
/** A value of the wrong type for each kind, and the rule the decoder must name. */
const WRONG: Record<FieldKind, [value: unknown, rule: RegExp]> = {
  id: [42, /expected a string, got int/],
  time: ['noon', /expected a number or nil, got string/],
  text: [42, /expected a string or nil, got int/],
  number: ['12', /expected a number or nil, got string/],
  map: [[1], /expected a map or nil, got array/],
  tags: [{ a: 1 }, /expected a string, got int/],
  sequence: [1.5, /expected an int or nil, got float/],
};

const valid = (): JobEvent => createEvent({ job_id: 'j', event_type: 'started', timestamp: 1_700_000_000 });

test('the field list is the table, in layout order', () => {
  assert.deepEqual(SEED_FIELDS, Object.keys(EVENT_FIELDS));
  assert.deepEqual(Object.keys(valid()), SEED_FIELDS, 'the factory writes every field, in order');
});

test('the factory gives each field left out the default of its kind', () => {
  const event = valid();
  for (const field of SEED_FIELDS) {
    const kind = EVENT_FIELDS[field];
    if (kind === 'id' || kind === 'time') continue;
    assert.deepEqual(event[field], DEFAULTS[kind], field);
  }
});

test('the decoder checks each field by its kind and names the field', () => {
  for (const field of SEED_FIELDS) {
    const kind = EVENT_FIELDS[field];
    const [value, rule] = WRONG[kind];
    const raw: Record<string, unknown> = { ...valid(), [field]: value };
    const fieldName = kind === 'tags' ? `${field}.a` : field;
    assert.throws(
      () => decodeEvent(encode(raw)),
      (error: unknown) => error instanceof EventDecodeError && error.message.includes(`field "${fieldName}"`) && rule.test(error.message),
      `${field} (${kind})`,
    );
  }
});

test('the encoder requires the id and time fields and writes every other one when empty', () => {
  for (const field of SEED_FIELDS) {
    const kind = EVENT_FIELDS[field];
    const event = { ...valid(), [field]: null } as unknown as JobEvent;
    if (kind === 'id' || kind === 'time') {
      assert.throws(() => encodeEvent(event), EventEncodeError, field);
      continue;
    }
    const back = decodeEvent(encodeEvent(event), {}, 0);
    assert.deepEqual(back[field], DEFAULTS[kind], field);
  }
});
