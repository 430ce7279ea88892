import { AckPolicy, Consumer, ConsumerConfig, ConsumerInfo, JsMsg, millis, nanos } from 'nats';
import { EventDecodeError } from '../codec/decode';
import type { JobEvent } from '../model/event';
import { decodeMessage, deliverPolicy } from '../storage/boundedRead';
import type { StartPosition } from '../storage/readResult';
import type { NatsSession } from '../storage/session';
import { withTimeout } from '../util/timeout';
import { ProcessorConfigError } from './errors';
import { PullSource } from './pullSource';
import { Deliver, ReportStreamError } from './source';

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
 */
export class DurableSource extends PullSource {
  private consumer: Consumer | undefined;
  /** The consumer's own ack_wait: a group created by others may have set a different one. */
  private ackWaitMs: number;

  constructor(
    session: NatsSession,
    private readonly settings: DurableSettings,
    report: ReportStreamError,
  ) {
    super(session, settings.batchSize, report);
    this.ackWaitMs = settings.ackWaitMs;
  }

  get description(): string {
    return `durable consumer ${this.settings.name} on ${this.session.streamName}`;
  }

  async open(): Promise<void> {
    await this.acquire();
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

  protected async acquire(): Promise<Consumer> {
    if (this.consumer) return this.consumer;
    const info = await this.ensure();
    if (info.config.ack_wait) this.ackWaitMs = millis(info.config.ack_wait);
    const { js, streamName, timeoutMs } = this.session;
    this.consumer = await withTimeout(js.consumers.get(streamName, this.settings.name), timeoutMs, `binding to consumer ${this.settings.name}`);
    return this.consumer;
  }

  protected async discard(): Promise<void> {
    // Bound again (and recreated if someone deleted it) on the next pull.
    this.consumer = undefined;
  }

  protected async handle(msg: JsMsg, deliver: Deliver): Promise<void> {
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
      if (this.stopping) clearInterval(tick);
      else msg.working();
    }, Math.max(250, Math.floor(this.ackWaitMs / 3)));
    try {
      await deliver({ kind: 'event', event, redelivered: msg.redelivered });
    } finally {
      clearInterval(tick);
    }
    msg.ack();
  }

  protected leftover(msg: JsMsg): void {
    // Delivered to us but not handled: give it back to the group now rather than after ack_wait.
    msg.nak();
  }

  protected async finish(): Promise<void> {
    await this.flush();
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
