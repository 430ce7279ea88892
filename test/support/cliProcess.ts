/** The built CLI (`npm run build` makes it) run as a user runs it: a process, its output and its exit status. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');

export interface CliResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** `naq-events …args --server serverUrl`; a non-zero exit is a result to assert on, not an error. */
export async function runCli(serverUrl: string, args: readonly string[], options: { timeoutMs?: number; maxBuffer?: number; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  try {
    const env = options.env && { ...process.env, ...options.env };
    const { stdout, stderr } = await run('node', [CLI, ...args, '--server', serverUrl], { timeout: options.timeoutMs ?? 30_000, maxBuffer: options.maxBuffer, env });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const failure = error as CliResult;
    return { stdout: failure.stdout, stderr: failure.stderr, code: failure.code };
  }
}
