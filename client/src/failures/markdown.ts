/** A failure as a bug report in Markdown: pure, so the wording is testable without VS Code. */
import * as l10n from '@vscode/l10n';
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

/** Where the traceback was read; a function so that the words are made after the bundle is configured. */
function originText(origin: FailureJobItem['origin']): string {
  switch (origin ?? 'none') {
    case 'details':
      return l10n.t('event details');
    case 'result':
      return l10n.t('NAQ result bucket');
    case 'failed-jobs':
      return l10n.t('NAQ failed-jobs stream');
    case 'none':
      return l10n.t('not available');
  }
}

/** The call as Python would write it: `charge(42, currency='EUR')` from NAQ's reprs. */
export function callText(call: FailureCall): string {
  const args = (call.args ?? '').replace(/^\((.*?),?\)$/s, '$1');
  const kwargs = (call.kwargs ?? '').replace(/^\{(.*)\}$/s, '$1').replace(/'([A-Za-z_]\w*)': /g, '$1=');
  return `${call.function}(${[args, kwargs].filter((part) => part.trim() !== '').join(', ')})`;
}

/** One job's failure: signature, where it ran, and its traceback. */
export function jobMarkdown(job: FailureJobItem, attempts: number | null, signature?: FailureSignatureItem): string {
  const out = [`### ${inline(job.type)}: ${inline(job.message)}`, ''];
  const unknown = l10n.t('unknown');
  out.push(l10n.t('- Job: {0}', `\`${job.jobId}\``));
  out.push(l10n.t('- Queue: {0}', job.queue ?? unknown));
  out.push(l10n.t('- Worker: {0}', job.worker ?? unknown));
  out.push(l10n.t('- Attempts: {0}', attempts ?? unknown));
  out.push(l10n.t('- Failed at: {0}', isoTime(job.time)));
  if (signature) {
    out.push(l10n.t('- Signature: {0}: {1} ({2} failures, first {3}, last {4})', inline(signature.type), inline(signature.message), signature.count, isoTime(signature.firstSeen), isoTime(signature.lastSeen)));
  }
  if (job.call) out.push(l10n.t('- Call: {0}', `\`${inline(callText(job.call)).replaceAll('`', "'")}\``));
  out.push(l10n.t('- Traceback from: {0}', originText(job.origin)));
  out.push('', `${FENCE}text`, tracebackText(job), FENCE, '');
  return out.join('\n');
}

/** A signature with its newest jobs: the report someone files. */
export function signatureMarkdown(signature: FailureSignatureItem, jobs: readonly FailureJobItem[]): string {
  const out = [`## ${inline(signature.type)}: ${inline(signature.message)}`, ''];
  const unknown = l10n.t('unknown');
  out.push(l10n.t('- Failures: {0} (first {1}, last {2})', signature.count, isoTime(signature.firstSeen), isoTime(signature.lastSeen)));
  out.push(l10n.t('- Queues: {0}', signature.queues.join(', ') || unknown));
  out.push(l10n.t('- Workers: {0}', signature.workers.join(', ') || unknown));
  if (signature.function) out.push(l10n.t('- Raised in: {0}', signature.function));
  out.push(l10n.t('- Jobs: {0}', signature.jobs.map((id) => `\`${id}\``).join(', ')));
  const latest = jobs[0];
  if (latest) out.push('', l10n.t('Latest traceback (job {0}):', `\`${latest.jobId}\``), '', `${FENCE}text`, tracebackText(latest), FENCE);
  out.push('');
  return out.join('\n');
}
