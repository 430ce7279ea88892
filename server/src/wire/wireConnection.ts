import { connect as dial, Socket } from 'node:net';
import { connect as secure, ConnectionOptions as TlsConnectOptions, TLSSocket } from 'node:tls';
import { buildAuthenticator, ConnectionOptions } from 'nats';
import { withTimeout } from '../util/timeout';
import { Frame, FrameParser, ProtocolError } from './frameParser';
import { wireTlsOptions } from './wireTls';

export interface WireOptions {
  /** `host:port` of the server to dial: the one the main connection uses (`nc.getServer()`). */
  hostPort: string;
  /** The main connection's options: their authentication and TLS are used as they are. */
  connection: ConnectionOptions;
  timeoutMs: number;
  name: string;
  /** Every message of every subscription; the frame is valid only during the call. */
  message(frame: Frame): void;
  /** The connection ended on its own (not by `close()`): the server went away or broke the protocol. */
  closed(error: Error): void;
}

interface ServerInfo {
  nonce?: string;
  tls_required?: boolean;
  tls_available?: boolean;
}

/**
 * A bare NATS client connection for one job: reading a large volume of messages on a subscription
 * with as little work per message as possible. Only what that needs is spoken (CONNECT, SUB,
 * an empty PUB to answer flow control, PING/PONG); authentication and TLS are those of the main
 * connection. Everything else stays with nats.js.
 */
export class WireConnection {
  private closing = false;
  private nextSid = 1;
  private readonly pongs: (() => void)[] = [];

  private constructor(
    private readonly socket: Socket,
    private readonly options: WireOptions,
  ) {}

  static async open(options: WireOptions): Promise<WireConnection> {
    const { host, port } = splitHostPort(options.hostPort);
    const tlsWanted = options.connection.tls !== undefined && options.connection.tls !== null;
    const tls = wireTlsOptions(options.connection.tls, host);
    const handshakeFirst = tlsWanted && options.connection.tls?.handshakeFirst === true;
    let socket: Socket = handshakeFirst ? secure({ host, port, ...tls }) : dial({ host, port });
    try {
      await within<void>(options.timeoutMs, `connecting to ${options.hostPort}`, (done, fail) => {
        socket.once(handshakeFirst ? 'secureConnect' : 'connect', () => done());
        socket.once('error', fail);
      });
      const { info, rest } = await firstInfo(socket, options.timeoutMs);
      const upgrade = !handshakeFirst && (info.tls_required || (tlsWanted && info.tls_available));
      if (upgrade) socket = await startTls(socket, options.timeoutMs, tls);
      if (info.tls_required && !(socket instanceof TLSSocket)) throw new Error('the server requires TLS');
      const connection = new WireConnection(socket, options);
      // What came after the INFO in clear: a refusal such as "maximum connections exceeded".
      await connection.handshake(info, upgrade ? EMPTY : rest);
      return connection;
    } catch (error) {
      socket.destroy();
      throw error;
    }
  }

  /** The subscription lasts as long as the connection. */
  subscribe(subject: string): void {
    this.socket.write(`SUB ${subject} ${this.nextSid++}\r\n`);
  }

  /** Resolves once the server has processed everything written before it. */
  ping(): Promise<void> {
    return within(this.options.timeoutMs, 'the server to answer a PING', (done) => {
      this.pongs.push(() => done());
      this.socket.write('PING\r\n');
    });
  }

  /** An empty message: what flow control and stall notices ask for. */
  publishEmpty(subject: string): void {
    if (!this.socket.destroyed) this.socket.write(`PUB ${subject} 0\r\n\r\n`);
  }

  close(): void {
    this.closing = true;
    this.socket.destroy();
  }

  private handshake(info: ServerInfo, received: Buffer): Promise<void> {
    this.pongs.push(() => undefined);
    const { connection } = this.options;
    const auth = buildAuthenticator(connection)(info.nonce);
    const connect = {
      verbose: false,
      pedantic: false,
      protocol: 1,
      headers: true,
      no_responders: true,
      echo: false,
      lang: 'naq-wire',
      version: '1',
      name: this.options.name,
      tls_required: this.socket instanceof TLSSocket,
      ...auth,
    };
    return within<void>(this.options.timeoutMs, 'the server to accept the connection', (done, fail) => {
      let ready = false;
      const parser = new FrameParser({
        message: (frame) => this.options.message(frame),
        control: (line) => {
          if (line === 'PING') this.socket.write('PONG\r\n');
          else if (line === 'PONG') {
            this.pongs.shift()?.();
            if (!ready) {
              ready = true;
              done();
            }
          } else if (line.startsWith('-ERR')) {
            const error = new Error(`the server said ${line.slice(5)}`);
            if (ready) this.end(error);
            else fail(error);
          }
        },
      });
      const read = (chunk: Buffer): void => {
        try {
          parser.push(chunk);
        } catch (error) {
          const problem = error instanceof ProtocolError ? error : new Error(`reading messages failed: ${(error as Error).message}`);
          if (ready) this.end(problem);
          else fail(problem);
        }
      };
      this.socket.on('data', read);
      this.socket.on('error', (error) => (ready ? this.end(error) : fail(error)));
      this.socket.on('close', () => (ready ? this.end(new Error('the server closed the connection')) : fail(new Error('the server closed the connection'))));
      if (received.length > 0) read(received);
      this.socket.resume();
      this.socket.write(`CONNECT ${JSON.stringify(connect)}\r\nPING\r\n`);
    });
  }

  private end(error: Error): void {
    if (this.closing) return;
    this.closing = true;
    this.socket.destroy();
    this.options.closed(error);
  }
}

function splitHostPort(hostPort: string): { host: string; port: number } {
  const colon = hostPort.lastIndexOf(':');
  const host = hostPort.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const port = Number(hostPort.slice(colon + 1));
  if (colon < 0 || !host || !Number.isInteger(port)) throw new Error(`not a host:port: ${hostPort}`);
  return { host, port };
}

function startTls(socket: Socket, timeoutMs: number, tls: TlsConnectOptions): Promise<TLSSocket> {
  return within(timeoutMs, 'the TLS handshake', (done, fail) => {
    const tlsSocket = secure({ socket, ...tls });
    tlsSocket.once('secureConnect', () => done(tlsSocket));
    tlsSocket.once('error', fail);
  });
}

const EMPTY = Buffer.alloc(0);

/** The server's INFO line, the first thing it sends, and any bytes that came after it. */
function firstInfo(socket: Socket, timeoutMs: number): Promise<{ info: ServerInfo; rest: Buffer }> {
  return within(timeoutMs, "the server's INFO", (done, fail) => {
    let seen = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      seen = Buffer.concat([seen, chunk]);
      const eol = seen.indexOf('\r\n');
      if (eol < 0) return;
      socket.off('data', onData);
      socket.pause();
      const line = seen.toString('utf8', 0, eol);
      if (!line.startsWith('INFO ')) return fail(new ProtocolError(`expected INFO, got ${line.slice(0, 100)}`));
      try {
        done({ info: JSON.parse(line.slice(5)) as ServerInfo, rest: seen.subarray(eol + 2) });
      } catch {
        fail(new ProtocolError('an INFO that is not JSON'));
      }
    };
    socket.on('data', onData);
    socket.once('error', fail);
    socket.once('close', () => fail(new Error('the server closed the connection before its INFO')));
  });
}

/** A promise settled by `run`'s callbacks, or rejected naming `what` after `ms`. */
function within<T>(ms: number, what: string, run: (done: (value: T) => void, fail: (error: Error) => void) => void): Promise<T> {
  return withTimeout(new Promise<T>(run), ms, what);
}
