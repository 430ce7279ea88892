import { inspect } from 'node:util';
import { withTimeout } from '../e2e/harness/waits';

/**
 * A minimal test runner for code that must run inside the extension host, where node:test is not
 * available as a runner: tests register themselves, run() runs them in order and throws if any failed,
 * which the extension host turns into exit code 1.
 */

interface RegisteredTest {
  name: string;
  body: () => unknown;
  timeoutMs: number;
}

const registered: RegisteredTest[] = [];

/** Registers a test; a test that has not settled after `timeoutMs` (default 30 s) fails. */
export function test(name: string, body: () => unknown, options: { timeoutMs?: number } = {}): void {
  registered.push({ name, body, timeoutMs: options.timeoutMs ?? 30_000 });
}

export async function runRegisteredTests(): Promise<void> {
  const failures: string[] = [];
  for (const { name, body, timeoutMs } of registered) {
    const started = Date.now();
    try {
      await withTimeout(Promise.resolve().then(body), timeoutMs, `test "${name}"`);
      console.log(`ok - ${name} (${Date.now() - started} ms)`);
    } catch (error) {
      const report = `not ok - ${name} (${Date.now() - started} ms)\n${inspect(error)}`;
      console.error(report);
      failures.push(report);
    }
  }
  // Not the bare "N passed, N failed" form: this line is not the outer test run's result.
  console.log(`in-editor suite: ${registered.length - failures.length} passed, ${failures.length} failed`);
  if (failures.length > 0) {
    throw new Error(`${failures.length} of ${registered.length} in-editor tests failed:\n\n${failures.join('\n\n')}`);
  }
}
