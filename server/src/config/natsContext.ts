import { readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, fileErrorReason } from './configError';
import { envValue } from './settings';
import { parseServerList, redactUrl } from './serverUrls';

/**
 * A NATS CLI context (`nats context add ...`), as stored in `<config>/nats/context/<name>.json`.
 * Field names follow the CLI's JSON (jsm.go `natscontext`); unknown fields are ignored.
 */
export interface NatsContext {
  name: string;
  /** The JSON file it was read from. */
  file: string;
  description?: string;
  /** `url` as written: one URL or a comma-separated list. May carry user info: log via `redactUrl`. */
  url?: string;
  user?: string;
  /** The password, with an `env://VAR` reference already resolved. */
  password?: string;
  /** The token, with an `env://VAR` reference already resolved. */
  token?: string;
  /** Path of the credentials (JWT + seed) file, `~` and `$VAR` expanded. */
  creds?: string;
  /** Path of the nkey seed file, `~` and `$VAR` expanded. */
  nkey?: string;
  /** Client certificate, its key, and the CA bundle: paths, `~` and `$VAR` expanded. */
  cert?: string;
  key?: string;
  ca?: string;
  jetstreamDomain?: string;
  jetstreamApiPrefix?: string;
  inboxPrefix?: string;
  /** TLS handshake before the server's INFO (server `handshake_first`). */
  tlsFirst: boolean;
  /** A user JWT given inline (`user_jwt`), with the optional inline seed (`user_seed`). */
  userJwt?: string;
  userSeed?: string;
  /** Fields set in the file that this extension cannot honour (`nsc`, `socks_proxy`, `windows_cert_store` ...). */
  unsupported: string[];
}

/** One entry of `listContexts`, without secrets. */
export interface ContextSummary {
  name: string;
  file: string;
  description?: string;
  /** Server URL(s), user info redacted. */
  url?: string;
  selected: boolean;
  /** Why the file cannot be used (unreadable, invalid JSON ...); the context is still listed. */
  problem?: string;
}

export interface ContextList {
  /** The directory the contexts were read from (it may not exist). */
  directory: string;
  /** The selected context's name, from $NATS_CONTEXT or context.txt. */
  selected?: string;
  selectedBy?: 'NATS_CONTEXT' | 'context.txt';
  /** True when the selected name has no context file. */
  selectedMissing: boolean;
  /** Sorted by name. */
  contexts: ContextSummary[];
}

const STRING_FIELDS = {
  description: 'description',
  url: 'url',
  user: 'user',
  password: 'password',
  token: 'token',
  creds: 'creds',
  nkey: 'nkey',
  cert: 'cert',
  key: 'key',
  ca: 'ca',
  jetstream_domain: 'jetstreamDomain',
  jetstream_api_prefix: 'jetstreamApiPrefix',
  inbox_prefix: 'inboxPrefix',
  user_jwt: 'userJwt',
  user_seed: 'userSeed',
} as const satisfies Record<string, keyof NatsContext>;

/** Fields the CLI knows that change how it connects but that this extension does not implement. */
const UNSUPPORTED_FIELDS = ['nsc', 'socks_proxy', 'windows_cert_store', 'windows_cert_match_by', 'windows_cert_match', 'windows_ca_certs_match'];
const PATH_FIELDS = ['creds', 'nkey', 'cert', 'key', 'ca'] as const;
const SECRET_FIELDS = ['password', 'token', 'user_jwt', 'user_seed'] as const;

function homeDirectory(env: NodeJS.ProcessEnv): string {
  return envValue(env, 'HOME') ?? envValue(env, 'USERPROFILE') ?? homedir();
}

/** `$XDG_CONFIG_HOME/nats`, else `~/.config/nats`, the CLI's configuration directory. */
export function natsConfigDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return join(envValue(env, 'XDG_CONFIG_HOME') ?? join(homeDirectory(env), '.config'), 'nats');
}

/** The directory holding one `<name>.json` per context. */
export function contextDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return join(natsConfigDirectory(env), 'context');
}

