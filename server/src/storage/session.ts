import { ConnectionOptions, JetStreamClient, JetStreamManager, JetStreamOptions, NatsConnection, connect } from 'nats';
import { withTimeout } from '../util/timeout';
import { UserReads } from './userReads';
import { ensureStream, desiredStreamConfig, SEED_LIMITS, StreamAssessment, StreamLimits } from './streamConfig';

export interface SessionOptions {
  /** nats.js connection options: servers, authentication, reconnect settings. */
  connection: ConnectionOptions;
  /** JetStream domain or API prefix. */
  jetstream?: JetStreamOptions;
  streamName: string;
  subjectPrefix: string;
  /** Bound on every request to the server. */
  timeoutMs: number;
  /** Limits of a stream this session creates; an existing stream keeps its own. */
  limits?: StreamLimits;
  /** When false, the stream must already exist (a user who may not create streams). */
  createStream?: boolean;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Bound on a request the server answers only after scanning the stream: creating a filtered consumer on a 2.9
 * server counts its matches first, which took 9–20 s at the seed's 10,000,000-message limit on a 2-CPU machine.
 */
export const SCAN_TIMEOUT_MS = 60_000;

/** An open connection with JetStream, bound to the event stream. */
export class NatsSession {
  /** Reads a user waits for: background readers of this connection let them go first. */
  readonly userReads = new UserReads();

  private constructor(
    readonly nc: NatsConnection,
    readonly jsm: JetStreamManager,
    /** The same API, waiting up to {@link SCAN_TIMEOUT_MS}: for the requests that scan the stream. */
    readonly scanningJsm: JetStreamManager,
    readonly js: JetStreamClient,
    readonly options: SessionOptions,
    /** Whether the stream was created, or the operator's and how its settings limit us; undefined when not checked. */
    readonly stream: StreamAssessment | undefined,
  ) {}

  get streamName(): string {
    return this.options.streamName;
  }

  get prefix(): string {
    return this.options.subjectPrefix;
  }

  get timeoutMs(): number {
    return this.options.timeoutMs;
  }

  static async open(options: SessionOptions): Promise<NatsSession> {
    // Without async traces: nats.js otherwise makes two Error objects (stacks captured) for every request, which
    // was a quarter of the backend's CPU while direct gets ran by the thousand (failure lookups, timelines).
    const nc = await connect({ timeout: options.timeoutMs, noAsyncTraces: true, ...options.connection });
    try {
      const jsOptions = { timeout: options.timeoutMs, ...options.jetstream };
      const jsm = await nc.jetstreamManager(jsOptions);
      const js = nc.jetstream(jsOptions);
      const outcome =
        options.createStream === false
          ? undefined
          : await ensureStream(jsm, desiredStreamConfig(options.streamName, options.subjectPrefix, options.limits ?? SEED_LIMITS), options.subjectPrefix);
      const scanningJsm = await nc.jetstreamManager({ ...jsOptions, timeout: Math.max(SCAN_TIMEOUT_MS, options.timeoutMs), checkAPI: false });
      return new NatsSession(nc, jsm, scanningJsm, js, options, outcome);
    } catch (error) {
      await nc.close().catch(() => undefined);
      throw error;
    }
  }

  /** The server's version, from the connection's INFO. */
  get serverVersion(): string {
    return this.nc.info?.version ?? 'unknown';
  }

  async close(): Promise<void> {
    if (this.nc.isClosed()) return;
    await withTimeout(this.nc.drain(), this.timeoutMs, 'draining the NATS connection').catch(() => this.nc.close());
  }
}
