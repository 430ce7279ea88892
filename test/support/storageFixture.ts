import { EventStorage } from '../../server/src/storage/eventStorage';
import { NatsServer } from './natsServer';

export const PREFIX = 'naq.jobs.events';
export const STREAM = 'NAQ_JOB_EVENTS';

export async function openStorage(server: NatsServer, overrides: { streamName?: string; subjectPrefix?: string; timeoutMs?: number; url?: string } = {}): Promise<EventStorage> {
  return EventStorage.open({
    connection: { servers: overrides.url ?? server.url, maxReconnectAttempts: -1, reconnectTimeWait: 250 },
    streamName: overrides.streamName ?? STREAM,
    subjectPrefix: overrides.subjectPrefix ?? PREFIX,
    timeoutMs: overrides.timeoutMs ?? 5_000,
  });
}

/** Rejects when `promise` takes longer than `ms`: a test must fail, never hang. */
export function within<T>(ms: number, promise: Promise<T>, what = 'operation'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
