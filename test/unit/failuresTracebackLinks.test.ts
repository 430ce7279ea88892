import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { frameOf } from '../../media/src/timeline/traceback';

const corpus = path.join(__dirname, '..', 'fixtures', 'tracebacks');
const frames = (name: string) =>
  readFileSync(path.join(corpus, name), 'utf8')
    .split('\n')
    .map(frameOf)
    .filter((frame) => frame !== null);

test('every Python frame line of a real traceback is a link to its file and line; other lines are not', () => {
  const plain = frames('plain.py.txt');
  assert.ok(plain.length >= 2);
  assert.ok(plain.every((frame) => frame.file.endsWith('.py') && frame.line > 0));
  assert.equal(frameOf('ValueError: invalid literal for int() with base 10: \'12x\''), null);
  assert.equal(frameOf('    ^^^^^^^^^^'), null);
  assert.deepEqual(frameOf('  |   File "/app/jobs/group.py", line 7, in check'), { file: '/app/jobs/group.py', line: 7 });
  assert.ok(frames('group.py.txt').length > 0, 'exception-group frames behind | prefixes link too');
});

test('V8 stack frames with a path link; internal frames do not', () => {
  const node = frames('node_error.js.txt');
  assert.ok(node.length > 0);
  assert.ok(node.every((frame) => frame.file.startsWith('/') || frame.file.startsWith('file://')));
  assert.deepEqual(frameOf('    at charge (/app/jobs/billing.js:12:9)'), { file: '/app/jobs/billing.js', line: 12 });
  assert.deepEqual(frameOf('    at /app/jobs/billing.js:3:1'), { file: '/app/jobs/billing.js', line: 3 });
  assert.equal(frameOf('    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)'), null);
});
