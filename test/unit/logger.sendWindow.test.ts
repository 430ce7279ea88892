import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acceptRisk, atRisk, readLookup, safeResendMs } from '../../server/src/logger/inDoubt';
import { EncodedHeaders, headerPrefix, idToken, messageId, msgIdHeader, numberOfMessageId } from '../../server/src/logger/msgIdHeader';
import { DONE, SENT, SendWindow, WAITING, WindowEntry } from '../../server/src/logger/sendWindow';

/** Takes everything `nextToSend` offers, marking each sent at `now` after `afterSeq`. */
function sendAll<M>(window: SendWindow<M>, now = 0, afterSeq = 0): WindowEntry<M>[] {
  const sent: WindowEntry<M>[] = [];
  for (let entry = window.nextToSend(); entry; entry = window.nextToSend()) {
    window.markSent(entry, now, afterSeq);
    sent.push(entry);
  }
  return sent;
}

test('messages get ids in push order and are offered for sending once each, in that order', () => {
  const window = new SendWindow<string>();
  const pushed = ['a', 'b', 'c'].map((m) => window.push(m));
  assert.deepEqual(pushed.map((e) => e.id), [0, 1, 2]);
  assert.equal(window.unsettled, 3);
  assert.deepEqual(sendAll(window).map((e) => e.message), ['a', 'b', 'c']);
  assert.equal(window.nextToSend(), undefined);
  assert.equal(window.inFlight, 3);
  assert.ok(pushed.every((e) => e.state === SENT && e.attempts === 1));
});

test('settling keeps the counts right and an id settled is no longer found', () => {
  const window = new SendWindow<string>();
  const [a, b] = [window.push('a'), window.push('b')];
  sendAll(window);
  window.settle(b);
  assert.equal(window.inFlight, 1);
  assert.equal(window.unsettled, 1);
  assert.equal(window.unsettledById(b.id), undefined);
  assert.equal(window.unsettledById(a.id), a);
  assert.equal(window.unsettledById(99), undefined);
  assert.equal(window.unsettledById(Number.NaN), undefined);
  // Settling twice (a late ack after a failure, say) changes nothing.
  window.settle(b);
  assert.equal(window.unsettled, 1);
  assert.equal(b.state, DONE);
});

test('goBack puts every message in flight back to waiting, in doubt since its send, and resends from the oldest', () => {
  const window = new SendWindow<string>();
  const [a, b, c] = [window.push('a'), window.push('b'), window.push('c')];
  for (const [entry, now, seq] of [[a, 10, 5], [b, 20, 6]] as const) {
    assert.equal(window.nextToSend(), entry);
    window.markSent(entry, now, seq);
  }
  window.settle(a);
  window.goBack();
  assert.equal(window.inFlight, 0);
  assert.deepEqual([b.state, b.uncertain, b.doubtSince, b.doubtAfterSeq], [WAITING, true, 20, 6]);
  assert.deepEqual([c.state, c.uncertain, c.doubtSince], [WAITING, false, 0], 'never sent: not in doubt');
  // A second go-back keeps the doubt of the FIRST unresolved attempt: that is what a look-up must cover.
  assert.deepEqual(sendAll(window, 90, 8).map((e) => e.message), ['b', 'c']);
  window.goBack();
  assert.deepEqual([b.doubtSince, b.doubtAfterSeq, b.attempts], [20, 6, 2]);
  assert.deepEqual([c.doubtSince, c.doubtAfterSeq], [90, 8]);
});

test('a refusal puts only the attempt in flight back, without doubt', () => {
  const window = new SendWindow<string>();
  const a = window.push('a');
  sendAll(window);
  assert.equal(window.refused(a), true);
  assert.deepEqual([a.state, a.uncertain, window.inFlight], [WAITING, false, 0]);
  // The answer to an attempt already taken back is moot.
  assert.equal(window.refused(a), false);
  assert.equal(window.inFlight, 0);
});

test('the oldest message in flight is the first one sent and not yet settled', () => {
  const window = new SendWindow<string>();
  const [a, b] = [window.push('a'), window.push('b')];
  assert.equal(window.oldestSent(), undefined);
  sendAll(window);
  assert.equal(window.oldestSent(), a);
  window.settle(a);
  assert.equal(window.oldestSent(), b);
  window.settle(b);
  assert.equal(window.oldestSent(), undefined);
});

