import { Socket } from 'node:net';
import { join } from 'node:path';
import { ConnectionInput, ConnectionSettings, resolveConnectionSettings } from '../config/connection';
import { DEFAULT_SERVER_URL } from '../config/serverUrls';
import { EmbeddedNats, findNatsServer } from '../embedded/embeddedNats';
import type { BackendSettings } from '../protocol/protocol';

/** Where the backend will connect, and whether it started that server itself. */
export type NatsTarget =
  | { kind: 'configured'; settings: ConnectionSettings }
  | { kind: 'embedded'; settings: ConnectionSettings; server: EmbeddedNats }
  | { kind: 'none'; reason: string };

export const INSTALL_HINT =
  'No NATS server is configured and none answers on nats://127.0.0.1:4222. Install nats-server (Debian/Ubuntu: `apt install nats-server`, macOS: `brew install nats-server`, or a release from the NATS project) and set "naq.natsServerPath" if it is not on PATH, or set "naq.serverUrl" / "naq.context" to a server you run.';

function answers(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

/** Whether something listens on the default NATS address (nats://127.0.0.1:4222). */
export function defaultServerAnswers(timeoutMs = 1_000): Promise<boolean> {
  const url = new URL(DEFAULT_SERVER_URL);
  return answers(url.hostname, Number(url.port), timeoutMs);
}

export function connectionInput(settings: BackendSettings): ConnectionInput {
  return {
    server: settings.serverUrl || undefined,
    context: settings.context || undefined,
    user: settings.secrets.user,
    password: settings.secrets.password,
    token: settings.secrets.token,
    creds: settings.secrets.credsFile,
    // The backend outlives server restarts: it never stops trying to reconnect.
    maxReconnectAttempts: -1,
    name: 'naq-job-events backend',
  };
}

/**
 * The configured server (settings, a NATS CLI context, NAQ_* variables) when there is one; otherwise a
 * server already on the default address; otherwise, when allowed, a nats-server started here.
 */
export async function chooseTarget(settings: BackendSettings, env: NodeJS.ProcessEnv = process.env): Promise<NatsTarget> {
  const resolved = resolveConnectionSettings(connectionInput(settings), env);
  if (resolved.sources.servers !== 'default') return { kind: 'configured', settings: resolved };
  if (await defaultServerAnswers()) return { kind: 'configured', settings: resolved };
  if (settings.embeddedServer === 'never') return { kind: 'none', reason: INSTALL_HINT };
  const binary = findNatsServer(settings.natsServerPath, env);
  if (!binary) {
    const missing = settings.natsServerPath ? `"naq.natsServerPath" is ${JSON.stringify(settings.natsServerPath)}, which is not an executable file. ` : '';
    return { kind: 'none', reason: `${missing}${INSTALL_HINT}` };
  }
  const server = await EmbeddedNats.start(binary, join(settings.storagePath, 'nats-store'));
  return { kind: 'embedded', server, settings: resolveConnectionSettings({ ...connectionInput(settings), server: server.url }, env) };
}
