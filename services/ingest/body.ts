/**
 * Reads a request body up to `limit` bytes. Refuses by Content-Length before
 * reading anything, and stops reading (cancelling the stream) the moment a
 * chunked body passes the limit, so an oversized upload costs at most `limit`.
 */
export async function readBodyLimited(req: Request, limit: number): Promise<Uint8Array | 'too_large'> {
  const declared = req.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) return 'too_large';
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      return 'too_large';
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  return Buffer.concat(chunks, total);
}
