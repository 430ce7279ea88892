import { ErrorCode, NatsError, nuid, StreamInfo } from 'nats';
import { encodeEvent } from '../codec/encode';
import { decodeEvent } from '../codec/decode';
import type { JobEvent } from '../model/event';
import type { EventType } from '../model/eventType';
import { allFilter, jobFilter, SubjectShape, subjectForEvent, typeFilters } from '../subjects/subject';
import { withTimeout } from '../util/timeout';
import { boundedRead } from './boundedRead';
import { countableFromState, EventFilters, matchesFilters, subjectFiltersFor } from './filters';
import { liveStream, StreamItem } from './liveStream';
import type { ReadResult, StartPosition } from './readResult';
import { directGet } from './directGet';
import { NatsSession, SessionOptions } from './session';

export interface Page {
  limit?: number;
  offset?: number;
}

export interface StoredRef {
  seq: number;
  subject: string;
  duplicate: boolean;
}

export interface StreamRequest {
  jobId?: string;
  types?: EventType[];
  start?: StartPosition;
  signal?: AbortSignal;
  /** Called once the live consumer exists: events stored from then on are delivered. */
  onReady?: () => void;
}

export interface Health {
  status: 'healthy';
  server: { version: string; url: string };
  jetstream: { streams: number; consumers: number; memory: number; storage: number; domain: string | undefined };
  stream: {
    name: string;
    subjects: string[];
    messages: number;
    bytes: number;
    firstSeq: number;
    lastSeq: number;
    consumerCount: number;
    created: string;
  };
  consumers: string[];
}

/** An event whose encoded size is over the server's or the stream's message size limit; nothing was stored. */
export class EventTooLargeError extends Error {
  override name = 'EventTooLargeError';
}

/** The seed's NATSJobEventStorage on JetStream, with its defects fixed (see shared/notes/seed-errata.md). */
export class EventStorage {
  constructor(readonly session: NatsSession) {}

  static async open(options: SessionOptions): Promise<EventStorage> {
    return new EventStorage(await NatsSession.open(options));
  }

  get prefix(): string {
    return this.session.prefix;
  }

  /**
   * Stores one event; its subject is set before encoding so the payload carries it, and a message id
   * makes a retried call harmless inside the duplicate window.
   */
  async store(event: JobEvent, shape?: SubjectShape, msgID: string = nuid.next()): Promise<StoredRef> {
    const subject = subjectForEvent(this.prefix, event, shape);
    event.nats_subject = subject;
    const data = encodeEvent(event);
    let ack;
    try {
      ack = await this.session.js.publish(subject, data, { msgID, timeout: this.session.timeoutMs });
    } catch (error) {
      throw (await this.tooLarge(error, data.length)) ?? error;
    }
    event.nats_sequence = ack.seq;
    return { seq: ack.seq, subject, duplicate: ack.duplicate };
  }

  /** nats.js says only "MAX_PAYLOAD_EXCEEDED", JetStream "message size exceeds maximum allowed": name the limit and the size. */
  private async tooLarge(error: unknown, size: number): Promise<EventTooLargeError | undefined> {
    if (error instanceof NatsError && error.code === ErrorCode.MaxPayloadExceeded) {
      const max = this.session.nc.info?.max_payload;
      return new EventTooLargeError(`event of ${size} bytes not stored: larger than the server's max_payload${max === undefined ? '' : ` of ${max} bytes`}`, { cause: error });
    }
    if ((error as { api_error?: { err_code?: unknown } }).api_error?.err_code === 10054) {
      const max = await withTimeout(this.streamInfo(), this.session.timeoutMs, 'stream info').then((info) => info.config.max_msg_size, () => undefined);
      return new EventTooLargeError(`event of ${size} bytes not stored: larger than the stream's max_msg_size${max === undefined ? '' : ` of ${max} bytes`}`, { cause: error });
    }
    return undefined;
  }

  /** One stored event by its stream sequence, by direct get: no consumer. */
  async getBySequence(seq: number): Promise<JobEvent> {
    const msg = await directGet(this.session.jsm, this.session.streamName, { seq });
    return decodeEvent(msg.data, { seq: msg.seq, subject: msg.subject }, msg.time.getTime() / 1000);
  }