/** The CLI's own rule: not empty, no `..`, no path separator. */
function checkName(name: string): void {
  if (name === '' || name.includes('..') || name.includes('/') || name.includes('\\') || name.includes('\0')) {
    throw new ConfigError(`invalid NATS context name ${JSON.stringify(name)}: expected a name without "..", "/" or "\\"`, {
      setting: 'context',
    });
  }
}

/** The file a context of that name lives in. */
export function contextFile(name: string, env: NodeJS.ProcessEnv = process.env): string {
  checkName(name);
  return join(contextDirectory(env), `${name}.json`);
}

/** The selected context: `$NATS_CONTEXT` (as the CLI honours it), else the name in `context.txt`. */
export function selectedContext(env: NodeJS.ProcessEnv = process.env): { name: string; by: 'NATS_CONTEXT' | 'context.txt' } | undefined {
  const fromEnv = envValue(env, 'NATS_CONTEXT');
  if (fromEnv !== undefined) return { name: fromEnv, by: 'NATS_CONTEXT' };
  const file = join(natsConfigDirectory(env), 'context.txt');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(`cannot read the selected NATS context from ${file}: ${fileErrorReason(err)}`, { file, cause: err });
  }
  const name = text.trim();
  return name === '' ? undefined : { name, by: 'context.txt' };
}

/** Expands `$VAR`, `${VAR}` and a leading `~` like the CLI does, and drops a `file://` prefix. */
export function expandPath(path: string, env: NodeJS.ProcessEnv = process.env): string {
  let p = path.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_m, braced: string | undefined, bare: string | undefined) => {
    return env[braced ?? bare ?? ''] ?? '';
  });
  if (p.startsWith('file://')) p = p.slice('file://'.length);
  if (p === '~') return homeDirectory(env);
  if (p.startsWith('~/') || p.startsWith('~\\')) return join(homeDirectory(env), p.slice(2));
  return p;
}

function schemeOf(value: string): string | undefined {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(value);
  return m ? m[1].toLowerCase() : undefined;
}

function parseContext(name: string, file: string, text: string, env: NodeJS.ProcessEnv, resolveSecrets: boolean): NatsContext {
  const where = `NATS context "${name}" (${file})`;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${where} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`, { file, cause: err });
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError(`${where} is not a JSON object`, { file });
  }
  const raw = data as Record<string, unknown>;
  const ctx: NatsContext = { name, file, tlsFirst: false, unsupported: [] };

  for (const [field, key] of Object.entries(STRING_FIELDS)) {
    const value = raw[field];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value !== 'string') throw new ConfigError(`${where}: field "${field}" must be a string`, { file, setting: field });
    ctx[key] = value;
  }
  const tlsFirst = raw.tls_first;
  if (tlsFirst !== undefined && tlsFirst !== null) {
    if (typeof tlsFirst !== 'boolean') throw new ConfigError(`${where}: field "tls_first" must be true or false`, { file, setting: 'tls_first' });
    ctx.tlsFirst = tlsFirst;
  }
  for (const field of UNSUPPORTED_FIELDS) {
    const value = raw[field];
    if (value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0)) ctx.unsupported.push(field);
  }

  for (const field of PATH_FIELDS) {
    const value = ctx[field];
    if (value === undefined) continue;
    const scheme = schemeOf(value);
    if (scheme !== undefined && scheme !== 'file') {
      throw new ConfigError(`${where}: field "${field}" uses a ${scheme}:// reference, which this extension cannot resolve; give a file path`, {
        file,
        setting: field,
      });
    }
    ctx[field] = expandPath(value, env);
  }
  for (const field of SECRET_FIELDS) {
    const key = STRING_FIELDS[field];
    const value = ctx[key];
    if (value === undefined || !resolveSecrets) continue;
    const scheme = schemeOf(value);
    if (scheme === 'env') {
      const variable = value.slice('env://'.length);
      const resolved = variable === '' ? undefined : env[variable];
      if (resolved === undefined || resolved === '') {
        throw new ConfigError(`${where}: field "${field}" refers to environment variable ${JSON.stringify(variable)}, which is not set`, {
          file,
          setting: field,
        });
      }
      ctx[key] = resolved;
    } else if (scheme === 'op' || scheme === 'nsc') {
      throw new ConfigError(`${where}: field "${field}" uses a ${scheme}:// reference, which this extension cannot resolve`, { file, setting: field });
    }
  }

  if (ctx.url !== undefined) {
    try {
      parseServerList(ctx.url, 'url');
    } catch (err) {
      throw new ConfigError(`${where}: ${err instanceof Error ? err.message : String(err)}`, { file, setting: 'url', cause: err });
    }
  }
  return ctx;
}

