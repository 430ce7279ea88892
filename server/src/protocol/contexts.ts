/** The NATS CLI contexts on the backend's machine, described without their secrets. */
import { RequestType0 } from 'vscode-languageserver-protocol';

/** Kinds of credentials a context sets; never their values. */
export type ContextAuthKind = 'user' | 'password' | 'token' | 'creds' | 'nkey' | 'jwt' | 'tls';

export interface ContextItem {
  name: string;
  /** The context's server URL(s) with any user info redacted; null when it names none. */
  url: string | null;
  /** The one `nats context select` (or $NATS_CONTEXT) chose. */
  selected: boolean;
  auth: ContextAuthKind[];
  description: string | null;
  /** Why the context cannot be used (unreadable, invalid JSON ...); it is still listed. */
  problem: string | null;
}

export interface ContextListing {
  /** Where the contexts were read from (it may not exist). */
  directory: string;
  /** Sorted by name. */
  contexts: ContextItem[];
}

export namespace ListContextsRequest {
  /** Client → server: every NATS CLI context the backend can read. */
  export const method = 'contexts/list';
  export const type = new RequestType0<ContextListing, void>(method);
}
