import { eventLine, printable } from '../../model/eventLine';
import type { EventStorage } from '../../storage/eventStorage';
import { liveStream } from '../../storage/liveStream';
import { patternProblem, subjectMatches } from '../../subjects/subject';
import { CliArgs, stringOption } from '../args';
import { UsageError } from '../usage';

/** Follows live events until `signal` aborts (Ctrl-C). */
export async function tail(
  storage: EventStorage,
  args: CliArgs,
  print: (line: string) => void,
  warn: (line: string) => void,
  signal: AbortSignal,
): Promise<void> {
  if (args.positionals.length > 1) throw new UsageError('tail takes at most one subject pattern');
  const prefix = storage.prefix;
  const pattern = args.positionals[0] ?? `${prefix}.>`;
  const problem = patternProblem(pattern);
  if (problem) throw new UsageError(`subject pattern ${JSON.stringify(pattern)}: ${problem.reason} (at character ${problem.index + 1})`);
  if (!subjectMatches(pattern, `${prefix}.x.y`) && !pattern.startsWith(`${prefix}.`)) {
    throw new UsageError(`subject pattern ${JSON.stringify(pattern)} is outside the stream's subjects ${prefix}.>`);
  }
  const type = stringOption(args, 'type');
  for await (const item of liveStream(storage.session, {
    filter: pattern,
    signal,
    // On stderr, so that stdout stays the events alone: a script (or a test) waits for this line.
    onReady: () => warn(`listening on ${printable(pattern)}`),
    accept: type === undefined ? undefined : (event) => event.event_type === type,
  })) {
    if (item.kind === 'error') warn(printable(item.error.message));
    else print(args.values.json ? JSON.stringify(item.event) : eventLine(item.event));
  }
}
