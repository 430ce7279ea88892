import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shouldReload, Throttle } from '../../client/src/timeline/refresh';
import { SingleFlight } from '../../client/src/webview/singleFlight';

const change = { reset: false, jobs: [] as string[], failed: [] as { jobId: string; error: null }[] };

test('an open timeline reloads when its job changed or on a reset', () => {
  assert.equal(shouldReload({ ...change, jobs: ['a', 'b'] }, 'b'), true);
  assert.equal(shouldReload({ ...change, jobs: ['a'] }, 'b'), false);
  assert.equal(shouldReload({ ...change, reset: true }, 'b'), true);
  assert.equal(shouldReload({ ...change, failed: [{ jobId: 'b', error: null }] }, 'b'), true);
});

test('the throttle runs at once, then at most once per interval', async (t) => {
  // Fake timers, and the clock the throttle reads moved with them: no real time passes.
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let now = 0;
  let runs = 0;
  const throttle = new Throttle(50, () => runs++, () => now);
  const ran = () => new Promise((resolve) => setImmediate(resolve));
  throttle.trigger();
  await ran();
  assert.equal(runs, 1);
  now = 10;
  throttle.trigger();
  throttle.trigger();
  throttle.trigger();
  assert.equal(throttle.pending, true);
  now = 59;
  t.mock.timers.tick(39);
  await ran();
  assert.equal(runs, 1, 'not before the interval is over');
  now = 60;
  t.mock.timers.tick(1);
  await ran();
  assert.equal(runs, 2, 'the three triggers ran once, at the end of the interval');
  assert.equal(throttle.pending, false);
  throttle.trigger();
  assert.equal(throttle.pending, true);
  throttle.cancel();
  assert.equal(throttle.pending, false);
  t.mock.timers.tick(100);
  await ran();
  assert.equal(runs, 2, 'a cancelled run does not happen');
});

test('a panel load runs one at a time, and once more after it when asked meanwhile', async () => {
  const started: number[] = [];
  let finish: (() => void) | undefined;
  const loader = new SingleFlight(
    () =>
      new Promise<void>((resolve) => {
        started.push(started.length + 1);
        finish = resolve;
      }),
  );
  const first = loader.run();
  assert.equal(loader.busy, true);
  void loader.run();
  void loader.run();
  assert.deepEqual(started, [1], 'no second load while the first runs');
  finish?.();
  await first;
  assert.deepEqual(started, [1, 2], 'one more load for the requests made meanwhile, not two');
  finish?.();
  await new Promise((r) => setImmediate(r));
  assert.equal(loader.busy, false);
  assert.deepEqual(started, [1, 2]);
});
