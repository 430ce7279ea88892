/**
 * Reading a stream for its plan and carrying a plan out: the one place, besides creating a missing
 * stream, where this project changes a stream's configuration, and only when asked to explicitly.
 */
import { createHash } from 'node:crypto';
import type { JetStreamManager, StreamConfig, StreamInfo } from 'nats';
import { checkApplicable, planStream, StreamPlan } from './streamPlan';

/** The stream's configuration and state; undefined when there is no such stream. */
export async function readStream(jsm: JetStreamManager, name: string): Promise<StreamInfo | undefined> {
  try {
    return await jsm.streams.info(name);
  } catch (error) {
    if ((error as Error).message === 'stream not found') return undefined;
    throw error;
  }
}

/** Names one configuration: a plan reviewed against it is applied only while the stream still has it. */
export function configBasis(config: StreamConfig | undefined): string {
  return createHash('sha256')
    .update(JSON.stringify(config ?? null))
    .digest('hex')
    .slice(0, 16);
}

/** The stream changed between the review and the apply: the reviewed plan no longer says what would happen. */
export class StreamChangedError extends Error {
  override name = 'StreamChangedError';
}

export interface PlanOptions {
  name: string;
  prefix: string;
}

export interface ApplyOptions {
  force: boolean;
  /** The `configBasis` the plan was reviewed against; undefined: the plan is computed and applied at once. */
  basis?: string;
}

/** Applies the plan for the stream as it is now: creates it, or updates only the planned settings. */
export async function applyStreamPlan(jsm: JetStreamManager, target: PlanOptions, options: ApplyOptions): Promise<{ plan: StreamPlan; info: StreamInfo | undefined }> {
  const current = await readStream(jsm, target.name);
  if (options.basis !== undefined && options.basis !== configBasis(current?.config)) {
    throw new StreamChangedError(`stream ${target.name} changed since its plan was reviewed; review it again`);
  }
  const plan = planStream(current?.config, target.name, target.prefix);
  checkApplicable(plan, options.force);
  if (plan.action === 'none') return { plan, info: current };
  const info = plan.action === 'create' ? await jsm.streams.add({ ...plan.config, name: target.name }) : await jsm.streams.update(target.name, plan.config);
  return { plan, info };
}
