/**
 * Tails through a real backend and a real nats-server: a tail driven by the editor's own state
 * machine (`TailLifecycle`) subscribes again after a settings-triggered reconnect and after a NATS
 * restart, missing and repeating nothing; backfill shows a job's history first.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { TailLifecycle } from '../../client/src/tail/tailLifecycle';
import type { TailRunState } from '../../client/src/webview/messages';
import type { JobEvent } from '../../server/src/model/event';
import { ConnectRequest, EmitLifecycleRequest, EmitRequest, TailStartRequest, TailStopRequest, type TailParams } from '../../server/src/protocol/protocol';
import { BackendProcess, backendSettings, SERVER_JS } from '../support/backendProcess';
import { NatsServer } from '../support/natsServer';
import { PREFIX } from '../support/storageFixture';

let storagePath: string;

before(() => {
  assert.ok(existsSync(SERVER_JS), `${SERVER_JS} is missing: run npm run build first`);
  storagePath = mkdtempSync(join(tmpdir(), 'naq-tail-storage-'));
});

after(() => rmSync(storagePath, { recursive: true, force: true }));

/** What the tail panel does with the backend's notifications, read in order from the recorded ones. */
class TailDriver {
  readonly lifecycle = new TailLifecycle();
  readonly events: JobEvent[] = [];
  readonly states: TailRunState[] = [];
  private tailId: string | null = null;
  private stateIndex = 0;
  private batchIndex = 0;
  private subscribing: Promise<void> | null = null;

  constructor(
    private readonly backend: BackendProcess,
    private readonly params: TailParams,
  ) {}

  async start(): Promise<void> {
    this.stateIndex = this.backend.states.length;
    this.lifecycle.starting('connected', '');
    this.note();
    await this.subscribe(this.params);
  }

  /** Handles what arrived since the last call; resubscribes when the connection came back. */
  pump(): void {
    for (; this.stateIndex < this.backend.states.length; this.stateIndex++) {
      const state = this.backend.states[this.stateIndex]!;
      if (this.lifecycle.connection(state.phase, state.detail)) {
        if (this.tailId !== null) void this.backend.rpc.sendRequest(TailStopRequest.type, { tailId: this.tailId }).catch(() => undefined);
        this.tailId = null;
        this.lifecycle.starting('connected', '');
        this.subscribing = this.subscribe(this.lifecycle.resumeParams(this.params));
      }
      this.note();
    }
    if (this.tailId === null) return;
    for (; this.batchIndex < this.backend.tails.length; this.batchIndex++) {
      const batch = this.backend.tails[this.batchIndex]!;
      if (batch.tailId !== this.tailId) continue;
      for (const event of batch.events) if (this.lifecycle.admit(event.nats_sequence ?? null)) this.events.push(event);
    }
  }

  async until(what: string, probe: () => boolean, timeoutMs?: number): Promise<void> {
    await this.backend.until(
      what,
      async () => {
        this.pump();
        await this.subscribing;
        return probe();
      },
      timeoutMs,
    );
  }

  saw(jobId: string): boolean {
    return this.events.some((e) => e.job_id === jobId);
  }

  private async subscribe(params: TailParams): Promise<void> {
    const started = await this.backend.rpc.sendRequest(TailStartRequest.type, params);
    this.tailId = started.tailId;
    // Batches of this tail may have arrived before its answer: read them all again.
    this.batchIndex = 0;
    this.lifecycle.started(started.lastSeq, params.backfill !== undefined);
    this.note();
  }

  private note(): void {
    if (this.states[this.states.length - 1] !== this.lifecycle.state) this.states.push(this.lifecycle.state);
  }
}

async function emit(backend: BackendProcess, jobId: string): Promise<void> {
  await backend.rpc.sendRequest(EmitRequest.type, { event: { job_id: jobId, event_type: 'enqueued', queue_name: 'tails' } });
}

function assertNoRepeats(events: JobEvent[]): void {
  const seqs = events.map((e) => e.nats_sequence);
  assert.equal(new Set(seqs).size, seqs.length, `a sequence shown twice: ${seqs.join(',')}`);
}

