import { AckPolicy, Consumer, ConsumerConfig, ConsumerInfo, ConsumerMessages, JsMsg, millis, nanos } from 'nats';
import { EventDecodeError } from '../codec/decode';
import type { JobEvent } from '../model/event';
import { decodeMessage, deliverPolicy } from '../storage/boundedRead';
import type { StartPosition } from '../storage/readResult';
import type { NatsSession } from '../storage/session';
import { delay, withTimeout } from '../util/timeout';
import { ProcessorConfigError } from './errors';
import { Deliver, EventSource, ReportStreamError, reportFailure } from './source';

/** How long one pull request stays open on the server; nats.js refuses less than 1 s. */
const FETCH_EXPIRES_MS = 5_000;

export interface DurableSettings {
  name: string;
  filter: string;
  /** Where the group starts; used only when the consumer is created. */
  start: StartPosition;
  ackWaitMs: number;
  maxAckPending: number;
  /** Messages asked for per pull. */
  batchSize: number;
}

export function durableConfig(settings: DurableSettings): Partial<ConsumerConfig> {
  return {
    durable_name: settings.name,
    description: 'NAQ job event processor group',
    ack_policy: AckPolicy.Explicit,
    ack_wait: nanos(settings.ackWaitMs),
    max_ack_pending: settings.maxAckPending,
    filter_subject: settings.filter,
    ...deliverPolicy(settings.start),
  };
}

/** Why an existing consumer cannot be shared by this processor; undefined when it can. */
export function incompatibility(info: ConsumerInfo, settings: DurableSettings): string | undefined {
  const { config } = info;
  if (config.deliver_subject) return `is a push consumer (delivers to ${config.deliver_subject}); the processor pulls`;
  if (config.ack_policy !== AckPolicy.Explicit) return `acks with policy "${config.ack_policy}"; the processor needs "explicit"`;
  const filter = config.filter_subject ?? '';
  if (filter !== settings.filter) {
    return `filters ${filter ? JSON.stringify(filter) : 'nothing (the whole stream)'}, this processor asked for ${JSON.stringify(settings.filter)}`;
  }
  return undefined;
}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && error.message === 'consumer not found';
}

/**
 * Events through a durable pull consumer shared by every processor with the same name: the server hands
 * each message to one of them, keeps what was not acked, and redelivers it (to anyone in the group) after
 * `ack_wait`. Each message is acked after its handlers ran; a payload that cannot be decoded is
 * terminated, since redelivering it would only fail again.
 *
 * Read by bounded pulls (fetch) rather than consume(): every request ends by itself after FETCH_EXPIRES_MS,
 * and a failure (consumer deleted, server restarted, timeout) surfaces as an exception instead of a status
 * notification, after which the consumer is simply bound again. (nats.js's consume() retries a failed
 * consumer internally, 30 times with 15-45 s pauses: neither an abort signal nor closing the connection
 * ends that, and its timers keep the process alive.)
 */
export class DurableSource implements EventSource {
  private consumer: Consumer | undefined;
  /** The consumer's own ack_wait: a group created by others may have set a different one. */
  private ackWaitMs: number;
  private batch: ConsumerMessages | undefined;
  /** The running loop's: aborted once stop() has begun. */
  private signal: AbortSignal | undefined;

  constructor(
    private readonly session: NatsSession,
    private readonly settings: DurableSettings,
    private readonly report: ReportStreamError,
  ) {
    this.ackWaitMs = settings.ackWaitMs;
  }

  get description(): string {
    return `durable consumer ${this.settings.name} on ${this.session.streamName}`;
  }

  async open(): Promise<void> {
    await this.acquire();
  }

