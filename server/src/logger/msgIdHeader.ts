import { MsgHdrsImpl } from 'nats';

/**
 * The `Nats-Msg-Id` header of every message the publisher sends, as bytes written for each send.
 *
 * A message id is the publisher's prefix (its nuid and a dash) plus the message's number in base 36
 * (`idToken`): the same token ends its reply subject, so the id, the reply and the window entry name
 * each other without a map. The look-up of messages in doubt reads ids back with `numberOfMessageId`.
 */

const ascii = new TextEncoder();
const HEADER_END = ascii.encode('\r\n\r\n');

/** `NATS/1.0\r\nNats-Msg-Id: <prefix>`: the part of the header every message of one publisher shares. */
export function headerPrefix(msgIdPrefix: string): Uint8Array {
  return ascii.encode(`NATS/1.0\r\nNats-Msg-Id: ${msgIdPrefix}`);
}

/** Message number `id` as it appears in its message id and its reply subject. */
export function idToken(id: number): string {
  return id.toString(36);
}

/** `NATS/1.0\r\nNats-Msg-Id: <prefix><token>\r\n\r\n` for the `idToken` of a message, written straight into one buffer. */
export function msgIdHeader(prefix: Uint8Array, token: string): Uint8Array {
  const out = new Uint8Array(prefix.length + token.length + HEADER_END.length);
  out.set(prefix, 0);
  let at = prefix.length;
  for (let i = 0; i < token.length; i++) out[at++] = token.charCodeAt(i);
  out.set(HEADER_END, at);
  return out;
}

/** The message id `msgIdHeader` writes for message `id`. */
export function messageId(msgIdPrefix: string, id: number): string {
  return msgIdPrefix + idToken(id);
}

/** The message number inside an id written by `messageId` with the same prefix; NaN for anything else. */
export function numberOfMessageId(msgIdPrefix: string, msgId: string): number {
  if (!msgId.startsWith(msgIdPrefix)) return Number.NaN;
  return parseInt(msgId.slice(msgIdPrefix.length), 36);
}

/**
 * Header bytes handed to `nc.publish` as they are. nats.js only ever calls `encode()` on the headers
 * of an outgoing message, synchronously inside `publish()` (test/unit/natsInternals.test.ts checks
 * it); a `MsgHdrsImpl` with a Map, validation and a fresh `toString()` + TextEncoder per send was a
 * measurable share of the per-message cost. One instance is reused: `bytes` is set right before each
 * publish. The inherited map stays empty.
 */
export class EncodedHeaders extends MsgHdrsImpl {
  bytes: Uint8Array = new Uint8Array(0);
  override encode(): Uint8Array {
    return this.bytes;
  }
}
