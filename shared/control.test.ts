import { describe, expect, it } from 'vitest';
import { ackSeqOf, clockOffset, encodeAck, parseClientMessage } from './control.js';
import { MAX_CONTROL_MESSAGE_BYTES } from './limits.js';

/** An ack padded with an ignored field to exactly `length` characters. */
function paddedAck(length: number): string {
  const head = '{"type":"ack","seq":1,"pad":"';
  const tail = '"}';
  return head + 'x'.repeat(length - head.length - tail.length) + tail;
}

describe('parseClientMessage', () => {
  it.each([
    { name: 'valid ack', input: '{"type":"ack","seq":5}', expected: { type: 'ack', seq: 5 } },
    { name: 'ack of seq 0', input: '{"type":"ack","seq":0}', expected: { type: 'ack', seq: 0 } },
    {
      name: 'ack with extra fields (dropped)',
      input: '{"type":"ack","seq":7,"x":1}',
      expected: { type: 'ack', seq: 7 },
    },
    { name: 'ack with negative seq', input: '{"type":"ack","seq":-1}', expected: undefined },
    { name: 'ack with float seq', input: '{"type":"ack","seq":1.5}', expected: undefined },
    { name: 'ack with string seq', input: '{"type":"ack","seq":"5"}', expected: undefined },
    { name: 'ack with seq beyond safe integers', input: '{"type":"ack","seq":9007199254740993}', expected: undefined },
    { name: 'ack without seq', input: '{"type":"ack"}', expected: undefined },
    {
      name: 'time_sync',
      input: '{"type":"time_sync","clientTime":1700000000000.25}',
      expected: { type: 'time_sync', clientTime: 1700000000000.25 },
    },
    { name: 'time_sync with string clientTime', input: '{"type":"time_sync","clientTime":"1"}', expected: undefined },
    { name: 'time_sync without clientTime', input: '{"type":"time_sync"}', expected: undefined },
    { name: 'unknown type', input: '{"type":"subscribe","seq":1}', expected: undefined },
    { name: 'no type', input: '{"seq":1}', expected: undefined },
    { name: 'not JSON', input: 'ack 5', expected: undefined },
    { name: 'empty text', input: '', expected: undefined },
    { name: 'null', input: 'null', expected: undefined },
    { name: 'a number', input: '42', expected: undefined },
    { name: 'an array', input: '[{"type":"ack","seq":1}]', expected: undefined },
    {
      name: `exactly MAX_CONTROL_MESSAGE_BYTES (${MAX_CONTROL_MESSAGE_BYTES}) long`,
      input: paddedAck(MAX_CONTROL_MESSAGE_BYTES),
      expected: { type: 'ack', seq: 1 },
    },
    {
      name: `longer than MAX_CONTROL_MESSAGE_BYTES (${MAX_CONTROL_MESSAGE_BYTES})`,
      input: paddedAck(MAX_CONTROL_MESSAGE_BYTES + 1),
      expected: undefined,
    },
  ])('$name', ({ input, expected }) => {
    expect(parseClientMessage(input)).toEqual(expected);
  });
});

describe('clockOffset', () => {
  it.each([
    { name: 'server ahead by 500 ms', trueOffset: 500, delay: 40, clientSent: 1_000 },
    { name: 'server behind by 1234 ms', trueOffset: -1234, delay: 75, clientSent: 1_700_000_000_000 },
    { name: 'clocks equal', trueOffset: 0, delay: 10, clientSent: 5_000 },
    { name: 'no delay', trueOffset: 250, delay: 0, clientSent: 9_999 },
  ])('symmetric delay gives the true offset: $name', ({ trueOffset, delay, clientSent }) => {
    // The server stamps its answer one delay after the client sent (in server time);
    // the answer reaches the client one delay later (in client time).
    const serverTime = clientSent + delay + trueOffset;
    const clientReceived = clientSent + 2 * delay;
    expect(clockOffset(clientSent, serverTime, clientReceived)).toBe(trueOffset);
  });

  it('is the server time minus the round-trip midpoint', () => {
    expect(clockOffset(100, 1_000, 300)).toBe(800);
  });
});

describe('ackSeqOf / encodeAck', () => {
  const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

  it.each([0, 1, 42, 1234567, Number.MAX_SAFE_INTEGER])('round-trips seq %i', (seq) => {
    expect(ackSeqOf(bytes(encodeAck(seq)))).toBe(seq);
    expect(parseClientMessage(encodeAck(seq))).toEqual({ type: 'ack', seq });
  });

  it.each([
    '{"type":"ack","seq":}',
    '{"type":"ack","seq":-1}',
    '{"type":"ack","seq":1.5}',
    '{"type":"ack","seq":12a}',
    '{"type":"ack", "seq":1}',
    '{"type":"ack","seq":1',
    '{"type":"ack","seq":99999999999999999}',
    '{"type":"time_sync","clientTime":1}',
    '',
  ])('leaves %j to the full parser', (text) => {
    expect(ackSeqOf(bytes(text))).toBeUndefined();
  });
});
