import { jwtAuthenticator, nkeyAuthenticator } from 'nats';
import type { Authenticator, ConnectionOptions, JetStreamOptions, TlsOptions } from 'nats';
import { ConfigError } from './configError';
import { checkReadable, readCreds, readNkeySeed } from './credentials';
import { expandPath, loadContext, type NatsContext } from './natsContext';
import { literalSubjectProblem, subjectTokenProblem } from './natsNames';
import { DEFAULT_SERVER_URL, parseServerList, redactUrl, type ServerUrl } from './serverUrls';
import { envValue, loadSettings } from './settings';

/** TLS material for the connection; every path is read by nats.js when it dials. */
export interface TlsSettings {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  /** TLS before the server's INFO (server `handshake_first`, NATS 2.10.4+). */
  handshakeFirst: boolean;
}

/** Where a group of connection values came from, highest precedence first. */
export type SettingSource = 'input' | 'context' | 'env' | 'default';

export type AuthMethod = 'none' | 'user' | 'token' | 'creds' | 'nkey' | 'jwt';

/** The values of the authentication methods; settings hold those of exactly one method (or none). */
export interface AuthFields {
  user?: string;
  password?: string;
  token?: string;
  credsFile?: string;
  nkeySeedFile?: string;
  /** A user JWT given inline by a context (`user_jwt`), and its optional inline seed (`user_seed`). */
  userJwt?: string;
  userSeed?: string;
}

/** Everything needed to connect, resolved from options, a NATS CLI context and NAQ_* variables. */
export interface ConnectionSettings extends AuthFields {
  /** `nats://host:port` / `tls://host:port`, user info removed (it lives in user/password/token). */
  servers: string[];
  /** Exactly one authentication method is set (or none). */
  auth: AuthMethod;
  /** Set when TLS is required (TLS files, `tls://` URLs or handshake-first); else TLS is used only if the server asks. */
  tls?: TlsSettings;
  jetstreamDomain?: string;
  apiPrefix?: string;
  inboxPrefix?: string;
  timeoutMs: number;
  /** -1 retries forever. */
  maxReconnectAttempts: number;
  /** Connection name the server shows in its connection list. */
  name: string;
  /** The NATS CLI context that contributed, if any. */
  context?: string;
  sources: { servers: SettingSource; auth: SettingSource };
  /** Context fields that were set but cannot be honoured (see `NatsContext.unsupported`). */
  warnings: string[];
}

/** Explicit choices (command-line flags, extension settings); each beats the context and the environment. */
export interface ConnectionInput {
  /** One URL or a comma-separated list. */
  server?: string;
  /** A NATS CLI context name; `false` ignores the selected context too. */
  context?: string | false;
  creds?: string;
  nkey?: string;
  user?: string;
  /** Alone (without user/token/creds/nkey) it completes a user that the context names. */
  password?: string;
  token?: string;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsFirst?: boolean;
  jetstreamDomain?: string;
  apiPrefix?: string;
  inboxPrefix?: string;
  timeoutMs?: number;
  maxReconnectAttempts?: number;
  name?: string;
}

export const DEFAULT_CONNECTION_NAME = 'naq-job-events';
/** Reconnect pacing and liveness: a dead server is noticed after about pingInterval x (maxPingOut + 1). */
export const RECONNECT_TIME_WAIT_MS = 1_000;
export const PING_INTERVAL_MS = 10_000;
export const MAX_PINGS_OUT = 2;

