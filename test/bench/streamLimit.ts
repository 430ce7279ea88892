import { connect } from 'nats';
import { withTimeout } from '../../server/src/util/timeout';
import { STREAM } from '../support/storageFixture';

/**
 * Lowers the benchmark's own stream's message limit (the benchmark is that stream's operator), so a
 * small run rehearses the 10M run's stream at its limit, evicting its oldest events as it fills.
 */
export async function limitStream(url: string, maxMsgs: number): Promise<void> {
  const nc = await connect({ servers: url });
  try {
    const jsm = await nc.jetstreamManager();
    const info = await withTimeout(jsm.streams.info(STREAM), 10_000, 'stream info');
    await withTimeout(jsm.streams.update(STREAM, { ...info.config, max_msgs: maxMsgs }), 10_000, 'stream update');
  } finally {
    await nc.close();
  }
}
