import { readFileSync } from 'node:fs';
import { nkeys } from 'nats';
import { ConfigError, fileErrorReason } from './configError';

/** The slice of nats.js' `nkeys` (typed `any` there) this module uses. */
interface NKeyPair {
  getPublicKey(): string;
  clear(): void;
}
const nk = nkeys as { fromSeed(seed: Uint8Array): NKeyPair };

/** A seed is 58 base32 characters starting with S and the key type (U for user). */
const SEED = /\bS[A-Z2-7]{57}\b/;
/** A block between `-----BEGIN ...-----` and `------END ...------` lines, as in a creds file. */
const BLOCK = /-{3,}[^\n]*BEGIN[^\n]*-{3,}\n([\s\S]*?)\n\s*-{3,}[^\n]*END[^\n]*-{3,}/g;

function readSecretFile(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8').replace(/\r\n?/g, '\n');
  } catch (err) {
    throw new ConfigError(`cannot read the ${what} ${file}: ${fileErrorReason(err)}`, { file, cause: err });
  }
}

/** Checks the seed decodes and is a user seed; returns its public key. Never echoes the seed. */
function checkUserSeed(seed: string, file: string, what: string): string {
  if (!seed.startsWith('SU')) {
    const kind = { SA: 'an account', SO: 'an operator', SN: 'a server', SC: 'a cluster', SX: 'a curve' }[seed.slice(0, 2)] ?? 'a non-user';
    throw new ConfigError(`the ${what} ${file} holds ${kind} seed: a client needs a user seed (starting with SU)`, { file });
  }
  try {
    const kp = nk.fromSeed(new TextEncoder().encode(seed));
    const pub = kp.getPublicKey();
    kp.clear();
    return pub;
  } catch (err) {
    throw new ConfigError(`the ${what} ${file} holds a malformed nkey seed (bad checksum or encoding)`, { file, cause: err });
  }
}

/** The user seed in an nkey seed file (a bare `SU...` line, or a decorated `BEGIN USER NKEY SEED` block). */
export function readNkeySeed(file: string): { seed: Uint8Array; publicKey: string } {
  const text = readSecretFile(file, 'nkey seed file');
  const m = SEED.exec(text);
  if (!m) throw new ConfigError(`the nkey seed file ${file} contains no nkey seed (expected a line starting with SU)`, { file });
  const publicKey = checkUserSeed(m[0], file, 'nkey seed file');
  return { seed: new TextEncoder().encode(m[0]), publicKey };
}

/**
 * Reads and checks a creds file: a user JWT block, then a user seed block. Parsed here rather than
 * by nats.js' `credsAuthenticator`, whose parser needs `\n` line endings and a newline after the
 * last block: a creds file saved with CRLF, or trimmed, would fail there with a bare BAD_CREDS.
 */
export function readCreds(file: string): { jwt: string; seed: Uint8Array; publicKey: string } {
  const text = readSecretFile(file, 'credentials file');
  const blocks = [...text.matchAll(BLOCK)].map((m) => m[1].trim());
  if (blocks.length < 2) {
    throw new ConfigError(
      `the credentials file ${file} is not a NATS creds file: expected a "BEGIN NATS USER JWT" block followed by a "BEGIN USER NKEY SEED" block`,
      { file },
    );
  }
  const [jwt, seedBlock] = blocks;
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(jwt)) {
    throw new ConfigError(`the credentials file ${file} has a malformed user JWT`, { file });
  }
  const seed = SEED.exec(seedBlock);
  if (!seed) throw new ConfigError(`the credentials file ${file} has no nkey seed in its seed block`, { file });
  const publicKey = checkUserSeed(seed[0], file, 'credentials file');
  return { jwt, seed: new TextEncoder().encode(seed[0]), publicKey };
}

/** Checks a file nats.js will read later (TLS material) can be read now, so the error names it. */
export function checkReadable(file: string, what: string): void {
  try {
    readFileSync(file);
  } catch (err) {
    throw new ConfigError(`cannot read the ${what} ${file}: ${fileErrorReason(err)}`, { file, cause: err });
  }
}
