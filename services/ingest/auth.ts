import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * Compares a provided secret with the expected one in constant time. Hashing
 * both first makes the comparison independent of the lengths as well.
 */
export function tokenMatches(expected: string, provided: string | undefined | null): boolean {
  if (provided === undefined || provided === null) return false;
  return timingSafeEqual(digest(expected), digest(provided));
}

/**
 * The token a request carries: `Authorization: Bearer <t>`, then `X-Ingest-Token`
 * style header named by `header`, then the `token` query parameter (browsers
 * cannot set headers on a WebSocket).
 */
export function tokenFrom(
  getHeader: (name: string) => string | undefined | null,
  query: URLSearchParams,
  header: string,
): string | undefined {
  const auth = getHeader('authorization');
  if (auth) {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (m) return m[1];
  }
  return getHeader(header) ?? query.get('token') ?? undefined;
}
