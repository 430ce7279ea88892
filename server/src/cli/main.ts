import { ConfigError } from '../config/configError';
import { InvalidIdError } from '../subjects/tokens';
import type { EventStorage } from '../storage/eventStorage';
import type { NatsSession } from '../storage/session';
import { describeProblems } from '../storage/streamConfig';
import { StreamPlanRefused } from '../storage/streamPlan';
import { CliArgs, parseCli } from './args';
import { bench } from './commands/bench';
import { deleteJob } from './commands/delete';
import { emit } from './commands/emit';
import { health } from './commands/health';
import { history } from './commands/history';
import { jobs } from './commands/jobs';
import { stats } from './commands/stats';
import { stream } from './commands/stream';
import { tail } from './commands/tail';
import { openSession, openStorage, resolveTarget } from './connect';
import { describeFailure } from './failure';
import { lineWriter, terminalSafe } from './output';
import { USAGE, UsageError } from './usage';

type Print = (line: string) => void;

async function dispatch(storage: EventStorage, args: CliArgs, print: Print, warn: Print, signal: AbortSignal): Promise<void> {
  switch (args.command) {
    case 'emit':
      return emit(storage, args, print);
    case 'history':
      return history(storage, args, print, warn);
    case 'tail':
      return tail(storage, args, print, warn, signal);
    case 'jobs':
      return jobs(storage, args, print, warn);
    case 'stats':
      return stats(storage, args, print);
    case 'health':
      return health(storage, args, print);
    case 'delete':
      return deleteJob(storage, args, print);
    default:
      throw new UsageError(`unknown command "${args.command}"`);
  }
}

/** Runs one command; returns the exit code: 0 done, 1 failed, 2 bad usage. */
export async function main(argv: string[], write: Print, writeError: Print, signal: AbortSignal): Promise<number> {
  const print: Print = (line) => write(terminalSafe(line));
  const warn: Print = (line) => writeError(terminalSafe(line));
  let storage: EventStorage | undefined;
  let session: NatsSession | undefined;
  try {
    const args = parseCli(argv);
    if (args.values.help || args.command === undefined) {
      print(USAGE);
      return args.command === undefined && !args.values.help ? 2 : 0;
    }
    const target = resolveTarget(args);
    if (args.command === 'bench') {
      await bench(target, args, print);
      return 0;
    }
    if (args.command === 'stream') {
      session = await openSession(target);
      await stream(session, args, print);
      return 0;
    }
    storage = await openStorage(target);
    for (const line of describeProblems(storage.session.streamName, storage.session.stream?.problems ?? [])) warn(`naq-events: ${line}`);
    await dispatch(storage, args, print, warn, signal);
    return 0;
  } catch (error) {
    for (const line of error instanceof StreamPlanRefused ? error.lines : [describeFailure(error)]) warn(`naq-events: ${line}`);
    const refused = error instanceof UsageError || error instanceof InvalidIdError || error instanceof ConfigError || error instanceof StreamPlanRefused;
    return refused ? 2 : 1;
  } finally {
    await storage?.close();
    await session?.close();
  }
}

if (require.main === module) {
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());
  // A reader that stops reading (`naq-events jobs | head -3`) has what it wanted: stop, and succeed.
  let readerGone = false;
  const stdout = lineWriter(process.stdout, () => {
    readerGone = true;
    controller.abort();
  });
  const stderr = lineWriter(process.stderr, () => undefined);
  main(process.argv.slice(2), stdout, stderr, controller.signal).then((code) => {
    process.exitCode = readerGone ? 0 : code;
  });
}
