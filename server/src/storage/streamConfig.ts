import { DiscardPolicy, JetStreamManager, RetentionPolicy, StorageType, StreamConfig, nanos } from 'nats';

/** The seed's stream limits. */
export interface StreamLimits {
  storage: 'file' | 'memory';
  maxAgeMs: number;
  maxMsgs: number;
  maxBytes: number;
  maxMsgSize: number;
  duplicateWindowMs: number;
  replicas: number;
}

export const SEED_LIMITS: StreamLimits = {
  storage: 'file',
  maxAgeMs: 7 * 24 * 60 * 60 * 1000,
  maxMsgs: 10_000_000,
  maxBytes: 10 * 1024 * 1024 * 1024,
  maxMsgSize: 1024 * 1024,
  duplicateWindowMs: 2 * 60 * 1000,
  replicas: 1,
};

export function desiredStreamConfig(name: string, prefix: string, limits: StreamLimits = SEED_LIMITS): Partial<StreamConfig> & { name: string } {
  return {
    name,
    subjects: [`${prefix}.>`],
    storage: limits.storage === 'file' ? StorageType.File : StorageType.Memory,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_age: nanos(limits.maxAgeMs),
    max_msgs: limits.maxMsgs,
    max_bytes: limits.maxBytes,
    max_msg_size: limits.maxMsgSize,
    duplicate_window: nanos(limits.duplicateWindowMs),
    num_replicas: limits.replicas,
    allow_direct: true,
  };
}

/**
 * Settings brought in line on an existing stream. Not `num_replicas`: the replica count is chosen when
 * the stream is created; a server 2.9 cluster applies a change in place, so "correcting" a user's R3
 * stream to our default of 1 would silently drop its redundancy (and scaling up is an operator's call).
 */
const COMPARED = ['subjects', 'max_age', 'max_msgs', 'max_bytes', 'max_msg_size', 'duplicate_window', 'allow_direct'] as const;

/** Which settings of an existing stream differ from what we want; the storage type cannot be changed in place. */
export function configDifferences(current: StreamConfig, desired: Partial<StreamConfig>): string[] {
  return COMPARED.filter((key) => JSON.stringify(current[key]) !== JSON.stringify(desired[key]));
}

export type EnsureOutcome = { action: 'created' | 'updated' | 'unchanged'; changed: string[] };

export class StreamSetupError extends Error {
  override name = 'StreamSetupError';
}

/** Creates the stream when missing and updates it when its configuration differs. */
export async function ensureStream(jsm: JetStreamManager, desired: Partial<StreamConfig> & { name: string }): Promise<EnsureOutcome> {
  let current: StreamConfig;
  try {
    current = (await jsm.streams.info(desired.name)).config;
  } catch (error) {
    if ((error as Error).message !== 'stream not found') throw error;
    await jsm.streams.add(desired);
    return { action: 'created', changed: [] };
  }
  if (current.storage !== desired.storage) {
    throw new StreamSetupError(
      `stream ${desired.name} uses ${current.storage} storage but ${desired.storage} was asked for; JetStream cannot change that in place`,
    );
  }
  const changed = configDifferences(current, desired);
  if (changed.length === 0) return { action: 'unchanged', changed };
  // The existing replica count stays (see COMPARED).
  await jsm.streams.update(desired.name, { ...current, ...desired, num_replicas: current.num_replicas });
  return { action: 'updated', changed };
}
