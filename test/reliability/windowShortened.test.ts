import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nanos } from 'nats';
import { AsyncJobEventLogger } from '../../server/src/logger/eventLogger';
import { NatsSession } from '../../server/src/storage/session';
import { SEED_LIMITS } from '../../server/src/storage/streamConfig';
import { delay, withTimeout } from '../../server/src/util/timeout';
import { assertExactlyOnceInOrder, numberedEvent, readAllMessages, streamMessages } from '../support/audit';
import { eventually } from '../support/eventually';
import { NatsServer } from '../support/natsServer';
import { PREFIX, STREAM } from '../support/storageFixture';

/**
 * Issue 11 point 2: the logger learnt a long duplicate window when it started; the operator (another
 * client) shortens it while events flow; then the server dies with acknowledgements lost and stays
 * away longer than the new window. Resending on the old window's word would store events twice
 * uncounted: after the reconnect the logger must read the window again and look the doubtful up.
 */

const EVENTS = 20_000;
const JOBS = 500;
const LONG_WINDOW_MS = 120_000;
const SHORT_WINDOW_MS = 1_000;
/** Longer than the short window: the restarted server has forgotten every message id of before. */
const OUTAGE_MS = 2_500;

function open(url: string, duplicateWindowMs?: number): Promise<NatsSession> {
  return withTimeout(
    NatsSession.open({
      connection: { servers: url, maxReconnectAttempts: -1, reconnectTimeWait: 100 },
      streamName: STREAM,
      subjectPrefix: PREFIX,
      timeoutMs: 5_000,
      limits: { ...SEED_LIMITS, ...(duplicateWindowMs ? { duplicateWindowMs } : {}) },
    }),
    15_000,
    'opening a session',
  );
}

test('the operator shortens the duplicate window, then the server dies with acks lost: every event stored once or counted', { timeout: 180_000 }, async (t) => {
  const server = await NatsServer.start();
  let session: NatsSession | undefined;
  let operator: NatsSession | undefined;
  let logger: AsyncJobEventLogger | undefined;
  try {
    session = await open(server.url, LONG_WINDOW_MS);
    operator = await open(server.url);
    const activeLogger = new AsyncJobEventLogger(session, { batchSize: 200, maxBufferSize: 20_000 });
    logger = activeLogger;
    activeLogger.start();

    let logged = 0;
    const producing = (async () => {
      for (; logged < EVENTS; logged++) await activeLogger.log(numberedEvent(logged, JOBS, 'window'));
    })();

    await withTimeout(eventually('some stored', () => activeLogger.stats().stored >= EVENTS * 0.1, 60_000, 5), 65_000, 'waiting for stores');
    const config = (await operator.jsm.streams.info(STREAM)).config;
    assert.equal(config.duplicate_window, nanos(LONG_WINDOW_MS), 'the stream started with the long window');
    await operator.jsm.streams.update(STREAM, { ...config, duplicate_window: nanos(SHORT_WINDOW_MS) });

    await withTimeout(eventually('more stored', () => activeLogger.stats().stored >= EVENTS * 0.3, 60_000, 5), 65_000, 'waiting to kill');
    const before = activeLogger.stats();
    await server.kill();
    // The outage must outlast the short window for the server to forget: its length is the scenario, not a wait for a fact.
    await delay(OUTAGE_MS);
    await withTimeout(server.restart(), 15_000, 'restarting nats-server');

    await withTimeout(producing, 120_000, 'logging every event');
    const report = await withTimeout(activeLogger.stop(60_000), 65_000, 'stopping the logger');
    const stats = activeLogger.stats();
    t.diagnostic(
      `killed at ${before.stored} stored / ${before.inFlight} in flight; retries ${stats.retries}, duplicate acks ${stats.duplicates}, ` +
        `found stored by look-up ${stats.reconciled}, unverified resends ${stats.unverifiedResends}`,
    );
    assert.deepEqual(report.notStored.slice(0, 3), [], `${report.notStored.length} events reported as not stored`);
    assert.equal(report.stored, EVENTS);
    assert.equal(stats.unverifiedResends, 0, 'every resend past the window was looked up first');
    assert.equal(await streamMessages(session), EVENTS, 'the stream holds exactly as many messages as were logged');
    assertExactlyOnceInOrder(await readAllMessages(session, `${PREFIX}.>`), EVENTS);
  } finally {
    if (logger) await withTimeout(logger.stop(2_000), 5_000, 'stopping the logger').catch(() => undefined);
    for (const s of [session, operator]) if (s) await withTimeout(s.close(), 5_000, 'closing a session').catch(() => undefined);
    await server.dispose();
  }
});