  jobEvents(jobId: string, page: Page = {}): Promise<ReadResult> {
    return this.readMerged([jobFilter(this.prefix, jobId)], page);
  }

  /** Every event of one type, whatever its subject shape (the seed's `{prefix}.*.{type}` missed most). */
  eventsByType(type: EventType, page: Page = {}): Promise<ReadResult> {
    return this.readMerged(typeFilters(this.prefix, type), page);
  }

  list(filters: EventFilters = {}, page: Page = {}): Promise<ReadResult> {
    return this.readMerged(subjectFiltersFor(this.prefix, filters), page, (event) => matchesFilters(event, filters));
  }

  /** Counts from stream state when subjects can tell, by reading only when they cannot. */
  async count(filters: EventFilters = {}): Promise<number> {
    if (Object.values(filters).every((value) => value === undefined)) {
      return (await this.streamInfo()).state.messages;
    }
    if (!countableFromState(filters)) {
      return (await this.list(filters)).events.length;
    }
    let total = 0;
    for (const filter of subjectFiltersFor(this.prefix, filters)) {
      const info = await this.streamInfo(filter);
      for (const count of Object.values(info.state.subjects ?? {})) total += count;
    }
    return total;
  }

  /** Deletes every event of one job (a purge by subject), returning how many were removed. */
  async deleteJobEvents(jobId: string): Promise<number> {
    const response = await this.session.jsm.streams.purge(this.session.streamName, { filter: jobFilter(this.prefix, jobId) });
    return response.purged;
  }

  /** Live events, from now unless told otherwise; the consumer is removed when iteration ends. */
  stream(request: StreamRequest = {}): AsyncGenerator<StreamItem> {
    const types = request.types ?? [];
    // Servers before 2.10 take one filter per consumer, and a type lives at three subject depths: types are checked on arrival.
    return liveStream(this.session, {
      filter: request.jobId ? jobFilter(this.prefix, request.jobId) : allFilter(this.prefix),
      start: request.start,
      signal: request.signal,
      onReady: request.onReady,
      accept: types.length > 0 ? (event) => types.includes(event.event_type) : undefined,
    });
  }

  async health(): Promise<Health> {
    const { nc, jsm, streamName, timeoutMs } = this.session;
    await withTimeout(nc.flush(), timeoutMs, 'flushing the NATS connection');
    const [account, info, consumers] = await Promise.all([
      jsm.getAccountInfo(),
      this.streamInfo(),
      jsm.consumers.list(streamName).next(),
    ]);
    return {
      status: 'healthy',
      server: { version: this.session.serverVersion, url: nc.getServer() },
      jetstream: {
        streams: account.streams,
        consumers: account.consumers,
        memory: account.memory,
        storage: account.storage,
        domain: account.domain,
      },
      stream: {
        name: info.config.name,
        subjects: info.config.subjects ?? [],
        messages: info.state.messages,
        bytes: info.state.bytes,
        firstSeq: info.state.first_seq,
        lastSeq: info.state.last_seq,
        consumerCount: info.state.consumer_count,
        created: info.created,
      },
      consumers: consumers.map((consumer) => consumer.name),
    };
  }

  streamInfo(subjectsFilter?: string): Promise<StreamInfo> {
    return this.session.jsm.streams.info(this.session.streamName, subjectsFilter ? { subjects_filter: subjectsFilter } : undefined);
  }

  close(): Promise<void> {
    return this.session.close();
  }

  private async readMerged(filters: string[], page: Page, accept?: (event: JobEvent) => boolean): Promise<ReadResult> {
    const offset = page.offset ?? 0;
    if (filters.length === 1) {
      return boundedRead(this.session, { filter: filters[0] as string, offset, limit: page.limit, accept });
    }
    // Disjoint filters (one per subject depth) read one after another, then put back in stream order.
    const limit = page.limit === undefined ? undefined : offset + page.limit;
    const merged: ReadResult = { events: [], errors: [] };
    for (const filter of filters) {
      const part = await boundedRead(this.session, { filter, limit, accept });
      merged.events.push(...part.events);
      merged.errors.push(...part.errors);
    }
    merged.events.sort((a, b) => (a.nats_sequence ?? 0) - (b.nats_sequence ?? 0));
    merged.events = merged.events.slice(offset, limit);
    return merged;
  }
}
