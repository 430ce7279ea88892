import { connect } from 'nats';
import { withTimeout } from '../../server/src/util/timeout';
import { STREAM } from '../support/storageFixture';
import { boundForEvents } from './stats';

/**
 * The cold build's baseline: nats.js's ordered consumer reading the whole stream and doing nothing
 * with the messages, which is the fastest the index could be built through nats.js. Events per second.
 */
export async function orderedReadRate(url: string, events: number): Promise<number> {
  const nc = await connect({ servers: url });
  try {
    // From sequence 1, its default: nats.js retries forever, silently, when also given DeliverPolicy.All.
    const consumer = await nc.jetstream().consumers.get(STREAM, {});
    let seen = 0;
    let caughtUp!: () => void;
    const done = new Promise<void>((resolve) => (caughtUp = resolve));
    const started = Date.now();
    const messages = await consumer.consume({
      max_messages: 10_000,
      callback: (msg) => {
        seen++;
        if (msg.info.pending === 0) caughtUp();
      },
    });
    try {
      await withTimeout(done, boundForEvents(events), 'the ordered consumer reading the stream');
    } finally {
      messages.stop();
    }
    if (seen !== events) throw new Error(`the ordered consumer read ${seen} events, expected ${events}`);
    return seen / ((Date.now() - started) / 1000);
  } finally {
    await nc.close();
  }
}
