/**
 * `contexts/list`: the NATS CLI contexts as the backend reads them, so the extension host never
 * loads a context file (and with it a resolved password). Only which kinds of credentials a
 * context sets leaves the backend, never their values.
 */
import { readFileSync } from 'node:fs';
import { listContexts } from '../config/natsContext';
import type { ContextAuthKind, ContextItem, ContextListing } from '../protocol/protocol';

/** The context file's keys (the nats CLI's JSON names) for each kind of credential. */
const AUTH_KEYS: [ContextAuthKind, string[]][] = [
  ['user', ['user']],
  ['password', ['password']],
  ['token', ['token']],
  ['creds', ['creds']],
  ['nkey', ['nkey']],
  ['jwt', ['user_jwt']],
  ['tls', ['cert', 'key', 'ca']],
];

export function authKinds(json: unknown): ContextAuthKind[] {
  if (typeof json !== 'object' || json === null) return [];
  const fields = json as Record<string, unknown>;
  return AUTH_KEYS.filter(([, keys]) => keys.some((key) => typeof fields[key] === 'string' && fields[key] !== '')).map(([kind]) => kind);
}

function readAuth(file: string): ContextAuthKind[] {
  try {
    return authKinds(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    // Unreadable or invalid: the listing carries the problem already.
    return [];
  }
}

export function contextListing(env: NodeJS.ProcessEnv = process.env): ContextListing {
  const list = listContexts(env);
  const contexts = list.contexts.map(
    (ctx): ContextItem => ({
      name: ctx.name,
      url: ctx.url ?? null,
      selected: ctx.selected,
      auth: ctx.problem ? [] : readAuth(ctx.file),
      description: ctx.description ?? null,
      problem: ctx.problem ?? null,
    }),
  );
  return { directory: list.directory, contexts };
}
