import { ConnectionSettings, resolveConnectionSettings } from '../config/connection';
import { ConfigError } from '../config/configError';
import { literalSubjectProblem, streamNameProblem } from '../config/natsNames';
import { loadSettings } from '../config/settings';
import { EventStorage } from '../storage/eventStorage';
import { NatsSession } from '../storage/session';
import { sessionOptions } from '../storage/sessionOptions';
import { CliArgs, stringOption } from './args';
import { describeFailure } from './failure';

export interface CliTarget {
  settings: ConnectionSettings;
  streamName: string;
  subjectPrefix: string;
}

/** Where the command works, from the global options, NATS contexts and NAQ_* variables. */
export function resolveTarget(args: CliArgs, env: NodeJS.ProcessEnv = process.env): CliTarget {
  const naq = loadSettings(env);
  const settings = resolveConnectionSettings(
    {
      server: stringOption(args, 'server'),
      context: stringOption(args, 'context'),
      creds: stringOption(args, 'creds'),
      user: stringOption(args, 'user'),
      password: stringOption(args, 'password'),
      token: stringOption(args, 'token'),
      // A command-line tool reports an unreachable server instead of waiting for it.
      maxReconnectAttempts: 3,
    },
    env,
  );
  const streamName = stringOption(args, 'stream') ?? naq.streamName;
  const subjectPrefix = stringOption(args, 'prefix') ?? naq.subjectPrefix;
  const streamProblem = streamNameProblem(streamName);
  if (streamProblem) throw new ConfigError(`--stream ${JSON.stringify(streamName)} is invalid: ${streamProblem}`, { setting: '--stream' });
  const prefixProblem = literalSubjectProblem(subjectPrefix);
  if (prefixProblem) throw new ConfigError(`--prefix ${JSON.stringify(subjectPrefix)} is invalid: ${prefixProblem}`, { setting: '--prefix' });
  return { settings, streamName, subjectPrefix };
}

async function opening<T>(target: CliTarget, open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (error) {
    throw new Error(`cannot use ${target.settings.servers.join(', ')}: ${describeFailure(error, 'connecting')}`, { cause: error });
  }
}

export async function openStorage(target: CliTarget): Promise<EventStorage> {
  return opening(target, () => EventStorage.open(sessionOptions(target.settings, target)));
}

/** A session that leaves the stream alone, even a missing one: for the commands that look at the stream itself. */
export async function openSession(target: CliTarget): Promise<NatsSession> {
  return opening(target, () => NatsSession.open({ ...sessionOptions(target.settings, target), createStream: false }));
}
