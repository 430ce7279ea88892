/** Connecting the backend to NATS, and what the client sees of that connection. */
import { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';

/** Settings the client passes when it starts the backend, and on every change. */
export interface BackendSettings {
  /** Empty: a NATS CLI context if one is selected, else the embedded default. */
  serverUrl: string;
  streamName: string;
  subjectPrefix: string;
  /** A NATS CLI context name; empty for none. */
  context: string;
  /** Path to the nats-server binary for the embedded default; empty: look on PATH. */
  natsServerPath: string;
  embeddedServer: 'auto' | 'never';
  /** Tail events per second pushed to the client before skipping. */
  tailRateLimit: number;
  /**
   * Jobs the index holds before it lets the least recently active go (counted in `IndexProgress.jobsLeftOut`);
   * 2,000,000 when left out, as other editors' settings written before it do.
   */
  maxIndexedJobs?: number;
  /** Folder for the index snapshot and the embedded server's store. */
  storagePath: string;
  /** From the editor's secret storage, never from settings files. */
  secrets: { user?: string; password?: string; token?: string; credsFile?: string };
}

export type ConnectionPhase = 'connecting' | 'connected' | 'degraded' | 'disconnected' | 'no-server';

export interface IndexProgress {
  building: boolean;
  indexedEvents: number;
  /** Last stream sequence when the build started; indexing is done once this is reached. */
  targetSequence: number;
  jobs: number;
  /** The index's job limit (`naq.index.maxJobs`). */
  maxJobs: number;
  /** Jobs the stream holds that the index let go at `maxJobs`: the lists do not show them. */
  jobsLeftOut: number;
  /**
   * Set while the index cannot follow the stream (its consumer could not be made or read, and it keeps trying):
   * the server's reason, and since when (epoch milliseconds). The lists show the jobs as they were then.
   */
  stalled?: IndexStall;
}

export interface IndexStall {
  reason: string;
  since: number;
}

/**
 * An unplanned loss of NATS while the backend was connected: the index holds what was known when it
 * began, and requests that need NATS fail at once. A planned disconnect (NAQ: Disconnect) has none.
 */
export interface Outage {
  /** When NATS was last known to answer (epoch milliseconds): the lists show the data of that moment. */
  since: number;
  /** `lost`: the connection dropped and the client is reconnecting; `not-answering`: the connection is open but the server stopped replying (a frozen or overloaded host). */
  cause: 'lost' | 'not-answering';
}

export interface ConnectionState {
  phase: ConnectionPhase;
  /** Why the backend is in this phase, in words a user can act on. */
  detail: string;
  server?: { url: string; version: string; embedded: boolean };
  stream?: { name: string; messages: number; bytes: number; lastSeq: number };
  index?: IndexProgress;
  /** Only with phase `disconnected`, after an unplanned loss. */
  outage?: Outage;
}

export namespace ConnectionStateNotification {
  /** Server → client, whenever the connection or the index changes phase, and while the index builds. */
  export const method = 'connection/state';
  export const type = new NotificationType<ConnectionState>(method);
}

export namespace ConnectRequest {
  /** Client → server: (re)connect with these settings. */
  export const method = 'connection/connect';
  export const type = new RequestType<BackendSettings, ConnectionState, void>(method);
}

export namespace DisconnectRequest {
  /** Client → server: close the connection and stop following the stream. */
  export const method = 'connection/disconnect';
  export const type = new RequestType0<ConnectionState, void>(method);
}

export namespace StateRequest {
  /** Client → server: the connection's current state, as the last `connection/state` notification said. */
  export const method = 'connection/getState';
  export const type = new RequestType0<ConnectionState, void>(method);
}
