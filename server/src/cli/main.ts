import { ConfigError } from '../config/configError';
import { InvalidIdError } from '../subjects/tokens';
import type { EventStorage } from '../storage/eventStorage';
import type { NatsSession } from '../storage/session';
import { describeProblems } from '../storage/streamConfig';
import { StreamPlanRefused } from '../storage/streamPlan';
import { parseCli } from './args';
import { CLI_COMMANDS, CommandIo } from './commandTable';
import { openSession, openStorage, resolveTarget } from './connect';
import { describeFailure } from './failure';
import { lineWriter, terminalSafe } from './output';
import { usageText, UsageError } from './usage';

type Print = (line: string) => void;

/** Runs one command; returns the exit code: 0 done, 1 failed, 2 bad usage. */
export async function main(argv: string[], write: Print, writeError: Print, signal: AbortSignal): Promise<number> {
  const print: Print = (line) => write(terminalSafe(line));
  const warn: Print = (line) => writeError(terminalSafe(line));
  let storage: EventStorage | undefined;
  let session: NatsSession | undefined;
  try {
    const args = parseCli(argv, CLI_COMMANDS);
    const chosen = CLI_COMMANDS.find((c) => c.name === args.command);
    if (args.values.help || !chosen) {
      print(usageText(CLI_COMMANDS));
      return args.command === undefined && !args.values.help ? 2 : 0;
    }
    const target = resolveTarget(args);
    const io: CommandIo = { args, print, warn, signal };
    const { command } = chosen;
    if (command.opens === 'nothing') {
      await command.run(target, io);
    } else if (command.opens === 'session') {
      session = await openSession(target);
      await command.run(session, io);
    } else {
      storage = await openStorage(target);
      for (const line of describeProblems(storage.session.streamName, storage.session.stream?.problems ?? [])) warn(`naq-events: ${line}`);
      await command.run(storage, io);
    }
    return 0;
  } catch (error) {
    for (const line of error instanceof StreamPlanRefused ? error.lines : [describeFailure(error, 'request')]) warn(`naq-events: ${line}`);
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
