/**
 * Reviewing the stream's configuration against the seed's limits, and changing it only on the user's
 * explicit confirmation: the editor's `naq-events stream show` and `stream apply`.
 */
import { RequestType, RequestType0 } from 'vscode-languageserver-protocol';

/** The stream settings a review compares and an apply may change. */
export type StreamSettingName = 'subjects' | 'max_age' | 'max_msgs' | 'max_bytes' | 'max_msg_size' | 'duplicate_window' | 'allow_direct' | 'discard';

export interface StreamChangeItem {
  field: StreamSettingName;
  /** The current and the planned value in words (`unlimited`, `7d`, `1 MiB`); `none` for a stream to create. */
  from: string;
  to: string;
  /** Why the change can delete or refuse events, so that it is applied only with `force`; null when safe. */
  forceRule: string | null;
}

/** What the stream's current configuration degrades (see README: what an operator's settings change). */
export interface StreamDegradation {
  field: 'subjects' | 'allow_direct' | 'max_msg_size' | 'duplicate_window';
  detail: string;
  degrades: string;
}

export interface StreamReview {
  stream: string;
  /** `create`: the stream does not exist; `update`: it differs from the seed's limits; `none`: nothing to change. */
  action: 'create' | 'update' | 'none';
  changes: StreamChangeItem[];
  /** Why the changes cannot be applied even with `force`: the operator must change the stream. */
  conflicts: string[];
  /** Differences an apply leaves alone, with why (the operator's extra subjects, the storage type). */
  kept: string[];
  problems: StreamDegradation[];
  /** The plan as `naq-events stream apply --dry-run` prints it. */
  text: string[];
  /** Names the configuration this review was made of; an apply with another basis changes nothing. */
  basis: string;
}

export interface StreamApplyParams {
  /** Apply the changes that shorten or lower a limit too (`--force`). */
  force: boolean;
  /** The `basis` of the review the user confirmed. */
  basis: string;
}

export interface StreamApplyResult {
  /** `refused`: changes need `force` or conflict; `changed`: the stream changed since the review. Both change nothing. */
  outcome: 'created' | 'updated' | 'unchanged' | 'refused' | 'changed';
  /** Why nothing was changed, one line per reason; empty when applied. */
  reasons: string[];
  /** The review of the stream as it is after this request. */
  review: StreamReview;
}

export namespace StreamPlanRequest {
  /** Client → server: the stream's difference to the seed's limits and what it degrades; changes nothing. */
  export const method = 'stream/plan';
  export const type = new RequestType0<StreamReview, void>(method);
}

export namespace StreamApplyRequest {
  /** Client → server: apply the reviewed plan, only after the user confirmed it. */
  export const method = 'stream/apply';
  export const type = new RequestType<StreamApplyParams, StreamApplyResult, void>(method);
}
