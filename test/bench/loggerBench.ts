import { BenchResult, runBench } from '../../server/src/cli/commands/bench';
import { resolveConnectionSettings } from '../../server/src/config/connection';
import type { NatsServer } from '../support/natsServer';
import { ackedPipelineRate } from './ackedPipeline';
import { Check, percentile } from './stats';

/**
 * `naq-events bench` against the benchmark's server, `rounds` times, each round followed by the best
 * acknowledged pipeline on the same server (issue 15's target: the logger acks every event, so that
 * pipeline, not the no-ack ceiling, is its honest limit). On a shared machine one round's ratio swings
 * widely, so each figure is the median over the rounds. The server's own CPU time per event on the
 * ceiling and logger paths says how far the ratio to the ceiling can go whatever the client does.
 */
export async function benchLogger(server: NatsServer, events: number, rounds: number): Promise<Check[]> {
  const target = { settings: resolveConnectionSettings({ server: server.url, context: false }, {}), streamName: 'UNUSED', subjectPrefix: 'unused' };
  const results: (BenchResult & { ackedPerSecond: number; loggerToAcked: number })[] = [];
  for (let round = 0; round < rounds; round++) {
    const result = await runBench(target, events, () => server.cpuSeconds());
    const ackedPerSecond = await ackedPipelineRate(target, events);
    results.push({ ...result, ackedPerSecond, loggerToAcked: result.loggerPerSecond / ackedPerSecond });
  }
  const median = (figure: (r: (typeof results)[number]) => number): number => percentile(results.map(figure), 50);
  const ratio = median((r) => r.loggerToAcked);
  const ceilingMicros = median((r) => r.serverMicrosPerEvent?.ceiling ?? Number.NaN);
  const loggerMicros = median((r) => r.serverMicrosPerEvent?.logger ?? Number.NaN);
  console.log(
    `\nlogger rounds (logger/best acked pipeline): ${results.map((r) => r.loggerToAcked.toFixed(2)).join(', ')}` +
      `\nlogger rounds (logger/no-ack ceiling, for information): ${results.map((r) => r.loggerToCeiling.toFixed(2)).join(', ')}` +
      `\nnats-server CPU per event: ${ceilingMicros.toFixed(1)} us without an ack, ${loggerMicros.toFixed(1)} us with an ack and a Nats-Msg-Id;` +
      ` on the server's CPU alone the logger can reach ${(ceilingMicros / loggerMicros).toFixed(2)} x the ceiling`,
  );
  return [
    {
      name: `logger, an ack for every event (median of ${rounds})`,
      value: median((r) => r.loggerPerSecond),
      unit: 'events/s',
      target: '>= 0.9 x the best acknowledged pipeline',
      ok: ratio >= 0.9,
      baseline: { name: 'best acknowledged pipeline (raw publishes, one inbox, 8000 acks in flight)', value: median((r) => r.ackedPerSecond), comparison: `ratio ${ratio.toFixed(2)}` },
    },
    {
      name: 'no-ack ceiling (the server storing without acking)',
      value: median((r) => r.ceilingPerSecond),
      unit: 'events/s',
      target: 'none',
      ok: true,
      info: true,
      baseline: { name: 'logger', value: median((r) => r.loggerPerSecond), comparison: `logger ratio ${median((r) => r.loggerToCeiling).toFixed(2)}` },
    },
    {
      name: "logger against the seed's one-at-a-time path",
      value: median((r) => r.loggerToOneAtATime),
      unit: 'x',
      target: '>= 8',
      ok: median((r) => r.loggerToOneAtATime) >= 8,
    },
  ];
}
