import type { StreamInfo } from 'nats';
import type { NatsSession } from '../../storage/session';
import { assessStream, describeProblems } from '../../storage/streamConfig';
import { describeConfig, describePlan, planStream } from '../../storage/streamPlan';
import { applyStreamPlan, configBasis, readStream } from '../../storage/streamPlanApply';
import type { CliArgs } from '../args';
import { UsageError } from '../usage';

type Print = (line: string) => void;

/** `stream show`: the configuration, the state, and what the configuration degrades. Never changes the stream. */
function show(session: NatsSession, info: StreamInfo | undefined, args: CliArgs, print: Print): void {
  const name = session.streamName;
  const problems = info ? assessStream(info.config, session.prefix) : [];
  if (args.values.json) {
    print(JSON.stringify(info ? { name, exists: true, config: info.config, state: info.state, problems } : { name, exists: false }, null, 2));
    return;
  }
  if (!info) {
    print(`stream ${name} does not exist; naq-events stream apply creates it with the seed's limits`);
    return;
  }
  const settings = describeConfig(info.config);
  const width = Math.max(...settings.map(([field]) => field.length));
  print(`stream ${name}`);
  for (const [field, value] of settings) print(`  ${field.padEnd(width)}  ${value}`);
  const { state } = info;
  print(`state: ${state.messages} messages, ${state.bytes} bytes, sequences ${state.first_seq}..${state.last_seq}, ${state.consumer_count} consumers`);
  if (problems.length === 0) print(`NAQ can use it fully: it covers ${session.prefix}.>, has direct get, a duplicate window and room for an event`);
  else for (const line of describeProblems(name, problems)) print(`degraded: ${line}`);
}

/** `stream apply`: prints the plan, then (unless `--dry-run`) carries it out, refusing what needs `--force`. */
async function apply(session: NatsSession, info: StreamInfo | undefined, args: CliArgs, print: Print): Promise<void> {
  const target = { name: session.streamName, prefix: session.prefix };
  const plan = planStream(info?.config, target.name, target.prefix);
  const dryRun = args.values['dry-run'] === true;
  if (!args.values.json) for (const line of describePlan(plan)) print(line);
  if (dryRun || plan.action === 'none') {
    if (args.values.json) print(JSON.stringify({ outcome: dryRun ? 'dry-run' : 'unchanged', plan }, null, 2));
    else if (dryRun) print('dry run: nothing was changed');
    return;
  }
  // Applied against the configuration the plan was printed for: a stream changed meanwhile is not touched.
  await applyStreamPlan(session.jsm, target, { force: args.values.force === true, basis: configBasis(info?.config) });
  const outcome = plan.action === 'create' ? 'created' : 'updated';
  print(args.values.json ? JSON.stringify({ outcome, plan }, null, 2) : `${outcome} stream ${target.name}`);
}

/** `stream show|apply`, on a session that does not create the stream on opening. */
export async function stream(session: NatsSession, args: CliArgs, print: Print): Promise<void> {
  const [action, ...rest] = args.positionals;
  if (rest.length > 0 || (action !== 'show' && action !== 'apply')) throw new UsageError('stream takes show or apply');
  if (action === 'show') {
    for (const name of ['dry-run', 'force'] as const) if (args.values[name] !== undefined) throw new UsageError(`stream show does not take --${name}`);
  }
  const info = await readStream(session.jsm, session.streamName);
  if (action === 'show') show(session, info, args, print);
  else await apply(session, info, args, print);
}
