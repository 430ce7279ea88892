import { randomBytes } from 'node:crypto';
import { createInbox, headers } from 'nats';
import { encodeEvent } from '../../server/src/codec/encode';
import type { JobEvent } from '../../server/src/model/event';
import { syntheticJobEvents } from '../../server/src/model/samples';
import { measurePath, PathRun, ServerCpuProbe } from '../../server/src/cli/commands/bench';
import type { CliTarget } from '../../server/src/cli/connect';
import { NatsSession } from '../../server/src/storage/session';
import { sessionOptions } from '../../server/src/storage/sessionOptions';
import { subjectForEvent } from '../../server/src/subjects/subject';
import { withTimeout } from '../../server/src/util/timeout';

/** Acks in flight: the middle of the 4,000-16,000 range where the pipeline peaked (nats-facts.md). */
const WINDOW = 8_000;

/**
 * The best acknowledged pipeline the server allows, with none of the logger's guarantees: every event
 * encoded and published raw with a reply subject and a `Nats-Msg-Id`, one wildcard inbox subscription
 * collecting the PubAcks, `WINDOW` acks in flight, refilled once half of them came back. It writes into
 * its own throwaway stream on the same server. Events per second until the last ack, timed and
 * CPU-counted exactly as the logger's run is (`measurePath`).
 */
export async function ackedPipelineRun(target: CliTarget, count: number, serverCpu?: ServerCpuProbe): Promise<PathRun> {
  const tag = `a${randomBytes(4).toString('hex')}`;
  const session = await NatsSession.open({ ...sessionOptions(target.settings, target), streamName: `NAQ_BENCH_${tag}`, subjectPrefix: `naq.bench.${tag}` });
  try {
    const events: JobEvent[] = [];
    const start = Date.now() / 1000;
    for (let job = 0; events.length < count; job++) events.push(...syntheticJobEvents(job, start, tag));
    const { nc } = session;
    const inbox = createInbox();
    let inFlight = 0;
    let acked = 0;
    let failure: string | undefined;
    let wake: (() => void) | undefined;
    const sub = nc.subscribe(`${inbox}.*`, {
      callback: (err, msg) => {
        if (err) failure ??= err.message;
        else if (msg.string().includes('"error"')) failure ??= msg.string();
        inFlight--;
        acked++;
        if (wake && (inFlight <= WINDOW / 2 || acked === count)) {
          const resume = wake;
          wake = undefined;
          resume();
        }
      },
    });
    const publishAll = async (): Promise<void> => {
      for (let i = 0; i < count; i++) {
        if (inFlight >= WINDOW) await new Promise<void>((resolve) => (wake = resolve));
        const event = events[i] as JobEvent;
        const subject = subjectForEvent(session.prefix, event);
        event.nats_subject = subject;
        const h = headers();
        h.set('Nats-Msg-Id', `${tag}-${i}`);
        inFlight++;
        nc.publish(subject, encodeEvent(event), { reply: `${inbox}.${i.toString(36)}`, headers: h });
      }
      while (acked < count) await new Promise<void>((resolve) => (wake = resolve));
    };
    let run: PathRun;
    try {
      run = await measurePath(count, () => withTimeout(publishAll(), 120_000, `the acknowledged pipeline storing ${count} events`), serverCpu);
    } finally {
      sub.unsubscribe();
    }
    if (failure !== undefined) throw new Error(`the acknowledged pipeline was refused: ${failure}`);
    return run;
  } finally {
    await withTimeout(session.jsm.streams.delete(session.streamName), session.timeoutMs, 'deleting a bench stream').catch(() => undefined);
    await session.close();
  }
}