/**
 * Loads a NATS CLI context. With a name, that context (a missing file or invalid JSON throws a
 * `ConfigError` naming the file). Without one, the selected context ($NATS_CONTEXT, else
 * context.txt), or `undefined` when none is selected.
 */
export function loadContext(name?: string, env: NodeJS.ProcessEnv = process.env): NatsContext | undefined {
  let chosen = name;
  let selectedBy = '';
  if (chosen === undefined || chosen === '') {
    const selected = selectedContext(env);
    if (selected === undefined) return undefined;
    chosen = selected.name;
    selectedBy = selected.by === 'NATS_CONTEXT' ? ' (selected by $NATS_CONTEXT)' : ` (selected in ${join(natsConfigDirectory(env), 'context.txt')})`;
  }
  const file = contextFile(chosen, env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read: ${fileErrorReason(err)}`;
    throw new ConfigError(`NATS context "${chosen}"${selectedBy} ${reason}: ${file}`, { file, setting: 'context', cause: err });
  }
  return parseContext(chosen, file, text, env, true);
}

/** Every context in the context directory, for a picker; broken files are listed with their problem. */
export function listContexts(env: NodeJS.ProcessEnv = process.env): ContextList {
  const directory = contextDirectory(env);
  const selected = selectedContext(env);
  let entries: string[];
  try {
    entries = readdirSync(directory);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new ConfigError(`cannot list NATS contexts in ${directory}: ${fileErrorReason(err)}`, { file: directory, cause: err });
    }
    entries = [];
  }
  const contexts: ContextSummary[] = [];
  for (const entry of entries.sort()) {
    if (!entry.endsWith('.json')) continue;
    const name = entry.slice(0, -'.json'.length);
    const file = join(directory, entry);
    let text: string;
    try {
      const stat = statSync(file);
      if (!stat.isFile() || stat.size === 0) continue; // as the CLI: directories and empty files are not contexts
      text = readFileSync(file, 'utf8');
    } catch (err) {
      contexts.push({ name, file, selected: name === selected?.name, problem: `cannot be read: ${fileErrorReason(err)}` });
      continue;
    }
    const summary: ContextSummary = { name, file, selected: name === selected?.name };
    try {
      // Secrets are not resolved: a listing must neither depend on nor reveal env:// references.
      const ctx = parseContext(name, file, text, env, false);
      if (ctx.description !== undefined) summary.description = ctx.description;
      if (ctx.url !== undefined) summary.url = redactUrl(ctx.url);
    } catch (err) {
      summary.problem = err instanceof Error ? err.message : String(err);
      const raw = safeJson(text);
      if (typeof raw?.description === 'string') summary.description = raw.description;
      if (typeof raw?.url === 'string') summary.url = redactUrl(raw.url);
    }
    contexts.push(summary);
  }
  const list: ContextList = {
    directory,
    selectedMissing: selected !== undefined && !contexts.some((c) => c.name === selected.name),
    contexts,
  };
  if (selected !== undefined) {
    list.selected = selected.name;
    list.selectedBy = selected.by;
  }
  return list;
}

function safeJson(text: string): Record<string, unknown> | undefined {
  try {
    const data: unknown = JSON.parse(text);
    return data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
