import type { JobItem } from '../protocol/protocol';
import { isoTime } from '../shared/time';

/** Characters a job id is made of in practice (ids cannot hold '.', '*', '>' or whitespace anyway). */
const ID_CHAR = /[A-Za-z0-9_:-]/;

/** The id-like word around `offset` in a line of text. */
export function wordAt(line: string, offset: number): { word: string; start: number; end: number } | undefined {
  let start = offset;
  let end = offset;
  while (start > 0 && ID_CHAR.test(line[start - 1] as string)) start--;
  while (end < line.length && ID_CHAR.test(line[end] as string)) end++;
  return end > start ? { word: line.slice(start, end), start, end } : undefined;
}

/** Markdown special characters escaped, so event content shows as text in a hover. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>&~]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

export function hoverMarkdown(job: JobItem): string {
  const args = encodeURIComponent(JSON.stringify([job.jobId]));
  const lines = [
    `**NAQ job** \`${job.jobId.replace(/`/g, "'")}\` — **${job.status}**`,
    '',
    `Last event: \`${job.lastEventType}\` at ${isoTime(job.lastTime)}${job.lastMessage ? ` — ${escapeMarkdown(job.lastMessage)}` : ''}`,
  ];
  if (job.queue || job.worker) lines.push('', `Queue: ${escapeMarkdown(job.queue ?? '-')} · Worker: ${escapeMarkdown(job.worker ?? '-')} · Attempts: ${job.attempts}`);
  if (job.lastError) lines.push('', `Error: ${escapeMarkdown(`${job.lastError.type ?? 'Error'}: ${job.lastError.message ?? ''}`)}`);
  lines.push('', `[Open timeline](command:naq.openTimeline?${args})`);
  return lines.join('\n');
}
