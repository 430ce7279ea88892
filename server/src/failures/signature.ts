/**
 * A failure's signature: what makes two failures "the same bug" whatever job, id, host or value they hit.
 * Fingerprint = exception type + normalised message + innermost in-workspace frame (file, function).
 */
import { fnv1a } from '../util/stringHash';

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const HOST_PORT = /\b(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-f:]{2,39}\]|[a-z][\w-]{0,62}(?:\.[\w-]{1,63}){0,8}):\d{1,5}\b/gi;
const HEX = /\b(?:0x[0-9a-f]{1,64}|(?=[0-9a-f]{0,63}\d)(?=[0-9a-f]{0,63}[a-f])[0-9a-f]{8,64})\b/gi;
const QUOTED = /'[^'\n]{0,512}'|"[^"\n]{0,512}"/g;
const NUMBER = /-?\b\d+(?:\.\d+)?(?:e[+-]?\d+)?\b/gi;
/** Longest message text fingerprinted: a repr in a message can be megabytes. */
const MAX_MESSAGE_CHARS = 2000;

/** The message with what varies between occurrences of the same failure replaced by placeholders. */
export function normaliseMessage(message: string): string {
  return message
    .slice(0, MAX_MESSAGE_CHARS)
    .replace(UUID, '<uuid>')
    .replace(HOST_PORT, '<host:port>')
    .replace(QUOTED, '<str>')
    .replace(HEX, '<hex>')
    .replace(NUMBER, '<n>')
    .replace(/\s+/g, ' ')
    .trim();
}

export interface SignatureSite {
  /** Workspace file of the innermost in-workspace frame; undefined when no frame maps. */
  readonly file?: string;
  readonly function?: string;
}

export interface SignatureKey {
  readonly id: string;
  readonly type: string;
  readonly message: string;
  readonly site: SignatureSite;
}

export function signatureOf(type: string, message: string, site: SignatureSite): SignatureKey {
  return signatureOfNormalised(type, normaliseMessage(message), site);
}

/** The same for a message already normalised (a restored failure keeps its signature's message). */
export function signatureOfNormalised(type: string, normalised: string, site: SignatureSite): SignatureKey {
  return { id: fingerprint(`${type}\n${normalised}\n${site.file ?? ''}\n${site.function ?? ''}`), type, message: normalised, site };
}

/**
 * 64 bits of two FNV-1a lanes with different primes, as 16 hex digits. A SHA-1 per signature (what this replaced)
 * took 190 ms for 200,000 failures on a restore; two signatures colliding among 200,000 is a one-in-10^9 chance.
 */
function fingerprint(text: string): string {
  const hex = (h: number): string => h.toString(16).padStart(8, '0');
  return hex(fnv1a(text)) + hex(fnv1a(text, 0x050c5d1f, 0x5bd1e995));
}
