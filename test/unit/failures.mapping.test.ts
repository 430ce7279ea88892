import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { correctDrift, PathMapper } from '../../server/src/failures/pathMapper';
import { normaliseMessage, signatureOf } from '../../server/src/failures/signature';

const workspace = mkdtempSync(path.join(tmpdir(), 'naq-failures-map-'));
after(() => rmSync(workspace, { recursive: true, force: true }));
mkdirSync(path.join(workspace, 'billing'), { recursive: true });
mkdirSync(path.join(workspace, 'src', 'billing'), { recursive: true });
writeFileSync(path.join(workspace, 'billing', 'tasks.py'), 'def charge(x):\n    return int(x)\n');
writeFileSync(path.join(workspace, 'src', 'billing', 'tasks.py'), '# a comment\n# another\ndef charge(x):\n    return int(x)\n');
writeFileSync(path.join(workspace, 'tasks.py'), 'top level\n');
writeFileSync(path.join(workspace, '__init__.py'), '');

test('the longest existing suffix wins; synthetic and foreign paths stay unmapped', () => {
  const mapper = new PathMapper([workspace]);
  assert.equal(mapper.mapPath('/app/src/billing/tasks.py'), path.join(workspace, 'src', 'billing', 'tasks.py'));
  assert.equal(mapper.mapPath('/srv/billing/tasks.py'), path.join(workspace, 'billing', 'tasks.py'));
  assert.equal(mapper.mapPath('/srv/other/tasks.py'), path.join(workspace, 'tasks.py'));
  assert.equal(mapper.mapPath('/usr/lib/python3/dist-packages/msgpack/fallback.py'), undefined);
  assert.equal(mapper.mapPath('/usr/local/lib/python3.11/site-packages/requests/__init__.py'), undefined);
  assert.equal(mapper.mapPath('/usr/lib/python3.11/json/__init__.py'), undefined);
  assert.equal(mapper.mapPath('/app/__init__.py'), path.join(workspace, '__init__.py'));
  assert.equal(mapper.mapPath('<frozen importlib._bootstrap>'), undefined);
  assert.equal(mapper.mapPath('<string>'), undefined);
});

test('a pathMappings entry overrides the suffix search', () => {
  const mapper = new PathMapper([workspace], [{ remote: '/srv/', local: path.join(workspace, 'src') }]);
  assert.equal(mapper.mapPath('/srv/billing/tasks.py'), path.join(workspace, 'src', 'billing', 'tasks.py'));
  assert.equal(mapper.mapPath('/srv/missing.py'), undefined);
});

test('line drift: the printed source line found near the reported line, with the caret range on it', () => {
  const mapper = new PathMapper([workspace]);
  const frame = { file: '/app/src/billing/tasks.py', line: 2, function: 'charge', source: 'return int(x)', caret: { start: 7, end: 13 } };
  assert.deepEqual(mapper.mapFrame(frame), { file: path.join(workspace, 'src', 'billing', 'tasks.py'), line: 4, start: 11, end: 17 });
  assert.equal(correctDrift(['a', 'b'], 2, 'not there'), 2);
  assert.equal(correctDrift(['x', 'y'], 1, undefined), 1);
});

test('normalisation folds what varies between occurrences of one failure', () => {
  assert.equal(
    normaliseMessage('upstream refused https://billing/charge at 10.0.0.7:8443 for job 3f2b8c1e-1d2a-4b3c-9d8e-7f6a5b4c3d2e'),
    'upstream refused https://billing/charge at <host:port> for job <uuid>',
  );
  assert.equal(normaliseMessage("invalid literal for int() with base 10: '12x'"), 'invalid literal for int() with base <n>: <str>');
  assert.equal(normaliseMessage('object at 0x7f3a2b1c and digest deadbeef12'), 'object at <hex> and digest <hex>');
  assert.equal(normaliseMessage('redis.local:6379 timed out after 2.5 s'), '<host:port> timed out after <n> s');
});

test('one signature for occurrences that differ only in values; another for another site', () => {
  const site = { file: '/w/billing/tasks.py', function: 'charge' };
  const a = signatureOf('ConnectionError', 'refused 10.0.0.7:8443 after 3 tries', site);
  const b = signatureOf('ConnectionError', 'refused 10.0.0.9:443 after 5 tries', site);
  const c = signatureOf('ConnectionError', 'refused 10.0.0.9:443 after 5 tries', { file: '/w/billing/tasks.py', function: 'refund' });
  assert.equal(a.id, b.id);
  assert.notEqual(a.id, c.id);
});
