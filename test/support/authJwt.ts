import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nkeys } from 'nats';

/**
 * Test-time NATS decentralised auth: nkey pairs and JWTs signed here (no nsc needed), creds files
 * in the standard format, and the server configuration lines for operator mode with a MEMORY resolver.
 */

/** The slice of nats.js' `nkeys` (typed `any` there) the tests use. */
export interface KeyPair {
  getPublicKey(): string;
  getSeed(): Uint8Array;
  sign(input: Uint8Array): Uint8Array;
  verify(input: Uint8Array, sig: Uint8Array): boolean;
}
interface NKeys {
  createOperator(): KeyPair;
  createAccount(): KeyPair;
  createUser(): KeyPair;
  fromSeed(seed: Uint8Array): KeyPair;
  fromPublic(publicKey: string): KeyPair;
}
export const nk = nkeys as NKeys;

export function seedText(kp: KeyPair): string {
  return new TextDecoder().decode(kp.getSeed());
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  return out;
}

function b64url(data: string | Uint8Array): string {
  return Buffer.from(data).toString('base64url');
}

/** Signs NATS JWT v2 claims with `issuer` (jti = base32 sha512/256 of the claims, as jwt.go does). */
export function signJwt(issuer: KeyPair, subject: string, name: string, nats: Record<string, unknown>): string {
  const claims: Record<string, unknown> = {
    jti: '',
    iat: Math.floor(Date.now() / 1000),
    iss: issuer.getPublicKey(),
    name,
    sub: subject,
    nats: { ...nats, version: 2 },
  };
  claims.jti = base32(createHash('sha512-256').update(JSON.stringify(claims)).digest());
  const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'ed25519-nkey' }));
  const payload = b64url(JSON.stringify(claims));
  const sig = issuer.sign(new TextEncoder().encode(`${header}.${payload}`));
  return `${header}.${payload}.${b64url(sig)}`;
}

/** Unlimited account limits, with JetStream enabled (non-zero storage) unless `jetstream` is false. */
export function accountLimits(jetstream = true): Record<string, unknown> {
  return {
    subs: -1,
    data: -1,
    payload: -1,
    imports: -1,
    exports: -1,
    wildcards: true,
    conn: -1,
    leaf: -1,
    mem_storage: jetstream ? -1 : 0,
    disk_storage: jetstream ? -1 : 0,
    streams: jetstream ? -1 : 0,
    consumer: jetstream ? -1 : 0,
  };
}

export interface Permissions {
  pub?: { allow?: string[]; deny?: string[] };
  sub?: { allow?: string[]; deny?: string[] };
}

/** The standard creds file text (what `nsc generate creds` writes). */
export function credsText(userJwt: string, user: KeyPair): string {
  return [
    '-----BEGIN NATS USER JWT-----',
    userJwt,
    '------END NATS USER JWT------',
    '',
    '************************* IMPORTANT *************************',
    'NKEY Seed printed below can be used to sign and prove identity.',
    'NKEYs are sensitive and should be treated as secrets.',
    '',
    '-----BEGIN USER NKEY SEED-----',
    seedText(user),
    '------END USER NKEY SEED------',
    '',
    '*************************************************************',
    '',
  ].join('\n');
}

/** An operator with a system account and one application account, for operator-mode servers. */
export class TestOperator {
  readonly operator = nk.createOperator();
  readonly systemAccount = nk.createAccount();
  readonly account = nk.createAccount();
  readonly operatorJwt: string;
  readonly systemAccountJwt: string;
  readonly accountJwt: string;

  constructor(options: { jetstream?: boolean } = {}) {
    this.operatorJwt = signJwt(this.operator, this.operator.getPublicKey(), 'naq-test-operator', {
      type: 'operator',
      system_account: this.systemAccount.getPublicKey(),
    });
    this.systemAccountJwt = signJwt(this.operator, this.systemAccount.getPublicKey(), 'SYS', {
      type: 'account',
      limits: accountLimits(false),
    });
    this.accountJwt = signJwt(this.operator, this.account.getPublicKey(), 'NAQ', {
      type: 'account',
      limits: accountLimits(options.jetstream ?? true),
    });
  }

  /** Server configuration lines: operator JWT, MEMORY resolver preloaded with both accounts. */
  serverConfig(): string {
    return [
      `operator: ${this.operatorJwt}`,
      `system_account: ${this.systemAccount.getPublicKey()}`,
      'resolver: MEMORY',
      'resolver_preload: {',
      `  ${this.systemAccount.getPublicKey()}: ${this.systemAccountJwt}`,
      `  ${this.account.getPublicKey()}: ${this.accountJwt}`,
      '}',
    ].join('\n');
  }

  /** A user of the application account; returns its creds file text. */
  userCreds(name: string, permissions: Permissions = {}): { creds: string; user: KeyPair; jwt: string } {
    const user = nk.createUser();
    const jwt = signJwt(this.account, user.getPublicKey(), name, {
      type: 'user',
      pub: permissions.pub ?? {},
      sub: permissions.sub ?? {},
      subs: -1,
      data: -1,
      payload: -1,
    });
    return { creds: credsText(jwt, user), user, jwt };
  }

  writeUserCreds(dir: string, name: string, permissions: Permissions = {}): string {
    const file = join(dir, `${name}.creds`);
    writeFileSync(file, this.userCreds(name, permissions).creds, { mode: 0o600 });
    return file;
  }
}
