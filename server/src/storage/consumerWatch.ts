import { ConsumeOptions, Consumer, ConsumerEvents, ConsumerMessages, ConsumerStatus, ErrorCode, Events, NatsConnection, NatsError } from 'nats';
import { TimeoutError, withTimeout } from '../util/timeout';

function stoppable(value: object): value is { stop(): void } {
  return 'stop' in value && typeof value.stop === 'function';
}

/**
 * nats.js 2.29 ordered consumers recreate themselves when their consumer is deleted, but not when it is
 * lost: if the cluster node holding one (ordered consumers are R1, in memory) dies, the client asks that
 * consumer for its info, gets no answer, and retries forever, while the stream carries on in the
 * surviving replicas. Iteration then silently stops for good.
 *
 * This watch asks the consumer for its info after missed heartbeats and after a reconnect; when it does
 * not answer within `timeoutMs`, `onLost` is called (once) so the caller replaces it. An answer, or a
 * JetStream error such as "consumer not found" (which nats.js handles itself), leaves it alone.
 * Returns a function that ends the watch.
 */
export function watchConsumer(
  nc: NatsConnection,
  consumer: Consumer,
  messages: ConsumerMessages,
  timeoutMs: number,
  onLost: (reason: string) => void,
): () => void {
  let done = false;
  let probing = false;
  const connection = nc.status();
  let consumerStatus: AsyncIterable<ConsumerStatus> | undefined;
  const stop = (): void => {
    done = true;
    // The iterators nats.js returns can be stopped (their types do not say so); one left running is a leak.
    if (stoppable(connection)) connection.stop();
    if (consumerStatus && stoppable(consumerStatus)) consumerStatus.stop();
  };
  const probe = (why: string): void => {
    if (done || probing) return;
    probing = true;
    withTimeout(consumer.info(), timeoutMs, 'consumer info').then(
      () => {
        probing = false;
      },
      (error: unknown) => {
        probing = false;
        const noAnswer = error instanceof TimeoutError || (error instanceof NatsError && error.code === ErrorCode.Timeout);
        if (done || !noAnswer) return;
        stop();
        onLost(`${why}, and the consumer did not answer within ${timeoutMs} ms`);
      },
    );
  };
  void (async () => {
    for await (const status of connection) {
      if (done) return;
      if (status.type === Events.Reconnect) probe('reconnected');
    }
  })().catch(() => undefined);
  void (async () => {
    consumerStatus = await messages.status();
    if (done && stoppable(consumerStatus)) consumerStatus.stop();
    for await (const status of consumerStatus) {
      if (done) return;
      if (status.type === ConsumerEvents.HeartbeatsMissed) probe(`${String(status.data)} heartbeats missed`);
    }
  })().catch(() => undefined);
  return stop;
}

export class ConsumerStartError extends Error {
  override name = 'ConsumerStartError';
}

/**
 * Starts an ordered consumer's `consume()` with one attempt at creating the consumer, giving up after
 * `ms`. nats.js otherwise retries creating the same consumer (same name, so the same placement) up to
 * 30 times with back-off: minutes against a node that is down, and timers that keep a process alive
 * after its connection closed. A late start is stopped at once. Rejects with a {@link ConsumerStartError};
 * then create a new consumer (a new name, a new placement).
 */
export async function consumeWithin(consumer: Consumer, options: ConsumeOptions, ms: number): Promise<ConsumerMessages> {
  // The ordered consumer's (public, untyped here) retry budget; without it, the timeout below still bounds the wait.
  const retries = consumer as Consumer & { maxInitialReset?: unknown };
  if (typeof retries.maxInitialReset === 'number') retries.maxInitialReset = 0;
  const consuming = consumer.consume(options);
  try {
    return await withTimeout(consuming, ms, 'starting the consumer');
  } catch (error) {
    void consuming.then((late) => late.stop(), () => undefined);
    throw new ConsumerStartError(`the stream consumer did not start within ${ms} ms (${(error as Error).message})`);
  }
}
