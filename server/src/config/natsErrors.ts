import { ConfigError } from './configError';

/**
 * Turns what nats.js reports — a `NatsError` (whose message is often just its code, e.g.
 * "CONNECTION_REFUSED" or "503"), a raw Node.js socket/TLS error, a JetStream API error, or an
 * `nc.status()` error event — into one line that names the problem.
 *
 * What nats.js 2.29 actually produces against nats-server 2.9:
 * - wrong/missing credentials: code AUTHORIZATION_VIOLATION, message `'Authorization Violation'`;
 * - denied publish: code PERMISSIONS_VIOLATION, message `'Permissions Violation for Publish to "subj"'`,
 *   `permissionContext: {operation: 'publish', subject}`; the same arrives as a status event
 *   `{type: 'error', data: 'PERMISSIONS_VIOLATION', permissionContext}`, and a request or JetStream
 *   publish to that subject rejects with the error;
 * - nothing listening: code CONNECTION_REFUSED, the address only in `chainedError`;
 * - untrusted server certificate: a plain Node.js `Error` with code UNABLE_TO_VERIFY_LEAF_SIGNATURE;
 * - client demands TLS, server has none: code SERVER_OPT_NA, message `tls`;
 * - server demands a client certificate the client lacks: just TIMEOUT at connect.
 */

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  chainedError?: unknown;
  permissionContext?: { operation?: unknown; subject?: unknown; queue?: unknown };
  api_error?: { code?: unknown; err_code?: unknown; description?: unknown };
  hostname?: unknown;
  address?: unknown;
  port?: unknown;
}

interface StatusLike {
  type: unknown;
  data: unknown;
  permissionContext?: ErrorLike['permissionContext'];
}

const TLS_TRUST_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
]);

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Server error texts come wrapped in single quotes: `'Authorization Violation'`. */
function serverText(message: unknown): string {
  return typeof message === 'string' ? oneLine(message).replace(/^'(.*)'$/, '$1') : '';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object';
}

function permissionDenied(ctx: ErrorLike['permissionContext'], message: unknown): string {
  let operation = typeof ctx?.operation === 'string' ? ctx.operation : undefined;
  let subject = typeof ctx?.subject === 'string' ? ctx.subject : undefined;
  let queue = typeof ctx?.queue === 'string' ? ctx.queue : undefined;
  if (subject === undefined) {
    const m = /(Publish|Subscription) to "([^"]+)"(?: using queue "([^"]+)")?/.exec(serverText(message));
    if (m) [operation, subject, queue] = [m[1].toLowerCase(), m[2], m[3]];
  }
  if (subject === undefined) return `permission denied: ${serverText(message) || 'the server refused the operation'}`;
  const verb = operation === 'subscription' ? 'subscribe to' : 'publish to';
  let hint = '';
  if (operation === 'subscription' && /^_INBOX[._]/.test(subject)) {
    hint = ' (replies need subscribe permission on _INBOX.>, or an inbox prefix the user may subscribe to)';
  } else if (operation !== 'subscription' && subject.startsWith('$JS.')) {
    hint = ' (JetStream needs publish permission on $JS.API.>)';
  }
  const inQueue = queue !== undefined ? ` in queue group ${JSON.stringify(queue)}` : '';
  return `permission denied: cannot ${verb} ${JSON.stringify(subject)}${inQueue}${hint}`;
}

function refusedAddress(err: ErrorLike): string | undefined {
  const chained = isObject(err.chainedError) ? (err.chainedError as ErrorLike) : undefined;
  for (const e of [err, chained]) {
    if (e === undefined) continue;
    if (typeof e.address === 'string' && typeof e.port === 'number') return `${e.address}:${e.port}`;
    const m = typeof e.message === 'string' ? /ECONNREFUSED (\S+)/.exec(e.message) : null;
    if (m) return m[1];
  }
  return undefined;
}

