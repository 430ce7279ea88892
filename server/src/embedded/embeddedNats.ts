import { ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

/** Debian installs nats-server in /usr/sbin, which an editor's environment often leaves out of PATH. */
const EXTRA_DIRECTORIES = ['/usr/sbin', '/usr/local/bin', '/usr/local/sbin', '/opt/homebrew/bin'];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The configured binary when given (it must exist), else `nats-server` on PATH or in the usual places. */
export function findNatsServer(configured: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (configured) return executable(configured) ? configured : undefined;
  const name = process.platform === 'win32' ? 'nats-server.exe' : 'nats-server';
  const directories = [...(env.PATH ?? '').split(delimiter).filter(Boolean), ...EXTRA_DIRECTORIES];
  return directories.map((dir) => join(dir, name)).find(executable);
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

async function choosePort(preferred: number): Promise<number> {
  if (await portFree(preferred)) return preferred;
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** A `nats-server -js` the backend started itself, on loopback, stopped when the backend exits. */
export class EmbeddedNats {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly storeDir: string,
  ) {}

  /**
   * Prefers the standard port, so NAQ workers and the CLI with their defaults see the same server;
   * falls back to any free port.
   */
  static async start(binary: string, storeDir: string, timeoutMs = 10_000): Promise<EmbeddedNats> {
    mkdirSync(storeDir, { recursive: true });
    const port = await choosePort(4222);
    const child = spawn(binary, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const stopOnExit = (): void => {
      child.kill('SIGTERM');
    };
    process.once('exit', stopOnExit);
    child.once('exit', () => process.removeListener('exit', stopOnExit));
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${binary} did not start within ${timeoutMs} ms: ${output.slice(-500)}`));
      }, timeoutMs);
      const watch = (data: Buffer): void => {
        output += data.toString();
        if (output.includes('Server is ready')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', watch);
      child.stderr?.on('data', watch);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`cannot start ${binary}: ${error.message}`));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${binary} exited with code ${code}: ${output.slice(-500)}`));
      });
    });
    return new EmbeddedNats(child, `nats://127.0.0.1:${port}`, storeDir);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async stop(timeoutMs = 5_000): Promise<void> {
    if (!this.running) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }
}
