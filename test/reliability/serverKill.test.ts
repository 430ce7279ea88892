import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AsyncJobEventLogger } from '../../server/src/logger/eventLogger';
import { NatsSession } from '../../server/src/storage/session';
import { withTimeout } from '../../server/src/util/timeout';
import { NatsServer } from '../support/natsServer';
import { PREFIX, STREAM } from '../support/storageFixture';
import { assertExactlyOnceInOrder, numberedEvent, readAllMessages, streamMessages } from '../support/audit';
import { eventually } from '../support/eventually';

/**
 * The logger's promise under the harshest single-server failure: nats-server killed with SIGKILL
 * (no lame-duck, no flush, connections cut) in the middle of a 100,000-event run, then started again
 * on the same store. Afterwards the stream must hold every event exactly once, each job's in order.
 */

const EVENTS = Number(process.env.NAQ_KILL_EVENTS ?? 100_000);
const JOBS = 1_000;

test(`SIGKILL of the server in the middle of ${EVENTS} logged events: nothing lost, nothing duplicated, order per job kept`, { timeout: 180_000 }, async (t) => {
  const server = await NatsServer.start();
  let session: NatsSession | undefined;
  let logger: AsyncJobEventLogger | undefined;
  try {
    session = await withTimeout(
      NatsSession.open({
        connection: { servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 },
        streamName: STREAM,
        subjectPrefix: PREFIX,
        timeoutMs: 5_000,
      }),
      15_000,
      'opening the session',
    );
    const started = Date.now();
    const activeLogger = new AsyncJobEventLogger(session, { batchSize: 200, maxBufferSize: 20_000 });
    logger = activeLogger;
    activeLogger.start();

    let logged = 0;
    const producing = (async () => {
      for (; logged < EVENTS; logged++) await activeLogger.log(numberedEvent(logged, JOBS, 'kill'));
    })();

    // Kill once a good part is stored and plenty is still to come (and in flight).
    const killAt = Math.floor(EVENTS * 0.3);
    await withTimeout(
      eventually('stored enough to kill', () => activeLogger.stats().stored >= killAt, 60_000, 5),
      65_000,
      'waiting to kill',
    );
    const before = activeLogger.stats();
    await server.kill();
    const killedAt = Date.now();
    // Restart only once the logger has seen the kill: otherwise the outage may go unnoticed and prove nothing.
    const during = await eventually('the logger to see the kill', () => {
      const stats = activeLogger.stats();
      return !stats.connected && stats;
    }, 15_000);
    await withTimeout(server.restart(), 15_000, 'restarting nats-server');
    const restartedAfterMs = Date.now() - killedAt;

    await withTimeout(producing, 120_000, 'logging every event');
    const report = await withTimeout(activeLogger.stop(60_000), 65_000, 'stopping the logger');
    const elapsed = (Date.now() - started) / 1000;
    const stats = activeLogger.stats();
    t.diagnostic(
      `${EVENTS} events in ${elapsed.toFixed(1)} s (${Math.round(EVENTS / elapsed)}/s); killed at ${before.stored} stored / ${before.inFlight} in flight, ` +
        `${during.connected ? 'still connected?!' : 'disconnected'} with ${during.buffered} buffered; back after ${restartedAfterMs} ms; ` +
        `retries ${stats.retries}, duplicate acks ${stats.duplicates}, reconciled ${stats.reconciled}, unverified resends ${stats.unverifiedResends}`,
    );
    assert.equal(during.connected, false, 'the kill was noticed');
    assert.deepEqual(report.notStored.slice(0, 3), [], `${report.notStored.length} events reported as not stored`);
    assert.equal(report.stored, EVENTS);

    assert.equal(await streamMessages(session), EVENTS, 'the stream holds exactly as many messages as were logged');
    const stored = await readAllMessages(session, `${PREFIX}.>`);
    assertExactlyOnceInOrder(stored, EVENTS);
    assert.equal(stats.unverifiedResends, 0, 'no resend went out without the duplicate window covering it');
  } finally {
    if (logger) await withTimeout(logger.stop(2_000), 5_000, 'stopping the logger').catch(() => undefined);
    if (session) await withTimeout(session.close(), 5_000, 'closing the session').catch(() => undefined);
    await server.dispose();
  }
});