function describeSystemError(code: string, err: ErrorLike): string | undefined {
  const message = typeof err.message === 'string' ? oneLine(err.message) : code;
  if (TLS_TRUST_CODES.has(code)) {
    return `TLS: the server's certificate is not trusted (${message}); set the CA file that signed it (tlsCa, or "ca" in the NATS context)`;
  }
  switch (code) {
    case 'CERT_HAS_EXPIRED':
      return `TLS: the server's certificate has expired (${message})`;
    case 'CERT_NOT_YET_VALID':
      return `TLS: the server's certificate is not valid yet (${message})`;
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `TLS: the server's certificate does not match the host name (${message}); connect with a name the certificate lists`;
    case 'ECONNREFUSED': {
      const address = refusedAddress(err);
      return `connection refused: no NATS server is listening at ${address ?? 'the configured address'}`;
    }
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve host ${typeof err.hostname === 'string' ? JSON.stringify(err.hostname) : 'name'} (${message})`;
    case 'ETIMEDOUT':
      return `timed out connecting to the NATS server (${message})`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `network unreachable: ${message}`;
    case 'ECONNRESET':
    case 'EPIPE':
      return `the connection was reset by the server (${message}); if the server requires TLS or a client certificate, check the TLS settings`;
    default:
      if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code === 'EPROTO') return `TLS: handshake failed (${message})`;
      return undefined;
  }
}

/**
 * When the error happened: while `connecting` a timeout may be a wrong address or a missing TLS client
 * certificate; on an open connection (a `request`) it means the server stopped answering.
 */
export type ErrorMoment = 'connecting' | 'request';

/** A one-line, user-facing description of a nats.js error, status event, or configuration error. */
export function describeNatsError(err: unknown, moment: ErrorMoment = 'connecting'): string {
  if (err instanceof ConfigError) return oneLine(err.message);
  if (!isObject(err)) return err === undefined || err === null ? 'unknown error' : oneLine(String(err));

  // An nc.status() event: {type: 'error', data: 'PERMISSIONS_VIOLATION', permissionContext}.
  if ('type' in err && 'data' in err && !(err instanceof Error)) {
    const status = err as unknown as StatusLike;
    if (status.data === 'PERMISSIONS_VIOLATION') return permissionDenied(status.permissionContext, undefined);
    if (typeof status.data === 'string') return describeNatsError({ code: status.data, message: status.data }, moment);
    return `NATS ${String(status.type)} event`;
  }

  const e = err as ErrorLike;
  const code = typeof e.code === 'string' ? e.code : typeof e.code === 'number' ? String(e.code) : '';
  const text = serverText(e.message);

  if (isObject(e.api_error)) {
    const api = e.api_error;
    const desc = typeof api.description === 'string' ? api.description : text;
    const errCode = typeof api.err_code === 'number' ? ` (JetStream error ${api.err_code})` : '';
    return `JetStream: ${desc}${errCode}`;
  }

  switch (code) {
    case 'AUTHORIZATION_VIOLATION':
      return `authorization failed: the server rejected the credentials (${text || 'Authorization Violation'}); check user/password, token, nkey or creds`;
    case 'AUTHENTICATION_EXPIRED':
      return `authentication expired: the user's JWT has expired (${text}); renew the creds`;
    case 'ACCOUNT_EXPIRED':
      return `account expired: the account's JWT has expired (${text})`;
    case 'AUTHENTICATION_TIMEOUT':
      return `authentication timed out: the server got no credentials in time (${text})`;
    case 'PERMISSIONS_VIOLATION':
      return permissionDenied(e.permissionContext, e.message);
    case 'TIMEOUT':
      if (moment === 'request') return 'timed out: the NATS server stopped answering (no reply in time; a frozen or overloaded server)';
      return 'timed out: the NATS server did not answer in time (when connecting: check the address, and whether the server requires a TLS client certificate)';
    case 'CONNECTION_TIMEOUT':
      return 'timed out: the NATS server did not answer in time (when connecting: check the address, and whether the server requires a TLS client certificate)';
    case 'CONNECTION_REFUSED':
      return `connection refused: no NATS server is listening at ${refusedAddress(e) ?? 'the configured address'}`;
    case '503':
      return 'no responders: nothing is listening on the request subject (for JetStream: JetStream is not enabled for this account, or the domain/API prefix is wrong)';
    case 'SERVER_OPT_NA':
      return text === 'tls'
        ? 'TLS required but the server does not offer it: the client settings ask for TLS (tls:// URL, CA or certificate); the server has no tls block'
        : `the server does not support the requested option "${text}"`;
    case 'TLS': {
      const chained = isObject(e.chainedError) ? (e.chainedError as ErrorLike) : undefined;
      const inner = chained && typeof chained.code === 'string' ? describeSystemError(chained.code, chained) : undefined;
      return inner ?? `TLS setup failed: ${text}`;
    }
    case 'BAD_CREDS':
      return 'the credentials file is malformed: expected a user JWT block and a user seed block';
    case 'BAD_AUTHENTICATION':
      return `authentication is misconfigured: ${text}`;
    case 'CONNECTION_CLOSED':
      return 'the NATS connection is closed';
    case 'CONNECTION_DRAINING':
      return 'the NATS connection is draining';
    case 'DISCONNECT':
      return 'disconnected from the NATS server';
    case 'MAX_PAYLOAD_EXCEEDED':
      return `message too large: ${text} (server max_payload)`;
    case 'NATS_PROTOCOL_ERR':
      return `NATS server error: ${text}`;
    default:
      break;
  }
  const system = code === '' ? undefined : describeSystemError(code, e);
  if (system !== undefined) return system;
  if (text !== '') return code !== '' && code !== text ? `${text} (${code})` : text;
  return code !== '' ? code : 'unknown error';
}
