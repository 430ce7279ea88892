/** `stream/plan` and `stream/apply`: the stream's review for the editor, and the apply the user confirmed. */
import type { StreamApplyParams, StreamApplyResult, StreamReview } from '../protocol/stream';
import type { NatsSession } from '../storage/session';
import { assessStream } from '../storage/streamConfig';
import { describePlan, planStream, StreamPlanRefused } from '../storage/streamPlan';
import { applyStreamPlan, configBasis, readStream, StreamChangedError } from '../storage/streamPlanApply';

export async function reviewStream(session: NatsSession): Promise<StreamReview> {
  const info = await readStream(session.jsm, session.streamName);
  const plan = planStream(info?.config, session.streamName, session.prefix);
  return {
    stream: plan.stream,
    action: plan.action,
    changes: plan.changes.map((c) => ({ field: c.field, from: c.from, to: c.to, forceRule: c.forceRule ?? null })),
    conflicts: plan.conflicts,
    kept: plan.kept,
    problems: info ? assessStream(info.config, session.prefix).map((p) => ({ field: p.field, detail: p.detail, degrades: p.degrades })) : [],
    text: describePlan(plan),
    basis: configBasis(info?.config),
  };
}

/** Applies the plan only while the stream is as reviewed; a refusal is an answer, not an error. */
export async function applyReviewed(session: NatsSession, params: StreamApplyParams, log: (message: string) => void): Promise<StreamApplyResult> {
  let outcome: StreamApplyResult['outcome'];
  let reasons: string[] = [];
  try {
    const { plan } = await applyStreamPlan(session.jsm, { name: session.streamName, prefix: session.prefix }, params);
    outcome = plan.action === 'create' ? 'created' : plan.action === 'update' ? 'updated' : 'unchanged';
    const what = plan.changes.map((c) => `${c.field} ${c.from} → ${c.to}`).join(', ');
    if (outcome !== 'unchanged') log(`stream/apply${params.force ? ' with force' : ''}: ${outcome} stream ${plan.stream}: ${what}`);
  } catch (error) {
    if (error instanceof StreamPlanRefused) {
      outcome = 'refused';
      reasons = [...error.lines];
    } else if (error instanceof StreamChangedError) {
      outcome = 'changed';
      reasons = [error.message];
    } else {
      throw error;
    }
  }
  return { outcome, reasons, review: await reviewStream(session) };
}
