import { encodeEvent } from '../codec/encode';
import type { JobEvent } from '../model/event';
import type { NatsSession } from '../storage/session';
import { subjectForEvent } from '../subjects/subject';

/**
 * The seed logger's publishing path, kept as the benchmark's baseline: one `await js.publish()` per
 * event, the next one sent only after the previous acknowledgement (about 4k events/s on CI hardware).
 * Not used by the logger. Sets `nats_subject` before encoding (seed errata 7) and `nats_sequence` from
 * the acknowledgement; returns how many events were stored. The first failure rejects, as in the seed.
 */
export async function publishOneAtATime(session: NatsSession, events: Iterable<JobEvent>): Promise<number> {
  let stored = 0;
  for (const event of events) {
    const subject = subjectForEvent(session.prefix, event);
    event.nats_subject = subject;
    const ack = await session.js.publish(subject, encodeEvent(event), { timeout: session.timeoutMs });
    event.nats_sequence = ack.seq;
    stored++;
  }
  return stored;
}
