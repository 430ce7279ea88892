import { BenchResult, runBench } from '../../server/src/cli/commands/bench';
import { resolveConnectionSettings } from '../../server/src/config/connection';
import type { NatsServer } from '../support/natsServer';
import { Check, percentile } from './stats';

/**
 * `naq-events bench` against the benchmark's server, `rounds` times: on a shared machine one round's
 * ratio swings from 0.3 to 1.1, so each figure is the median over the rounds. The server's own CPU
 * time per event on the two paths says how far the ratio can go whatever the client does.
 */
export async function benchLogger(server: NatsServer, events: number, rounds: number): Promise<Check[]> {
  const target = { settings: resolveConnectionSettings({ server: server.url, context: false }, {}), streamName: 'UNUSED', subjectPrefix: 'unused' };
  const results: BenchResult[] = [];
  for (let round = 0; round < rounds; round++) results.push(await runBench(target, events, () => server.cpuSeconds()));
  const median = (figure: (r: BenchResult) => number): number => percentile(results.map(figure), 50);
  const ratio = median((r) => r.loggerToCeiling);
  const ceilingMicros = median((r) => r.serverMicrosPerEvent?.ceiling ?? Number.NaN);
  const loggerMicros = median((r) => r.serverMicrosPerEvent?.logger ?? Number.NaN);
  console.log(
    `\nlogger rounds (logger/ceiling): ${results.map((r) => r.loggerToCeiling.toFixed(2)).join(', ')}` +
      `\nnats-server CPU per event: ${ceilingMicros.toFixed(1)} us without an ack, ${loggerMicros.toFixed(1)} us with an ack and a Nats-Msg-Id;` +
      ` on the server's CPU alone the logger can reach ${(ceilingMicros / loggerMicros).toFixed(2)} x the ceiling`,
  );
  return [
    {
      name: `logger, an ack for every event (median of ${rounds})`,
      value: median((r) => r.loggerPerSecond),
      unit: 'events/s',
      target: '>= 0.8 x the no-ack ceiling',
      ok: ratio >= 0.8,
      baseline: { name: 'no-ack ceiling', value: median((r) => r.ceilingPerSecond), comparison: `ratio ${ratio.toFixed(2)}` },
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
