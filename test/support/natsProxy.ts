import { createServer, Server, Socket } from 'node:net';

/** One protocol frame: its bytes, and the subject when it carries a message (PUB, HPUB, MSG, HMSG). */
interface Frame {
  bytes: Buffer;
  subject?: string;
}

const WITH_PAYLOAD = new Set(['PUB', 'HPUB', 'MSG', 'HMSG']);

/**
 * Splits one direction of a NATS connection into frames: a line each, and for the verbs that carry a message
 * the payload whose size ends the line (`MSG subject sid [reply] size`, `HMSG subject sid [reply] header-size
 * total-size`, and PUB/HPUB alike).
 */
class FrameSplitter {
  private buffered = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    const frames: Frame[] = [];
    for (;;) {
      const end = this.buffered.indexOf('\r\n');
      if (end < 0) return frames;
      const words = this.buffered.subarray(0, end).toString('latin1').split(' ').filter((word) => word !== '');
      const carries = WITH_PAYLOAD.has(words[0]?.toUpperCase() ?? '');
      const length = end + 2 + (carries ? Number(words[words.length - 1]) + 2 : 0);
      if (this.buffered.length < length) return frames;
      frames.push({ bytes: this.buffered.subarray(0, length), subject: carries ? words[1] : undefined });
      this.buffered = this.buffered.subarray(length);
    }
  }
}

/** Which way held messages were going. */
export type Direction = 'to-server' | 'to-client';

interface Hold {
  direction: Direction;
  subjects: string;
  until: string | undefined;
  held: { frame: Frame; to: Socket }[];
  holding: () => void;
  released: (held: number) => void;
}

/** A hold in progress: when it first held a message, how many it had held when it let them go, and a way to let them go. */
export interface Held {
  first: Promise<void>;
  released: Promise<number>;
  release(): void;
}

/**
 * A TCP proxy in front of a NATS server that can hold back messages on their way, in either direction, until a
 * client publishes on a given subject or the test lets them go: a test can make a delivery arrive only after
 * the client acted on its absence, or a request reach the server only once the test changed what it will find.
 */
export class NatsProxy {
  private hold: Hold | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;
  private port = 0;

  private constructor(private readonly targetPort: number) {
    this.server = createServer((client) => this.accept(client));
  }

  static async start(targetPort: number): Promise<NatsProxy> {
    const proxy = new NatsProxy(targetPort);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    const address = proxy.server.address();
    if (address === null || typeof address === 'string') throw new Error('the proxy has no port');
    proxy.port = address.port;
    return proxy;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /**
   * Holds every message going `direction` on a subject starting with `subjects`, until a client publishes on a
   * subject starting with `until` (when given) or `release()`; then they go on, in order.
   */
  holdMessages(direction: Direction, subjects: string, until?: string): Held {
    let holding: () => void = () => undefined;
    const first = new Promise<void>((resolve) => (holding = resolve));
    let hold: Hold | undefined;
    const released = new Promise<number>((resolve) => {
      hold = { direction, subjects, until, held: [], holding, released: resolve };
    });
    this.hold = hold;
    return { first, released, release: () => hold && this.release(hold) };
  }

  dispose(): Promise<void> {
    this.sockets.forEach((socket) => socket.destroy());
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    const upstream = new Socket();
    this.sockets.add(client).add(upstream);
    const fromClient = new FrameSplitter();
    const fromServer = new FrameSplitter();
    upstream.connect(this.targetPort, '127.0.0.1');
    client.on('data', (chunk) => {
      for (const frame of fromClient.push(chunk)) {
        if (this.holds('to-server', frame, upstream)) continue;
        upstream.write(frame.bytes);
        if (this.hold?.until !== undefined && frame.subject?.startsWith(this.hold.until)) this.release(this.hold);
      }
    });
    upstream.on('data', (chunk) => {
      for (const frame of fromServer.push(chunk)) if (!this.holds('to-client', frame, client)) client.write(frame.bytes);
    });
    for (const socket of [client, upstream]) {
      socket.on('error', () => undefined);
      socket.on('close', () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(socket);
      });
    }
  }

  private holds(direction: Direction, frame: Frame, to: Socket): boolean {
    const hold = this.hold;
    if (hold?.direction !== direction || !frame.subject?.startsWith(hold.subjects)) return false;
    hold.held.push({ frame, to });
    hold.holding();
    return true;
  }

  private release(hold: Hold): void {
    if (this.hold === hold) this.hold = undefined;
    const held = hold.held.splice(0);
    for (const { frame, to } of held) to.write(frame.bytes);
    hold.released(held.length);
  }
}
