import { AckPolicy, ConsumerConfig, nanos } from 'nats';

/**
 * How long the server keeps an ephemeral consumer nobody pulls from: the net under a client that died
 * without deleting its consumers (SIGKILL, a crash, a cut cable). README promises they go within 30 s.
 * A 2.9 server checks a pull consumer's inactivity on a timer of this period and deletes it at the first
 * check that finds no pull request within the last period, so a consumer can outlive its owner by up to
 * twice this: 15 s keeps that within the promise (measured: gone 16 s after a SIGKILL,
 * test/reliability/backendKill.test.ts).
 */
export const EPHEMERAL_INACTIVE_THRESHOLD_MS = 15_000;

/** Settings every ephemeral consumer of ours shares: no acks, in memory, one replica, short-lived. */
export function ephemeralConfig(): Partial<ConsumerConfig> {
  return {
    ack_policy: AckPolicy.None,
    mem_storage: true,
    num_replicas: 1,
    inactive_threshold: nanos(EPHEMERAL_INACTIVE_THRESHOLD_MS),
  };
}
