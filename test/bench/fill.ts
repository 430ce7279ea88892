import { connect } from 'nats';
import { encodeEvent } from '../../server/src/codec/encode';
import type { JobEvent } from '../../server/src/model/event';
import { SYNTHETIC_EVENTS_PER_JOB, syntheticJobEvents } from '../../server/src/model/samples';
import { subjectForEvent } from '../../server/src/subjects/subject';
import type { EventStorage } from '../../server/src/storage/eventStorage';
import { boundForEvents } from './stats';

export const EVENTS_PER_JOB = SYNTHETIC_EVENTS_PER_JOB;

/**
 * Fills the stream with `jobs` jobs quickly: plain publishes on their own connection (the benchmark
 * measures reading, not writing), then waits until the stream has stored them all. A stream at its
 * message limit evicts its oldest events as it fills, so "stored" is its last sequence having moved by
 * every event, and the answer is what it holds then. `eventsOf` makes a job's `EVENTS_PER_JOB` events.
 */
export async function fill(storage: EventStorage, url: string, jobs: number, eventsOf: (job: number, start: number) => JobEvent[] = syntheticJobEvents): Promise<number> {
  const before = (await storage.streamInfo()).state.last_seq;
  const nc = await connect({ servers: url });
  const start = Date.now() / 1000 - jobs * 0.001 - 60;
  for (let job = 0; job < jobs; job++) {
    for (const event of eventsOf(job, start)) nc.publish(subjectForEvent(storage.prefix, event), encodeEvent(event));
    if (job % 2000 === 0) await nc.flush();
  }
  await nc.flush();
  await nc.close();
  const expected = jobs * EVENTS_PER_JOB;
  const deadline = Date.now() + boundForEvents(expected);
  for (;;) {
    const { messages, last_seq } = (await storage.streamInfo()).state;
    if (last_seq - before >= expected || Date.now() > deadline) return messages;
    await new Promise((r) => setTimeout(r, 250));
  }
}