test('a tail subscribes again after a settings change reconnects the backend, missing nothing', async () => {
  const server = await NatsServer.start();
  const backend = await BackendProcess.start(backendSettings({ serverUrl: server.url, storagePath }));
  try {
    await backend.untilPhase('connected');
    const tail = new TailDriver(backend, { pattern: `${PREFIX}.>` });
    await tail.start();
    await emit(backend, 'set-before');
    await tail.until('the first sentinel', () => tail.saw('set-before'));

    // What a changed "Tail: Rate Limit" does: the editor sends the settings again and the backend connects anew.
    await backend.rpc.sendRequest(ConnectRequest.type, backendSettings({ serverUrl: server.url, storagePath, tailRateLimit: 300 }));
    // Stored while no tail of this panel exists: the resubscription starts after the last event shown.
    await emit(backend, 'set-during');
    await tail.until('the resubscription', () => tail.lifecycle.state === 'live' && tail.states.includes('reconnecting'));
    await emit(backend, 'set-after');
    await tail.until('the sentinels after the reconnect', () => tail.saw('set-during') && tail.saw('set-after'));
    assert.deepEqual(tail.states, ['starting', 'live', 'reconnecting', 'starting', 'live']);
    assertNoRepeats(tail.events);
  } finally {
    await backend.stop();
    await server.dispose();
  }
});

test('a tail subscribes again after the NATS server restarts', async () => {
  const server = await NatsServer.start();
  const backend = await BackendProcess.start(backendSettings({ serverUrl: server.url, storagePath }));
  try {
    await backend.untilPhase('connected');
    const tail = new TailDriver(backend, { pattern: `${PREFIX}.>` });
    await tail.start();
    await emit(backend, 'nats-before');
    await tail.until('the first sentinel', () => tail.saw('nats-before'));

    await server.restart();
    await tail.until('reconnecting, then live again', () => tail.states.includes('reconnecting') && tail.lifecycle.state === 'live', 60_000);
    await emit(backend, 'nats-after');
    await tail.until('the sentinel after the restart', () => tail.saw('nats-after'));
    assertNoRepeats(tail.events);
  } finally {
    await backend.stop();
    await server.dispose();
  }
});

test('backfill: a job tail shows the job\'s history first, then its live events; bad backfill is refused by name', async () => {
  const server = await NatsServer.start();
  const backend = await BackendProcess.start(backendSettings({ serverUrl: server.url, storagePath }));
  try {
    await backend.untilPhase('connected');
    const lifecycle = await backend.rpc.sendRequest(EmitLifecycleRequest.type, { scenario: 'failure-with-retries', jobId: 'bf-1' });
    await emit(backend, 'bf-other');
    const tail = new TailDriver(backend, { pattern: `${PREFIX}.bf-1.>`, backfill: { all: true } });
    await tail.start();
    await tail.until('the job\'s history', () => tail.events.length === lifecycle.events.length);
    assert.deepEqual(
      tail.events.map((e) => e.nats_sequence),
      lifecycle.events.map((e) => e.seq),
    );
    await emit(backend, 'bf-1');
    await tail.until('the live event after the history', () => tail.events.length === lifecycle.events.length + 1);
    assert.ok(tail.events.every((e) => e.job_id === 'bf-1'));

    const since = new TailDriver(backend, { pattern: `${PREFIX}.>`, backfill: { since: 0 } });
    await since.start();
    await since.until('every stored event since the epoch', () => since.saw('bf-other') && since.events.filter((e) => e.job_id === 'bf-1').length === lifecycle.events.length + 1);

    await assert.rejects(backend.rpc.sendRequest(TailStartRequest.type, { backfill: { since: -1 } }), /backfill\.since: must be epoch seconds from 0 to a year from now/);
    await assert.rejects(backend.rpc.sendRequest(TailStartRequest.type, { backfill: { all: true, afterSeq: 3 } }), /backfill: give one of all, since, afterSeq, not all and afterSeq/);
    await assert.rejects(backend.rpc.sendRequest(TailStartRequest.type, { pattern: 'foo.bar' }), /outside the stream's subjects/);
  } finally {
    await backend.stop();
    await server.dispose();
  }
});