test('a message settled while waiting (a late ack of an earlier attempt) is skipped by the sender', () => {
  const window = new SendWindow<string>();
  const [a, b] = [window.push('a'), window.push('b')];
  sendAll(window);
  window.goBack();
  window.settle(a);
  assert.deepEqual(sendAll(window).map((e) => e.message), ['b']);
  assert.deepEqual(window.pending(), [b]);
});

test('ids stay valid across the compaction of the settled prefix', () => {
  const window = new SendWindow<number>();
  const all: WindowEntry<number>[] = [];
  for (let i = 0; i < 10_000; i++) all.push(window.push(i));
  sendAll(window);
  for (let i = 0; i < 9_000; i++) window.settle(all[i] as WindowEntry<number>);
  assert.equal(window.unsettled, 1_000);
  assert.equal(window.unsettledById(8_999), undefined);
  assert.equal(window.unsettledById(9_000), all[9_000]);
  assert.equal(window.push(10_000).id, 10_000);
  window.goBack();
  assert.equal(window.nextToSend(), all[9_000]);
});

test('message ids: the header carries exactly the id the look-up reads back', () => {
  const prefix = 'ABC123-';
  const header = new TextDecoder().decode(msgIdHeader(headerPrefix(prefix), idToken(1295)));
  assert.equal(header, `NATS/1.0\r\nNats-Msg-Id: ${messageId(prefix, 1295)}\r\n\r\n`);
  assert.equal(messageId(prefix, 1295), 'ABC123-zz');
  assert.equal(numberOfMessageId(prefix, 'ABC123-zz'), 1295);
  assert.ok(Number.isNaN(numberOfMessageId(prefix, 'OTHER-zz')));
  const headers = new EncodedHeaders();
  headers.bytes = msgIdHeader(headerPrefix(prefix), idToken(7));
  assert.equal(headers.encode(), headers.bytes, 'nats.js must get these bytes as they are');
});

test('in doubt: only waiting messages in doubt longer than the safe span are at risk, from the oldest doubt', () => {
  const window = new SendWindow<string>();
  const [a, b, c] = [window.push('a'), window.push('b'), window.push('c')];
  for (const [entry, now, seq] of [[a, 1_000, 40], [b, 50_000, 41]] as const) {
    window.nextToSend();
    window.markSent(entry, now, seq);
  }
  window.goBack();
  const windowMs = 120_000;
  assert.equal(safeResendMs(windowMs), 115_000);
  assert.equal(safeResendMs(8_000), 6_000);
  assert.equal(atRisk(window, 1_000 + 114_999, windowMs), undefined);
  const risk = atRisk(window, 1_000 + 115_000, windowMs);
  assert.deepEqual(risk?.entries, [a]);
  assert.equal(risk?.fromSeq, 41);
  const later = atRisk(window, 50_000 + 115_000, windowMs);
  assert.deepEqual(later?.entries, [a, b]);
  assert.equal(later?.fromSeq, 41);
  assert.equal(c.doubtSince, 0);
});

test('in doubt: found messages come back to be settled; the others are known not stored', () => {
  const prefix = 'P-';
  const window = new SendWindow<string>();
  const [a, b] = [window.push('a'), window.push('b')];
  sendAll(window, 1, 0);
  window.goBack();
  const risk = atRisk(window, 1_000_000, 120_000);
  assert.ok(risk);
  const ack = { stream: 'S', seq: 7, duplicate: true };
  const found = new Map([
    [messageId(prefix, a.id), ack],
    ['OTHER-0', { stream: 'S', seq: 8, duplicate: true }],
  ]);
  assert.deepEqual(readLookup(window, prefix, found, risk), [[a, ack]]);
  assert.deepEqual([b.uncertain, b.doubtSince], [false, 0]);
  assert.deepEqual([a.uncertain, a.state], [true, WAITING], 'settling is the caller’s');
  window.settle(a);
  assert.deepEqual(readLookup(window, prefix, found, risk), [], 'settled meanwhile: left out');
});

test('in doubt: accepting the risk stops the doubt from counting again', () => {
  const window = new SendWindow<string>();
  window.push('a');
  sendAll(window, 1, 0);
  window.goBack();
  const risk = atRisk(window, 1_000_000, 120_000);
  assert.ok(risk);
  acceptRisk(risk);
  assert.equal(atRisk(window, 2_000_000, 120_000), undefined);
});
