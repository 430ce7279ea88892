import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ConnectionOptions as TlsConnectOptions } from 'node:tls';
import type { TlsOptions } from 'nats';

/** The TLS options of nats.js the bare connection honours; any other would be silently dropped. */
const HONOURED = ['handshakeFirst', 'caFile', 'ca', 'certFile', 'cert', 'keyFile', 'key'] as const;

/**
 * The main connection's TLS options as the bare connection applies them. Options it cannot honour
 * (anything nats.js passes on to Node's TLS beyond these) are refused by name rather than ignored:
 * a read must not run with weaker or different TLS than the user configured.
 */
export function wireTlsOptions(tls: TlsOptions | null | undefined, host: string): TlsConnectOptions {
  const given = tls ?? {};
  const unknown = Object.entries(given)
    .filter(([key, value]) => value !== undefined && !(HONOURED as readonly string[]).includes(key))
    .map(([key]) => key);
  if (unknown.length > 0) {
    throw new Error(
      `connection.tls.${unknown[0]}: the bulk reader's connection cannot honour this TLS option; it honours only ${HONOURED.join(', ')}`,
    );
  }
  const options: TlsConnectOptions = { rejectUnauthorized: true };
  if (!isIP(host)) options.servername = host;
  if (given.caFile) options.ca = [readFileSync(given.caFile)];
  else if (given.ca) options.ca = [given.ca];
  if (given.certFile) options.cert = readFileSync(given.certFile);
  else if (given.cert) options.cert = given.cert;
  if (given.keyFile) options.key = readFileSync(given.keyFile);
  else if (given.key) options.key = given.key;
  return options;
}
