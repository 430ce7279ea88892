import { randomBytes } from 'node:crypto';
import { encodeEvent } from '../../codec/encode';
import { AsyncJobEventLogger } from '../../logger/eventLogger';
import { publishOneAtATime } from '../../logger/oneAtATime';
import type { JobEvent } from '../../model/event';
import { SYNTHETIC_EVENTS_PER_JOB, syntheticJobEvents } from '../../model/samples';
import { NatsSession } from '../../storage/session';
import { sessionOptions } from '../../storage/sessionOptions';
import { subjectForEvent } from '../../subjects/subject';
import { withTimeout } from '../../util/timeout';
import { CliArgs, numberOption } from '../args';
import type { CliTarget } from '../connect';

export interface BenchResult {
  events: number;
  /** Plain publishes without acks, timed until the stream holds them all: the server's ingest ceiling. */
  ceilingPerSecond: number;
  /** The batching logger: an ack for every event. */
  loggerPerSecond: number;
  /** The seed's path: one awaited publish after another (over fewer events: it is slow). */
  oneAtATimePerSecond: number;
  oneAtATimeEvents: number;
  loggerToCeiling: number;
  loggerToOneAtATime: number;
  /**
   * The server's CPU time per event on the ceiling and logger paths, in microseconds, when the caller
   * can read it (a server on this machine). The ratio of the two bounds what the logger can reach.
   */
  serverMicrosPerEvent?: { ceiling: number; logger: number };
}

/** Reads the NATS server's CPU time in seconds; only a benchmark with the server at hand has one. */
export type ServerCpuProbe = () => number;

function workload(count: number, tag: string): JobEvent[] {
  const events: JobEvent[] = [];
  const start = Date.now() / 1000;
  for (let job = 0; events.length < count; job++) events.push(...syntheticJobEvents(job, start, tag));
  return events.slice(0, count);
}

async function untilStored(session: NatsSession, count: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  while ((await session.jsm.streams.info(session.streamName)).state.messages < count) {
    if (Date.now() > deadline) throw new Error(`the stream did not reach ${count} events within 120 s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function perSecond(count: number, body: () => Promise<unknown>, serverCpu?: ServerCpuProbe): Promise<{ rate: number; serverMicros: number }> {
  const cpuBefore = serverCpu?.() ?? Number.NaN;
  const start = process.hrtime.bigint();
  await body();
  const rate = count / (Number(process.hrtime.bigint() - start) / 1e9);
  return { rate, serverMicros: (((serverCpu?.() ?? Number.NaN) - cpuBefore) * 1e6) / count };
}

/**
 * Like `nats bench`: each path writes into its own throwaway stream on the same server, in the same
 * run, so the figures compare; the streams are deleted afterwards.
 */
export async function runBench(target: CliTarget, count: number, serverCpu?: ServerCpuProbe): Promise<BenchResult> {
  const tag = `b${randomBytes(4).toString('hex')}`;
  const open = (path: string): Promise<NatsSession> =>
    NatsSession.open({ ...sessionOptions(target.settings, target), streamName: `NAQ_BENCH_${tag}_${path}`, subjectPrefix: `naq.bench.${tag}.${path}` });
  const sessions: NatsSession[] = [];
  try {
    const ceiling = await open('ceiling');
    sessions.push(ceiling);
    const ceilingEvents = workload(count, tag);
    const publishPlain = async (): Promise<void> => {
      for (let i = 0; i < ceilingEvents.length; i++) {
        const event = ceilingEvents[i] as JobEvent;
        const subject = subjectForEvent(ceiling.prefix, event);
        event.nats_subject = subject;
        ceiling.nc.publish(subject, encodeEvent(event));
        if (i % 5000 === 4999) await ceiling.nc.flush();
      }
      await ceiling.nc.flush();
      await untilStored(ceiling, count);
    };
    const ceilingRun = await perSecond(count, publishPlain, serverCpu);

    const logged = await open('logger');
    sessions.push(logged);
    const loggerEvents = workload(count, tag);
    const logAll = async (): Promise<void> => {
      const logger = new AsyncJobEventLogger(logged, { batchSize: 1000, flushIntervalMs: 50, maxBufferSize: 20_000 });
      logger.start();
      for (const event of loggerEvents) await logger.log(event);
      const report = await logger.stop(120_000);
      if (report.notStored.length > 0) throw new Error(`the logger did not store ${report.notStored.length} events: ${report.notStored[0]?.reason}`);
    };
    const loggerRun = await perSecond(count, logAll, serverCpu);

    const single = await open('single');
    sessions.push(single);
    const oneAtATimeEvents = Math.min(count, 5_000);
    const singleEvents = workload(oneAtATimeEvents, tag);
    const { rate: oneAtATimePerSecond } = await perSecond(oneAtATimeEvents, () => publishOneAtATime(single, singleEvents));

    const ceilingPerSecond = ceilingRun.rate;
    const loggerPerSecond = loggerRun.rate;
    return {
      events: count,
      ceilingPerSecond,
      loggerPerSecond,
      oneAtATimePerSecond,
      oneAtATimeEvents,
      loggerToCeiling: loggerPerSecond / ceilingPerSecond,
      loggerToOneAtATime: loggerPerSecond / oneAtATimePerSecond,
      ...(serverCpu ? { serverMicrosPerEvent: { ceiling: ceilingRun.serverMicros, logger: loggerRun.serverMicros } } : {}),
    };
  } finally {
    for (const session of sessions) {
      await withTimeout(session.jsm.streams.delete(session.streamName), session.timeoutMs, 'deleting a bench stream').catch(() => undefined);
      await session.close();
    }
  }
}

export async function bench(target: CliTarget, args: CliArgs, print: (line: string) => void): Promise<void> {
  const count = numberOption(args, 'events', (n) => Number.isInteger(n) && n >= SYNTHETIC_EVENTS_PER_JOB && n <= 10_000_000, 'a whole number of events, 5 to 10000000') ?? 50_000;
  const result = await runBench(target, count);
  if (args.values.json) {
    print(JSON.stringify(result));
    return;
  }
  const rate = (n: number): string => `${Math.round(n).toLocaleString('en-US')} events/s`;
  print(`events: ${count}`);
  print(`no-ack ceiling (plain publish until stored): ${rate(result.ceilingPerSecond)}`);
  print(`logger (ack for every event):               ${rate(result.loggerPerSecond)}  = ${result.loggerToCeiling.toFixed(2)} x ceiling`);
  print(`seed's one-at-a-time (${result.oneAtATimeEvents} events):      ${rate(result.oneAtATimePerSecond)}  -> logger is ${result.loggerToOneAtATime.toFixed(1)} x faster`);
}
