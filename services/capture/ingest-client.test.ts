import { describe, expect, it } from 'vitest';
import { errorOf } from './ingest-client.js';

describe('errorOf', () => {
  it.each([
    {
      name: "ingest's JSON error",
      status: 429,
      body: '{"error":{"code":"rate_limited","message":"stream publishes faster than 60 fps"}}',
      expected: { code: 'rate_limited', message: 'stream publishes faster than 60 fps' },
    },
    {
      name: 'JSON without a message',
      status: 401,
      body: '{"error":{"code":"unauthorized"}}',
      expected: { code: 'unauthorized', message: '' },
    },
    {
      name: 'a proxy page',
      status: 502,
      body: '<html>Bad Gateway</html>',
      expected: { code: 'http_502', message: '<html>Bad Gateway</html>' },
    },
    {
      name: 'JSON of another shape',
      status: 400,
      body: '{"message":"no"}',
      expected: { code: 'http_400', message: '{"message":"no"}' },
    },
    { name: 'an empty body', status: 404, body: '', expected: { code: 'http_404', message: '' } },
  ])('$name', ({ status, body, expected }) => {
    expect(errorOf(status, Buffer.from(body))).toEqual(expected);
  });

  it('bounds the code and message it keeps', () => {
    const body = JSON.stringify({ error: { code: 'x'.repeat(200), message: 'y'.repeat(2000) } });
    const { code, message } = errorOf(400, Buffer.from(body));
    expect(code).toHaveLength(64);
    expect(message).toHaveLength(500);
  });
});
