import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCodes } from 'vscode-languageserver-protocol';
import { ErrorCode, NatsError } from 'nats';
import { NotConnectedError } from '../../server/src/backend/backend';
import { guard, responseError } from '../../server/src/backend/requestGuard';
import { checkParams } from '../../server/src/backend/requestRules';
import { EventEncodeError } from '../../server/src/codec/encode';
import { EventTooLargeError } from '../../server/src/storage/eventStorage';

test('an unexpected error is logged in full and answered without its internals', () => {
  const logged: string[] = [];
  const error = responseError('jobs/get', new TypeError('id.includes is not a function'), (m) => logged.push(m));
  assert.equal(error.code, ErrorCodes.InternalError);
  assert.doesNotMatch(error.message, /includes|TypeError/);
  assert.match(error.message, /^jobs\/get failed because of an error in the NAQ backend/);
  assert.equal(logged.length, 1);
  assert.match(logged[0] as string, /id\.includes is not a function/);
});

test('known failures keep their words; a lost connection is not an internal error', () => {
  const error = responseError('jobs/delete', new NotConnectedError('not connected to NATS: Disconnected.'), () => assert.fail('not logged'));
  assert.equal(error.code, -32803);
  assert.equal(error.message, 'not connected to NATS: Disconnected.');
});

test('a request that timed out on an open connection says the server stopped answering', () => {
  const error = responseError('timeline/get', NatsError.errorForCode(ErrorCode.Timeout), () => assert.fail('not logged'));
  assert.match(error.message, /^timeline\/get failed: timed out: the NATS server stopped answering/);
  assert.doesNotMatch(error.message, /address|TLS/);
});

test('a refused event keeps its words: too large is a failed request, a bad field is an invalid parameter', () => {
  const tooLarge = responseError('events/emit', new EventTooLargeError("event of 1100123 bytes not stored: larger than the server's max_payload of 1048576 bytes"), () => assert.fail('not logged'));
  assert.equal(tooLarge.code, -32803);
  assert.equal(tooLarge.message, "events/emit failed: event of 1100123 bytes not stored: larger than the server's max_payload of 1048576 bytes");
  const badField = responseError('events/emit', new EventEncodeError('event field "timestamp" must be a finite number, got null'), () => assert.fail('not logged'));
  assert.equal(badField.code, ErrorCodes.InvalidParams);
  assert.match(badField.message, /^events\/emit: event field "timestamp"/);
});

test('the handler sees checked parameters only: fields the rules do not name are dropped', async () => {
  let seen: unknown;
  const handler = guard('jobs/timeline', () => undefined, (params) => (seen = params));
  await handler({ jobId: 'j', limit: 3, sneaky: { __proto__: 1 } });
  assert.deepEqual(seen, { jobId: 'j', limit: 3 });
  assert.deepEqual(checkParams('events/emitLifecycle', { scenario: 'timeout', jobId: '' }), { scenario: 'timeout', jobId: '' });
});

test('failure requests are checked too: a signature id is one the backend gave, a job id is a subject token', () => {
  assert.deepEqual(checkParams('failures/jobs', { signatureId: '0123456789abcdef' }), { signatureId: '0123456789abcdef' });
  assert.throws(() => checkParams('failures/jobs', { signatureId: 42 }), /signatureId/);
  assert.throws(() => checkParams('failures/jobs', { signatureId: '../etc' }), /signatureId.*signature id the backend gave/);
  assert.throws(() => checkParams('failures/job', { jobId: 'a.b' }), /jobId/);
});
