import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { MAX_VALUE_BYTES, NaqValueError, decodeFailedJobValue, decodeResultValue } from '../../server/src/failures/naqValues';
import { parseTraceback } from '../../server/src/failures/traceback';

const fixtures = path.join(__dirname, '..', 'fixtures', 'failures');
const plainTraceback = readFileSync(path.join(__dirname, '..', 'fixtures', 'tracebacks', 'plain.py.txt'), 'utf8');

test('a pickled result (protocol 5, Enum status and a user class by reference) gives its traceback', () => {
  const value = decodeResultValue(readFileSync(path.join(fixtures, 'result_failed.pickle')));
  assert.equal(value.status, 'failed');
  assert.equal(value.error, "invalid literal for int() with base 10: '12x'");
  assert.equal(value.traceback, plainTraceback);
  assert.equal(parseTraceback(value.traceback ?? '')?.raised.type, 'ValueError');
});

test('a JSON result reads the same', () => {
  const value = decodeResultValue(readFileSync(path.join(fixtures, 'result_failed.json')));
  assert.deepEqual(value, { status: 'failed', error: "invalid literal for int() with base 10: '12x'", traceback: plainTraceback });
});

test('a failed-jobs message gives the function and the argument reprs', () => {
  const value = decodeFailedJobValue(readFileSync(path.join(fixtures, 'failed_job.pickle')));
  assert.equal(value.jobId, '7f3c2a9e0b1d4c5e8f6a7b8c9d0e1f2a');
  assert.equal(value.queueName, 'billing');
  assert.equal(value.functionName, 'handle');
  assert.equal(value.argsRepr, "({'amount': '12x'},)");
  assert.equal(value.kwargsRepr, '{}');
  assert.equal(value.traceback, plainTraceback);
});

test('bad values get an error that names the rule', () => {
  assert.throws(() => decodeResultValue(new Uint8Array(MAX_VALUE_BYTES + 1)), (error: Error) => error instanceof NaqValueError && /exceeds/.test(error.message));
  assert.throws(() => decodeResultValue(Buffer.from('[1, 2]')), /must be a dict, got a list/);
  assert.throws(() => decodeResultValue(Buffer.from('not json')), /neither a pickle/);
  assert.throws(() => decodeResultValue(Buffer.from([0x80, 0x05, 0x95, 0xff])), /not a readable pickle/);
});

test('a pickle that names os.system only builds an opaque object', () => {
  // cos\nsystem\n(S'echo pwned'\ntR. — protocol 0 for "os.system('echo pwned')", then the dict around it.
  const pickle = Buffer.from("\x80\x02}q\x00(X\x06\x00\x00\x00statuscos\nsystem\n(S'echo pwned'\ntRu.", 'latin1');
  assert.equal(decodeResultValue(pickle).status, undefined);
});
