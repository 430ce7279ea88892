import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { exceptionType, parseTraceback, type ParsedTraceback } from '../../server/src/failures/traceback';

const corpus = path.join(__dirname, '..', 'fixtures', 'tracebacks');

function parsed(name: string): ParsedTraceback {
  const result = parseTraceback(readFileSync(path.join(corpus, name), 'utf8'));
  assert.ok(result, `${name} parses`);
  return result;
}

function raiseSite(traceback: ParsedTraceback): string {
  const frame = traceback.raised.frames[traceback.raised.frames.length - 1];
  return `${frame.file}:${frame.line} ${frame.function ?? ''}`.trim();
}

test('plain frames with PEP 657 carets: the raise site, its source and the marked range', () => {
  const traceback = parsed('plain.py.txt');
  assert.equal(traceback.language, 'python');
  assert.equal(traceback.raised.type, 'ValueError');
  assert.equal(traceback.raised.message, "invalid literal for int() with base 10: '12x'");
  assert.deepEqual(traceback.raised.frames.map((frame) => frame.line), [9, 6, 2]);
  const site = traceback.raised.frames[2];
  assert.equal(site.source, 'return int(raw)');
  assert.ok(site.caret);
  assert.equal(site.source.slice(site.caret.start, site.caret.end), 'int(raw)');
});

test('a chain: the last block is what was raised, with how it follows the one before', () => {
  const cause = parsed('chained_cause.py.txt');
  assert.deepEqual(cause.chain.map((block) => block.type), ['ConnectionError', 'UpstreamError']);
  assert.equal(cause.raised.relation, 'cause');
  assert.equal(raiseSite(cause), '/app/jobs/chained_cause.py:13 charge');
  const context = parsed('chained_context.py.txt');
  assert.deepEqual(context.chain.map((block) => block.type), ['KeyError', 'ZeroDivisionError']);
  assert.equal(context.raised.relation, 'context');
  assert.equal(raiseSite(context), '/app/jobs/chained_context.py:9 run');
});

test('an exception group: the group is raised, each branch gives its own raised block', () => {
  const traceback = parsed('group.py.txt');
  assert.equal(traceback.chain.length, 1);
  assert.equal(traceback.raised.type, 'ExceptionGroup');
  assert.equal(traceback.raised.message, 'two steps failed (2 sub-exceptions)');
  assert.equal(raiseSite(traceback), '/app/jobs/group.py:16 gather');
  assert.deepEqual(traceback.raised.exceptions?.map((sub) => `${sub.type}: ${sub.message} @${sub.frames[1].line}`), ['ValueError: bad value 1 @2', 'TypeError: bad type @6']);
});

test('a SyntaxError frame names no function and keeps the offending line and column', () => {
  const traceback = parsed('syntax.py.txt');
  assert.equal(traceback.raised.type, 'SyntaxError');
  const frame = traceback.raised.frames[1];
  assert.equal(frame.file, '/app/jobs/generated.py');
  assert.equal(frame.function, undefined);
  assert.equal(frame.source, 'def broken(:');
  assert.equal(frame.caret?.start, 11);
});

test('frames without source: <string> and <frozen ...>', () => {
  assert.deepEqual(parsed('frozen_string.py.txt').raised.frames.slice(1).map((frame) => [frame.file, frame.line, frame.source]), [['<string>', 3, undefined], ['<string>', 2, undefined]]);
  const frozen = parsed('frozen_import.py.txt');
  assert.equal(frozen.raised.type, 'ModuleNotFoundError');
  assert.equal(raiseSite(frozen), '<frozen importlib._bootstrap>:1142 _find_and_load_unlocked');
});

test('dist-packages frames, a qualified exception type with no message', () => {
  const traceback = parsed('site_packages.py.txt');
  assert.equal(traceback.chain[0].type, 'msgpack.exceptions.OutOfData');
  assert.equal(traceback.chain[0].message, '');
  assert.equal(raiseSite(traceback), '/usr/lib/python3/dist-packages/msgpack/fallback.py:130 unpackb');
});

test('a repeated frame counts its repetitions; a message may span lines', () => {
  const recursion = parsed('recursion.py.txt');
  assert.equal(recursion.raised.type, 'RecursionError');
  assert.equal(recursion.raised.frames[recursion.raised.frames.length - 1].repeated, 996);
  assert.equal(parsed('multiline_message.py.txt').raised.message, 'rows differ:\n- expected 3\n+ got 4');
});

test('V8 stacks, uncaught (with its source header) and async, end at the raise site', () => {
  const uncaught = parsed('node_error.js.txt');
  assert.equal(uncaught.language, 'node');
  assert.equal(uncaught.raised.type, 'QueueError');
  assert.equal(uncaught.raised.message, 'no responders for naq.jobs.billing');
  assert.equal(raiseSite(uncaught), '/app/jobs/node_error.js:6 publish');
  assert.equal(uncaught.raised.frames[uncaught.raised.frames.length - 1].column, 9);
  const awaited = parsed('node_async.js.txt');
  assert.deepEqual(awaited.raised.frames.map((frame) => frame.function), ['main', 'fetchRow']);
});

test('the pre-3.11 shape (no carets) and a list of lines parse the same', () => {
  const lines = ['Traceback (most recent call last):\n', '  File "/srv/app/tasks.py", line 40, in run\n', '    client.send(payload)\n', 'OSError: [Errno 111] Connection refused\n'];
  const traceback = parseTraceback(lines);
  assert.equal(traceback?.raised.type, 'OSError');
  assert.deepEqual(traceback?.raised.frames, [{ file: '/srv/app/tasks.py', line: 40, function: 'run', source: 'client.send(payload)' }]);
});

test('text that is no traceback gives nothing; an oversized path line is skipped, not fatal', () => {
  assert.equal(parseTraceback('just an error message'), undefined);
  const hostile = `Traceback (most recent call last):\n  File "${'"'.repeat(200_000)}, line 1, in x\nValueError: x`;
  assert.equal(parseTraceback(hostile)?.raised.type, 'ValueError');
});

test("the exception type: the event's unless missing or NAQ's useless \"str\"", () => {
  const traceback = parsed('plain.py.txt');
  assert.equal(exceptionType('str', traceback), 'ValueError');
  assert.equal(exceptionType(undefined, traceback), 'ValueError');
  assert.equal(exceptionType('TimeoutError', traceback), 'TimeoutError');
  assert.equal(exceptionType('str', undefined), 'str');
});
