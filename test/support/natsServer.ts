import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A real nats-server with JetStream, on a free loopback port, with its own store directory. */
export interface NatsServerOptions {
  /** Extra lines for the server's configuration file (authorization, tls, cluster ...). */
  config?: string;
  port?: number;
  storeDir?: string;
  binary?: string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      if (address === null || typeof address === 'string') {
        reject(new Error('no port'));
        return;
      }
      srv.close(() => resolve(address.port));
    });
  });
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, '127.0.0.1', () => done(true));
  });
}

export class NatsServer {
  readonly port: number;
  readonly storeDir: string;
  private readonly configFile: string;
  private readonly ownsStore: boolean;
  private child: ChildProcess | undefined;

  /** Freezes the server (SIGSTOP) as a hung host would; the returned function thaws it. */
  pause(): () => void {
    const child = this.child;
    if (!child?.pid) throw new Error('nats-server is not running');
    child.kill('SIGSTOP');
    return () => void child.kill('SIGCONT');
  }

  /** The server process's CPU time so far (user and system), in seconds; for benchmarks. */
  cpuSeconds(): number {
    const pid = this.child?.pid;
    if (pid === undefined) return Number.NaN;
    // /proc/<pid>/stat: fields 14 and 15 (utime, stime) in clock ticks, counted after the ')' of the name.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  }

  private output = '';

  private constructor(port: number, storeDir: string, ownsStore: boolean, private readonly options: NatsServerOptions) {
    this.port = port;
    this.storeDir = storeDir;
    this.ownsStore = ownsStore;
    this.configFile = join(storeDir, 'nats.conf');
  }

  static async start(options: NatsServerOptions = {}): Promise<NatsServer> {
    const port = options.port ?? (await freePort());
    const ownsStore = options.storeDir === undefined;
    const storeDir = options.storeDir ?? mkdtempSync(join(tmpdir(), 'naq-nats-'));
    const server = new NatsServer(port, storeDir, ownsStore, options);
    await server.launch();
    return server;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get log(): string {
    return this.output;
  }

  private async launch(): Promise<void> {
    writeFileSync(
      this.configFile,
      [
        `listen: 127.0.0.1:${this.port}`,
        `jetstream { store_dir: "${join(this.storeDir, 'js')}" }`,
        this.options.config ?? '',
      ].join('\n'),
    );
    const child = spawn(this.options.binary ?? 'nats-server', ['-c', this.configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`nats-server exited with ${child.exitCode}: ${this.output}`);
      if (this.output.includes('Server is ready') && (await portAnswers(this.port))) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    throw new Error(`nats-server did not become ready on port ${this.port} within 10 s: ${this.output}`);
  }

  /** Stops the process with the given signal and waits for it to exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  kill(): Promise<void> {
    return this.stop('SIGKILL');
  }

  /** Starts the same server again: same port, same store. */
  async restart(): Promise<void> {
    await this.stop();
    this.output = '';
    await this.launch();
  }

  /** Stops the server and removes its store. */
  async dispose(): Promise<void> {
    await this.stop();
    if (this.ownsStore) rmSync(this.storeDir, { recursive: true, force: true });
  }
}
