/** A failure as a bug report in Markdown: pure, so the wording is testable without VS Code. */
import type { FailureCall, FailureJobItem, FailureSignatureItem } from '../../../server/src/protocol/protocol';
import { isoTime } from '../../../server/src/shared/time';

const FENCE = '```';

function frameLine(frame: FailureJobItem['frames'][number]): string {
  const where = `  File "${frame.file}", line ${frame.line}${frame.function ? `, in ${frame.function}` : ''}`;
  return frame.source ? `${where}\n    ${frame.source}` : where;
}

/** The traceback as Python prints it, from the frames the backend parsed; fences inside are broken up. */
export function tracebackText(job: FailureJobItem): string {
  const lines = ['Traceback (most recent call last):', ...job.frames.map(frameLine), `${job.type}: ${job.message}`];
  return lines.join('\n').replaceAll(FENCE, '`\u200b``');
}

/** Text from a job on one Markdown line: no line breaks, no backtick run that could open or close a fence. */
function inline(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replaceAll(FENCE, '`\u200b``');
}

const ORIGINS: Record<NonNullable<FailureJobItem['origin']> | 'none', string> = {
  details: 'event details',
  result: 'NAQ result bucket',
  'failed-jobs': 'NAQ failed-jobs stream',
  none: 'not available',
};

/** The call as Python would write it: `charge(42, currency='EUR')` from NAQ's reprs. */
export function callText(call: FailureCall): string {
  const args = (call.args ?? '').replace(/^\((.*?),?\)$/s, '$1');
  const kwargs = (call.kwargs ?? '').replace(/^\{(.*)\}$/s, '$1').replace(/'([A-Za-z_]\w*)': /g, '$1=');
  return `${call.function}(${[args, kwargs].filter((part) => part.trim() !== '').join(', ')})`;
}

/** One job's failure: signature, where it ran, and its traceback. */
export function jobMarkdown(job: FailureJobItem, attempts: number | null, signature?: FailureSignatureItem): string {
  const out = [`### ${inline(job.type)}: ${inline(job.message)}`, ''];
  out.push(`- Job: \`${job.jobId}\``);
  out.push(`- Queue: ${job.queue ?? 'unknown'}`);
  out.push(`- Worker: ${job.worker ?? 'unknown'}`);
  out.push(`- Attempts: ${attempts ?? 'unknown'}`);
  out.push(`- Failed at: ${isoTime(job.time)}`);
  if (signature) {
    out.push(`- Signature: ${inline(signature.type)}: ${inline(signature.message)} (${signature.count} failures, first ${isoTime(signature.firstSeen)}, last ${isoTime(signature.lastSeen)})`);
  }
  if (job.call) out.push(`- Call: \`${inline(callText(job.call)).replaceAll('`', "'")}\``);
  out.push(`- Traceback from: ${ORIGINS[job.origin ?? 'none']}`);
  out.push('', `${FENCE}text`, tracebackText(job), FENCE, '');
  return out.join('\n');
}

/** A signature with its newest jobs: the report someone files. */
export function signatureMarkdown(signature: FailureSignatureItem, jobs: readonly FailureJobItem[]): string {
  const out = [`## ${inline(signature.type)}: ${inline(signature.message)}`, ''];
  out.push(`- Failures: ${signature.count} (first ${isoTime(signature.firstSeen)}, last ${isoTime(signature.lastSeen)})`);
  out.push(`- Queues: ${signature.queues.join(', ') || 'unknown'}`);
  out.push(`- Workers: ${signature.workers.join(', ') || 'unknown'}`);
  if (signature.function) out.push(`- Raised in: ${signature.function}`);
  out.push(`- Jobs: ${signature.jobs.map((id) => `\`${id}\``).join(', ')}`);
  const latest = jobs[0];
  if (latest) out.push('', `Latest traceback (job \`${latest.jobId}\`):`, '', `${FENCE}text`, tracebackText(latest), FENCE);
  out.push('');
  return out.join('\n');
}