  async run(deliver: Deliver, signal: AbortSignal): Promise<void> {
    this.signal = signal;
    const interrupt = (): void => this.interrupt();
    signal.addEventListener('abort', interrupt, { once: true });
    let attempt = 0;
    try {
      while (!signal.aborted) {
        try {
          const consumer = await this.acquire();
          if (signal.aborted) return;
          const batch = await consumer.fetch({ max_messages: this.settings.batchSize, expires: FETCH_EXPIRES_MS });
          this.batch = batch;
          for await (const msg of batch) {
            // Delivered to us but not handled: give it back to the group now rather than after ack_wait.
            if (signal.aborted) msg.nak();
            else await this.handle(msg, deliver);
          }
          attempt = 0;
        } catch (error) {
          // Bound again (and recreated if someone deleted it) on the next pull.
          this.consumer = undefined;
          if (signal.aborted) return;
          const wait = reportFailure(this.session, this.description, ++attempt, error, this.report);
          if (wait === undefined) return;
          await delay(wait, signal);
        } finally {
          this.batch = undefined;
        }
      }
    } finally {
      signal.removeEventListener('abort', interrupt);
      await this.flush();
    }
  }

  /** Ends the pull in progress now instead of when its request expires. */
  private interrupt(): void {
    this.batch?.stop();
  }

  /**
   * Binds to the consumer when it exists and creates it otherwise. Looking first matters on 2.9:
   * a create call for an existing durable with another filter does not fail there, it silently rewrites
   * the consumer under the rest of the group.
   */
  private async ensure(): Promise<ConsumerInfo> {
    const { jsm, streamName, timeoutMs } = this.session;
    const { name } = this.settings;
    try {
      const info = await withTimeout(jsm.consumers.info(streamName, name), timeoutMs, `looking up consumer ${name}`);
      const problem = incompatibility(info, this.settings);
      if (problem) throw new ProcessorConfigError(`consumer ${name} on stream ${streamName} ${problem}`);
      return info;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    // Two processors starting together may both get here; the server answers an identical create
    // with the consumer the other one made.
    return withTimeout(jsm.consumers.add(streamName, durableConfig(this.settings)), timeoutMs, `creating consumer ${name}`);
  }

  private async acquire(): Promise<Consumer> {
    if (this.consumer) return this.consumer;
    const info = await this.ensure();
    if (info.config.ack_wait) this.ackWaitMs = millis(info.config.ack_wait);
    const { js, streamName, timeoutMs } = this.session;
    this.consumer = await withTimeout(js.consumers.get(streamName, this.settings.name), timeoutMs, `binding to consumer ${this.settings.name}`);
    return this.consumer;
  }

  private async handle(msg: JsMsg, deliver: Deliver): Promise<void> {
    let event: JobEvent;
    try {
      event = decodeMessage(msg);
    } catch (error) {
      if (!(error instanceof EventDecodeError)) throw error;
      msg.term();
      await deliver({ kind: 'error', error });
      return;
    }
    // Slow handlers must not let ack_wait run out, or the server hands the event to another member while
    // it is still being handled here. Messages waiting in the batch are not covered: batchSize keeps that
    // short. Once stop() has begun the claim is dropped, so that a handler hanging past stop() does not
    // hold the event away from the group for good.
    const tick = setInterval(() => {
      if (this.signal?.aborted) clearInterval(tick);
      else msg.working();
    }, Math.max(250, Math.floor(this.ackWaitMs / 3)));
    try {
      await deliver({ kind: 'event', event, redelivered: msg.redelivered });
    } finally {
      clearInterval(tick);
    }
    msg.ack();
  }

  async release(): Promise<void> {
    this.interrupt();
    await this.flush();
  }

  private async flush(): Promise<void> {
    // Acks and naks are plain publishes; the owner may close the connection right after stop().
    const { nc, timeoutMs } = this.session;
    if (!nc.isClosed()) await withTimeout(nc.flush(), timeoutMs, 'flushing acks').catch(() => undefined);
  }
}

/** Deletes the group's consumer; false when there was none. */
export async function deleteDurable(session: NatsSession, name: string): Promise<boolean> {
  try {
    return await withTimeout(session.jsm.consumers.delete(session.streamName, name), session.timeoutMs, `deleting consumer ${name}`);
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}
