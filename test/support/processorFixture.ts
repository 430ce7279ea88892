import { Events } from 'nats';
import { encodeEvent } from '../../server/src/codec/encode';
import type { JobEvent } from '../../server/src/model/event';
import { NatsSession } from '../../server/src/storage/session';
import { subjectForEvent } from '../../server/src/subjects/subject';
import { delay, withTimeout } from '../../server/src/util/timeout';
import { eventually } from './eventually';
import type { NatsServer } from './natsServer';
import { PREFIX, STREAM } from './storageFixture';

export function openSession(server: NatsServer): Promise<NatsSession> {
  return NatsSession.open({
    // Never give up reconnecting, and retry quickly: the restart tests take the server away on purpose.
    connection: { servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 },
    streamName: STREAM,
    subjectPrefix: PREFIX,
    timeoutMs: 3_000,
  });
}

/** Publishes with a message id, so a retry after an unclear outcome (server restarting) is not stored twice. */
export async function publish(session: NatsSession, event: JobEvent, id?: string): Promise<number> {
  const ack = await withTimeout(
    session.js.publish(subjectForEvent(session.prefix, event), encodeEvent(event), id ? { msgID: id } : undefined),
    5_000,
    `publishing ${event.job_id}/${event.event_type}`,
  );
  return ack.seq;
}

/**
 * Publishes through a server restart: retried until the server stores it (the client may not have
 * reconnected yet). The message id makes a retry of a publish that did land harmless.
 */
export async function publishRetrying(session: NatsSession, event: JobEvent, id: string): Promise<void> {
  await eventually(`${id} stored after the restart`, () => publish(session, event, id).then(() => true), 30_000, 100);
}

export async function waitFor(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await delay(10);
  }
}

/**
 * Resolves when the session's connection next reports a disconnect: call it before taking the server
 * away, so that a restart follows an outage the client has seen rather than a guessed pause.
 */
export async function nextDisconnect(session: NatsSession): Promise<void> {
  for await (const status of session.nc.status()) if (status.type === Events.Disconnect) return;
}

/** Consumers on the event stream, by name, sorted. */
export async function consumerNames(session: NatsSession): Promise<string[]> {
  const names: string[] = [];
  for await (const info of session.jsm.consumers.list(STREAM)) names.push(info.name);
  return names.sort();
}
