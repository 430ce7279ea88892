/**
 * A failure's signature: what makes two failures "the same bug" whatever job, id, host or value they hit.
 * Fingerprint = exception type + normalised message + innermost in-workspace frame (file, function).
 */
import { createHash } from 'node:crypto';

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
  const normalised = normaliseMessage(message);
  const id = createHash('sha1').update(`${type}\n${normalised}\n${site.file ?? ''}\n${site.function ?? ''}`).digest('hex').slice(0, 16);
  return { id, type, message: normalised, site };
}
