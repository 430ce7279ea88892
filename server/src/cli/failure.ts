/** One line that names what went wrong, for any error a command can end with. */
export function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  if (code === 'CONNECTION_REFUSED') return `connection refused`;
  if (code === 'TIMEOUT') return `no answer in time`;
  return error.message.split('\n')[0] ?? error.name;
}