interface AuthLayer extends AuthFields {
  method: AuthMethod;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** The NATS CLI's order when a context sets several: user, creds, nkey, user JWT, token. */
function authLayer(fields: Omit<AuthLayer, 'method'>, fromUrl: ServerUrl[] = []): AuthLayer | undefined {
  const user = nonEmpty(fields.user);
  if (user !== undefined) return { method: 'user', user, password: fields.password ?? '' };
  if (nonEmpty(fields.credsFile) !== undefined) return { method: 'creds', credsFile: fields.credsFile };
  if (nonEmpty(fields.nkeySeedFile) !== undefined) return { method: 'nkey', nkeySeedFile: fields.nkeySeedFile };
  if (nonEmpty(fields.userJwt) !== undefined) {
    const layer: AuthLayer = { method: 'jwt', userJwt: fields.userJwt };
    if (nonEmpty(fields.userSeed) !== undefined) layer.userSeed = fields.userSeed;
    return layer;
  }
  if (nonEmpty(fields.token) !== undefined) return { method: 'token', token: fields.token };
  const withUser = fromUrl.find((s) => s.user !== undefined);
  if (withUser) return { method: 'user', user: withUser.user, password: withUser.password ?? '' };
  const withToken = fromUrl.find((s) => s.token !== undefined);
  if (withToken) return { method: 'token', token: withToken.token };
  return undefined;
}

function checkSubject(setting: string, value: string, problem: string | undefined, expected: string): void {
  if (problem !== undefined) throw new ConfigError(`${setting}=${JSON.stringify(value)} is invalid: expected ${expected} (${problem})`, { setting });
}

function contextSetting(ctx: NatsContext, field: string): string {
  return `${field} (NATS context "${ctx.name}")`;
}

/**
 * Resolves where and how to connect. Precedence, per group of values: explicit `input` > NATS CLI
 * context (the named one, else the selected one) > NAQ_* environment > defaults. Authentication is
 * taken whole from the first layer that sets any (so a context's creds never mix with a flag's
 * user), except that a lone `input.password` completes the user of the chosen layer.
 */
export function resolveConnectionSettings(input: ConnectionInput = {}, env: NodeJS.ProcessEnv = process.env): ConnectionSettings {
  const naq = loadSettings(env);
  const ctx = input.context === false ? undefined : loadContext(nonEmpty(input.context), env);

  const inputServers = nonEmpty(input.server?.trim()) !== undefined ? parseServerList(input.server ?? '', 'server') : undefined;
  let ctxServers: ServerUrl[] | undefined;
  if (ctx?.url !== undefined) ctxServers = parseServerList(ctx.url, contextSetting(ctx, 'url'));
  const envUrl = envValue(env, 'NAQ_EVENT_STORAGE_URL');
  const envServers = envUrl !== undefined ? parseServerList(naq.eventStorageUrl, 'NAQ_EVENT_STORAGE_URL') : undefined;

  let servers: ServerUrl[];
  let serversSource: SettingSource;
  if (inputServers) [servers, serversSource] = [inputServers, 'input'];
  else if (ctxServers) [servers, serversSource] = [ctxServers, 'context'];
  else if (envServers) [servers, serversSource] = [envServers, 'env'];
  else [servers, serversSource] = [parseServerList(DEFAULT_SERVER_URL, 'default'), 'default'];

  const layers: [SettingSource, AuthLayer | undefined][] = [
    [
      'input',
      authLayer(
        {
          user: input.user,
          password: input.password,
          token: input.token,
          credsFile: input.creds === undefined ? undefined : expandPath(input.creds, env),
          nkeySeedFile: input.nkey === undefined ? undefined : expandPath(input.nkey, env),
        },
        inputServers,
      ),
    ],
    [
      'context',
      ctx === undefined
        ? undefined
        : authLayer(
            {
              user: ctx.user,
              password: ctx.password,
              token: ctx.token,
              credsFile: ctx.creds,
              nkeySeedFile: ctx.nkey,
              userJwt: ctx.userJwt,
              userSeed: ctx.userSeed,
            },
            ctxServers,
          ),
    ],
    ['env', envServers === undefined ? undefined : authLayer({}, envServers)],
  ];
  const chosen = layers.find(([, layer]) => layer !== undefined);
  const [authSource, auth]: [SettingSource, AuthLayer] = chosen?.[1] !== undefined ? [chosen[0], chosen[1]] : ['default', { method: 'none' }];
  const lonePassword = authSource !== 'input' && nonEmpty(input.password) !== undefined;
  if (lonePassword && auth.method === 'user') auth.password = input.password;

  const settings: ConnectionSettings = {
    servers: servers.map((s) => s.url),
    auth: auth.method,
    timeoutMs: input.timeoutMs ?? naq.connectionTimeoutMs,
    maxReconnectAttempts: input.maxReconnectAttempts ?? naq.maxReconnectAttempts,
    name: nonEmpty(input.name) ?? DEFAULT_CONNECTION_NAME,
    sources: { servers: serversSource, auth: authSource },
    warnings: [],
  };
  for (const key of ['user', 'password', 'token', 'credsFile', 'nkeySeedFile', 'userJwt', 'userSeed'] as const) {
    const value = auth[key];
    if (value !== undefined) settings[key] = value;
  }
  if (lonePassword && auth.method !== 'user') settings.warnings.push('a password was given without a user to go with it; it is ignored');
  if (ctx !== undefined) {
    settings.context = ctx.name;
    settings.warnings.push(
      ...ctx.unsupported.map((field) => `NATS context "${ctx.name}" sets "${field}", which this extension does not support; it is ignored`),
    );
  }

  if (!Number.isInteger(settings.timeoutMs) || settings.timeoutMs < 1) {
    throw new ConfigError(`timeoutMs=${settings.timeoutMs} is invalid: expected a whole number of milliseconds >= 1`, { setting: 'timeoutMs' });
  }
  if (!Number.isInteger(settings.maxReconnectAttempts) || settings.maxReconnectAttempts < -1) {
    throw new ConfigError(`maxReconnectAttempts=${settings.maxReconnectAttempts} is invalid: expected a whole number >= 0, or -1 for forever`, {
      setting: 'maxReconnectAttempts',
    });
  }

  // TLS: each file from input, else context; required as soon as anything asks for it.
  const caFile = nonEmpty(input.tlsCa) !== undefined ? expandPath(input.tlsCa ?? '', env) : ctx?.ca;
  const certFile = nonEmpty(input.tlsCert) !== undefined ? expandPath(input.tlsCert ?? '', env) : ctx?.cert;
  const keyFile = nonEmpty(input.tlsKey) !== undefined ? expandPath(input.tlsKey ?? '', env) : ctx?.key;
  const handshakeFirst = input.tlsFirst ?? ctx?.tlsFirst ?? false;
  if ((certFile === undefined) !== (keyFile === undefined)) {
    const [has, lacks] = certFile === undefined ? ['key', 'certificate'] : ['certificate', 'key'];
    throw new ConfigError(`a TLS client ${has} is set without its ${lacks}: set both tlsCert and tlsKey (context fields cert and key)`, {
      setting: certFile === undefined ? 'tlsCert' : 'tlsKey',
    });
  }
  if (caFile !== undefined || certFile !== undefined || handshakeFirst || servers.some((s) => s.scheme === 'tls')) {
    const tls: TlsSettings = { handshakeFirst };
    if (caFile !== undefined) tls.caFile = caFile;
    if (certFile !== undefined) tls.certFile = certFile;
    if (keyFile !== undefined) tls.keyFile = keyFile;
    settings.tls = tls;
  }

  // JetStream domain, API prefix, inbox prefix: input, else context; each checked as subject material.
  const subjects = [
    ['jetstreamDomain', 'jetstreamDomain', 'jetstream_domain', 'a JetStream domain name: one subject token without wildcards', subjectTokenProblem],
    ['apiPrefix', 'jetstreamApiPrefix', 'jetstream_api_prefix', 'a subject prefix without wildcards, like $JS.hub.API', literalSubjectProblem],
    ['inboxPrefix', 'inboxPrefix', 'inbox_prefix', 'a subject prefix without wildcards, like _INBOX_naq', literalSubjectProblem],
  ] as const;
  for (const [option, ctxKey, field, expected, problemOf] of subjects) {
    const fromInput = nonEmpty(input[option]);
    const value = fromInput ?? ctx?.[ctxKey];
    if (value === undefined) continue;
    const setting = fromInput !== undefined || ctx === undefined ? option : contextSetting(ctx, field);
    checkSubject(setting, value, problemOf(value), expected);
    settings[option] = value;
  }
  return settings;
}

/** Re-reads a secret file on every (re)connect, so rotated credentials are picked up; keeps the last good copy. */
function rereading<T>(first: T, read: () => T): () => T {
  let last = first;
  return () => {
    try {
      last = read();
    } catch {
      // keep the last good copy: a rotation in progress must not break a reconnect
    }
    return last;
  };
}

function authenticator(s: ConnectionSettings): Authenticator | undefined {
  switch (s.auth) {
    case 'creds': {
      const file = s.credsFile ?? '';
      const first = readCreds(file);
      const current = rereading(first, () => readCreds(file));
      return jwtAuthenticator(
        () => current().jwt,
        () => current().seed,
      );
    }
    case 'nkey': {
      const file = s.nkeySeedFile ?? '';
      const first = readNkeySeed(file);
      const current = rereading(first, () => readNkeySeed(file));
      return nkeyAuthenticator(() => current().seed);
    }
    case 'jwt': {
      const seed = s.userSeed;
      return seed === undefined ? jwtAuthenticator(s.userJwt ?? '') : jwtAuthenticator(s.userJwt ?? '', new TextEncoder().encode(seed));
    }
    default:
      return undefined;
  }
}

/**
 * Options for nats.js `connect()`. Reads and checks the creds / nkey seed file and checks the TLS
 * files are readable, throwing a `ConfigError` naming any file that is not.
 */
export function toConnectOptions(s: ConnectionSettings): ConnectionOptions {
  const opts: ConnectionOptions = {
    servers: [...s.servers],
    name: s.name,
    timeout: s.timeoutMs,
    reconnect: true,
    maxReconnectAttempts: s.maxReconnectAttempts,
    reconnectTimeWait: RECONNECT_TIME_WAIT_MS,
    pingInterval: PING_INTERVAL_MS,
    maxPingOut: MAX_PINGS_OUT,
  };
  if (s.inboxPrefix !== undefined) opts.inboxPrefix = s.inboxPrefix;
  if (s.auth === 'user') {
    opts.user = s.user;
    opts.pass = s.password ?? '';
  } else if (s.auth === 'token') {
    opts.token = s.token;
  } else {
    const auth = authenticator(s);
    if (auth !== undefined) opts.authenticator = auth;
  }
  if (s.tls !== undefined) {
    const tls: TlsOptions = { handshakeFirst: s.tls.handshakeFirst };
    if (s.tls.caFile !== undefined) {
      checkReadable(s.tls.caFile, 'TLS CA file');
      tls.caFile = s.tls.caFile;
    }
    if (s.tls.certFile !== undefined) {
      checkReadable(s.tls.certFile, 'TLS client certificate');
      tls.certFile = s.tls.certFile;
    }
    if (s.tls.keyFile !== undefined) {
      checkReadable(s.tls.keyFile, 'TLS client key');
      tls.keyFile = s.tls.keyFile;
    }
    opts.tls = tls;
  }
  return opts;
}

/** Options for `nc.jetstream()` / `nc.jetstreamManager()`: the domain, else the API prefix, else none. */
export function jetStreamOptions(s: ConnectionSettings): JetStreamOptions {
  // As the NATS CLI: a domain wins over an explicit API prefix.
  if (s.jetstreamDomain !== undefined) return { domain: s.jetstreamDomain };
  if (s.apiPrefix !== undefined) return { apiPrefix: s.apiPrefix };
  return {};
}

/**
 * One line describing the connection, safe to log: servers (user info redacted), context, auth
 * method and user name, file paths, TLS and JetStream options. Never a password, token, JWT or seed.
 */
export function describeConnection(s: ConnectionSettings): string {
  const parts = [s.servers.map((url) => redactUrl(url)).join(', ')];
  if (s.context !== undefined) parts.push(`context "${s.context}"`);
  switch (s.auth) {
    case 'user':
      parts.push(`auth: user ${JSON.stringify(s.user ?? '')}${s.password ? ' with password' : ' without password'}`);
      break;
    case 'token':
      parts.push('auth: token');
      break;
    case 'creds':
      parts.push(`auth: creds file ${s.credsFile ?? ''}`);
      break;
    case 'nkey':
      parts.push(`auth: nkey seed file ${s.nkeySeedFile ?? ''}`);
      break;
    case 'jwt':
      parts.push(`auth: user JWT from context${s.userSeed !== undefined ? ' with seed' : ''}`);
      break;
    default:
      parts.push('auth: none');
  }
  if (s.tls !== undefined) {
    const tls = ['tls'];
    if (s.tls.caFile !== undefined) tls.push(`ca ${s.tls.caFile}`);
    if (s.tls.certFile !== undefined) tls.push(`cert ${s.tls.certFile}`, `key ${s.tls.keyFile ?? ''}`);
    if (s.tls.handshakeFirst) tls.push('handshake first');
    parts.push(tls.join(' '));
  }
  if (s.jetstreamDomain !== undefined) parts.push(`JetStream domain "${s.jetstreamDomain}"`);
  else if (s.apiPrefix !== undefined) parts.push(`JetStream API prefix "${s.apiPrefix}"`);
  if (s.inboxPrefix !== undefined) parts.push(`inbox prefix "${s.inboxPrefix}"`);
  const reconnect = s.maxReconnectAttempts === -1 ? 'reconnect forever' : `reconnect ${s.maxReconnectAttempts}x`;
  parts.push(`timeout ${s.timeoutMs / 1000}s, ${reconnect}`);
  return parts.join('; ');
}
