import { parseArgs } from 'node:util';
import { UsageError } from './usage';

const options = {
  server: { type: 'string' },
  stream: { type: 'string' },
  prefix: { type: 'string' },
  context: { type: 'string' },
  creds: { type: 'string' },
  user: { type: 'string' },
  password: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  job: { type: 'string' },
  type: { type: 'string' },
  worker: { type: 'string' },
  'worker-type': { type: 'string' },
  queue: { type: 'string' },
  'duration-ms': { type: 'string' },
  'error-type': { type: 'string' },
  'error-message': { type: 'string' },
  message: { type: 'string' },
  status: { type: 'string' },
  events: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  by: { type: 'string' },
  'dry-run': { type: 'boolean' },
  force: { type: 'boolean' },
} as const;

export type OptionName = keyof typeof options;

export interface CliArgs {
  command: string | undefined;
  positionals: string[];
  values: Partial<Record<OptionName, string | boolean>>;
}

const globalOptions: OptionName[] = ['server', 'stream', 'prefix', 'context', 'creds', 'user', 'password', 'token', 'help'];

/** A command's name and the options it takes besides the global ones; anything else is a usage error. */
export interface CommandOptions {
  name: string;
  options: readonly OptionName[];
}

export function parseCli(argv: string[], commands: readonly CommandOptions[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const [command, ...positionals] = parsed.positionals;
  const values = parsed.values as CliArgs['values'];
  if (command !== undefined) {
    const allowed = commands.find((c) => c.name === command);
    if (!allowed) throw new UsageError(`unknown command "${command}"; commands: ${commands.map((c) => c.name).join(', ')}`);
    for (const name of Object.keys(values) as OptionName[]) {
      if (!allowed.options.includes(name) && !globalOptions.includes(name)) throw new UsageError(`${command} does not take --${name}`);
    }
  }
  return { command, positionals, values };
}

export function stringOption(args: CliArgs, name: OptionName): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function requiredOption(args: CliArgs, name: OptionName): string {
  const value = stringOption(args, name);
  if (value === undefined) throw new UsageError(`--${name} is required`);
  return value;
}

export function numberOption(args: CliArgs, name: OptionName, check: (n: number) => boolean, expected: string): number | undefined {
  const raw = stringOption(args, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || !check(value)) throw new UsageError(`--${name} ${JSON.stringify(raw)}: expected ${expected}`);
  return value;
}

export function onePositional(args: CliArgs, what: string): string {
  if (args.positionals.length !== 1) throw new UsageError(`${args.command} takes exactly one ${what}`);
  return args.positionals[0] as string;
}
