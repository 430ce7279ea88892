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
}

/** Reads the NATS server's CPU time in seconds; only a benchmark with the server at hand has one. */
export type ServerCpuProbe = () => number;

/** One path over `count` events: its rate, and the CPU time per event of this process and of the server. */
export interface PathRun {
  rate: number;
  /** This process's CPU time (user and system) per event while the path ran, in microseconds. */
  clientMicros: number;
  /** The server's, when the caller can read it (a server on this machine); NaN otherwise. */
  serverMicros: number;
}

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

/** Times `body` storing `count` events: events per second, and the CPU both sides spent per event meanwhile. */
export async function measurePath(count: number, body: () => Promise<unknown>, serverCpu?: ServerCpuProbe): Promise<PathRun> {
  const serverBefore = serverCpu?.() ?? Number.NaN;
  const clientBefore = process.cpuUsage();
  const start = process.hrtime.bigint();
  await body();
  const rate = count / (Number(process.hrtime.bigint() - start) / 1e9);
  const client = process.cpuUsage(clientBefore);
  return { rate, clientMicros: (client.user + client.system) / count, serverMicros: (((serverCpu?.() ?? Number.NaN) - serverBefore) * 1e6) / count };
}

/**
 * Like `nats bench`: each path writes into its own throwaway stream on the same server, so paths
 * measured in one run compare; the stream is deleted afterwards. `count` synthetic events are built
 * before `body` is timed.
 */
async function onBenchStream(target: CliTarget, path: string, count: number, body: (session: NatsSession, events: JobEvent[]) => Promise<PathRun>): Promise<PathRun> {
  const tag = `b${randomBytes(4).toString('hex')}`;
  const session = await NatsSession.open({ ...sessionOptions(target.settings, target), streamName: `NAQ_BENCH_${tag}_${path}`, subjectPrefix: `naq.bench.${tag}.${path}` });
  try {
    return await body(session, workload(count, tag));
  } finally {
    await withTimeout(session.jsm.streams.delete(session.streamName), session.timeoutMs, 'deleting a bench stream').catch(() => undefined);
    await session.close();
  }
}

/** Plain publishes without acks, timed until the stream holds them all: the server's ingest ceiling. */
export function ceilingRun(target: CliTarget, count: number, serverCpu?: ServerCpuProbe): Promise<PathRun> {
  return onBenchStream(target, 'ceiling', count, (session, events) =>
    measurePath(
      count,
      async () => {
        for (let i = 0; i < events.length; i++) {
          const event = events[i] as JobEvent;
          const subject = subjectForEvent(session.prefix, event);
          event.nats_subject = subject;
          session.nc.publish(subject, encodeEvent(event));
          if (i % 5000 === 4999) await session.nc.flush();
        }
        await session.nc.flush();
        await untilStored(session, count);
      },
      serverCpu,
    ),
  );
}

/** The batching logger, an ack for every event, as an application calls it: `await log()` per event, then `stop()`. */
export function loggerRun(target: CliTarget, count: number, serverCpu?: ServerCpuProbe): Promise<PathRun> {
  return onBenchStream(target, 'logger', count, (session, events) =>
    measurePath(
      count,
      async () => {
        const logger = new AsyncJobEventLogger(session, { batchSize: 1000, flushIntervalMs: 50, maxBufferSize: 20_000 });
        logger.start();
        for (const event of events) await logger.log(event);
        const report = await logger.stop(120_000);
        if (report.notStored.length > 0) throw new Error(`the logger did not store ${report.notStored.length} events: ${report.notStored[0]?.reason}`);
      },
      serverCpu,
    ),
  );
}

/** The seed's path: one awaited publish after another. */
export function oneAtATimeRun(target: CliTarget, count: number): Promise<PathRun> {
  return onBenchStream(target, 'single', count, (session, events) => measurePath(count, () => publishOneAtATime(session, events)));
}

export async function runBench(target: CliTarget, count: number): Promise<BenchResult> {
  const ceilingPerSecond = (await ceilingRun(target, count)).rate;
  const loggerPerSecond = (await loggerRun(target, count)).rate;
  // Over fewer events: it is slow.
  const oneAtATimeEvents = Math.min(count, 5_000);
  const oneAtATimePerSecond = (await oneAtATimeRun(target, oneAtATimeEvents)).rate;
  return {
    events: count,
    ceilingPerSecond,
    loggerPerSecond,
    oneAtATimePerSecond,
    oneAtATimeEvents,
    loggerToCeiling: loggerPerSecond / ceilingPerSecond,
    loggerToOneAtATime: loggerPerSecond / oneAtATimePerSecond,
  };
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
