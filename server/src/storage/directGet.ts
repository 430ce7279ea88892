import type { JetStreamManager, StoredMsg } from 'nats';

export type DirectQuery = { seq: number } | { last_by_subj: string };

/** nats.js 2.29 has direct get on its manager object but leaves it out of the public interface. */
type DirectCapable = JetStreamManager & { direct?: { getMessage(stream: string, query: DirectQuery): Promise<StoredMsg> } };

/**
 * Reads one message by sequence or last-by-subject without a consumer: direct get when the manager
 * offers it (any replica answers), the stream leader's message API otherwise.
 */
export function directGet(jsm: JetStreamManager, stream: string, query: DirectQuery): Promise<StoredMsg> {
  const direct = (jsm as DirectCapable).direct;
  if (direct) return direct.getMessage(stream, query);
  return jsm.streams.getMessage(stream, query);
}
