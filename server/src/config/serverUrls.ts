import { ConfigError } from './configError';

/** The default server of the product: 127.0.0.1 rather than localhost, which may resolve to ::1 first. */
export const DEFAULT_SERVER_URL = 'nats://127.0.0.1:4222';
export const DEFAULT_NATS_PORT = 4222;

/** One parsed NATS server URL. */
export interface ServerUrl {
  /** `nats://host:port` or `tls://host:port` with no user info: the form handed to nats.js `servers`. */
  url: string;
  scheme: 'nats' | 'tls';
  /** Host name or IP address, IPv6 without brackets. */
  host: string;
  port: number;
  /**
   * Credentials carried in the URL itself, as nats-py (and so NAQ) accepts them:
   * `nats://user:password@host` or `nats://token@host`. nats.js ignores user info in URLs (worse: it
   * mistakes `user:1234@host` for a port), so they are lifted out here and passed as options.
   */
  user?: string;
  password?: string;
  token?: string;
}

const EXPECTED = 'a NATS server URL such as nats://127.0.0.1:4222, tls://host:4222 or host:4222 (comma-separated for several)';

/** The URL with any user info replaced by `***`, safe to log or to put in an error message. */
export function redactUrl(raw: string): string {
  return raw
    .split(',')
    .map((part) => part.replace(/^(\s*(?:[A-Za-z][A-Za-z0-9+.-]*:\/\/)?).*@/, '$1***@'))
    .join(',');
}

function invalid(setting: string, raw: string, why: string): ConfigError {
  return new ConfigError(`${setting}=${JSON.stringify(redactUrl(raw))} is invalid: ${why}; expected ${EXPECTED}`, { setting });
}

function decode(part: string, setting: string, raw: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw invalid(setting, raw, 'the user info is not valid percent-encoding');
  }
}

/**
 * Parses one server URL. `setting` names where the value came from (an environment variable, a
 * context file field, an option) and appears in the error. Secrets never appear in errors.
 */
export function parseServerUrl(raw: string, setting: string): ServerUrl {
  const trimmed = raw.trim();
  if (trimmed === '') throw invalid(setting, raw, 'the URL is empty');
  const schemeMatch = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(trimmed);
  const scheme = schemeMatch ? schemeMatch[1].toLowerCase() : 'nats';
  if (scheme === 'ws' || scheme === 'wss') {
    throw invalid(setting, raw, 'websocket URLs are not supported (the extension connects over TCP)');
  }
  if (scheme !== 'nats' && scheme !== 'tls') throw invalid(setting, raw, `unsupported scheme "${scheme}://"`);
  const withScheme = schemeMatch ? `${scheme}://${trimmed.slice(schemeMatch[0].length)}` : `nats://${trimmed}`;

  let parsed: URL;
  try {
    parsed = new URL(withScheme);
  } catch {
    throw invalid(setting, raw, 'it is not a valid URL');
  }
  if (parsed.hostname === '') throw invalid(setting, raw, 'the host is missing');
  if ((parsed.pathname !== '' && parsed.pathname !== '/') || parsed.search !== '' || parsed.hash !== '') {
    throw invalid(setting, raw, 'a server URL has no path, query or fragment');
  }
  const port = parsed.port === '' ? DEFAULT_NATS_PORT : Number(parsed.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalid(setting, raw, 'the port must be 1-65535');

  const hostname = parsed.hostname;
  const host = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  const result: ServerUrl = { url: `${scheme}://${hostname}:${port}`, scheme, host, port };

  const hasPassword = parsed.password !== '' || /^[^@/]*:[^@/]*@/.test(trimmed.slice(schemeMatch ? schemeMatch[0].length : 0));
  if (parsed.username !== '' && hasPassword) {
    result.user = decode(parsed.username, setting, raw);
    result.password = decode(parsed.password, setting, raw);
  } else if (parsed.username !== '') {
    result.token = decode(parsed.username, setting, raw);
  } else if (hasPassword) {
    throw invalid(setting, raw, 'the user info has a password but no user');
  }
  return result;
}

/** Parses a comma-separated list of server URLs (the form NATS CLI contexts and nats-py accept). */
export function parseServerList(raw: string, setting: string): ServerUrl[] {
  const parts = raw
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) throw invalid(setting, raw, 'no server URL given');
  const servers = parts.map((p) => parseServerUrl(p, setting));
  const withAuth = servers.filter((s) => s.user !== undefined || s.token !== undefined);
  const distinct = new Set(withAuth.map((s) => JSON.stringify([s.user, s.password, s.token])));
  if (distinct.size > 1) throw invalid(setting, raw, 'the URLs carry different credentials; one connection uses one identity');
  return servers;
}
