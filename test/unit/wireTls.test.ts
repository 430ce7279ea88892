import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TlsOptions } from 'nats';
import { WireConnection } from '../../server/src/wire/wireConnection';
import { wireTlsOptions } from '../../server/src/wire/wireTls';

test('the TLS options the bulk reader honours become Node TLS options, files read and inline PEM kept', () => {
  const dir = mkdtempSync(join(tmpdir(), 'naq-wiretls-'));
  try {
    writeFileSync(join(dir, 'ca.pem'), 'CA FROM FILE');
    const fromFile = wireTlsOptions({ caFile: join(dir, 'ca.pem'), cert: 'CERT', key: 'KEY' }, 'nats.example.com');
    assert.equal(String((fromFile.ca as Buffer[])[0]), 'CA FROM FILE');
    assert.equal(fromFile.cert, 'CERT');
    assert.equal(fromFile.key, 'KEY');
    assert.equal(fromFile.servername, 'nats.example.com');
    assert.equal(fromFile.rejectUnauthorized, true);
    assert.equal(wireTlsOptions(undefined, '127.0.0.1').servername, undefined, 'no SNI for an IP address');
    assert.deepEqual(wireTlsOptions({ handshakeFirst: true, caFile: undefined }, '127.0.0.1'), { rejectUnauthorized: true });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a TLS option the bulk reader cannot honour is refused by name, not ignored', () => {
  const weaker = { rejectUnauthorized: false } as unknown as TlsOptions;
  assert.throws(() => wireTlsOptions(weaker, 'localhost'), /connection\.tls\.rejectUnauthorized: the bulk reader's connection cannot honour this TLS option; it honours only handshakeFirst, caFile/);
  const other = { ciphers: 'NULL' } as unknown as TlsOptions;
  assert.throws(() => wireTlsOptions(other, 'localhost'), /connection\.tls\.ciphers/);
});

test('the bulk reader connection refuses such an option before dialing anything', async () => {
  const weaker = { rejectUnauthorized: false } as unknown as TlsOptions;
  await assert.rejects(
    WireConnection.open({
      hostPort: '127.0.0.1:1',
      connection: { tls: weaker },
      timeoutMs: 1_000,
      name: 'tls refusal',
      message: () => undefined,
      closed: () => undefined,
    }),
    /connection\.tls\.rejectUnauthorized/,
  );
});
