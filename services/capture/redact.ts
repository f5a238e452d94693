/**
 * Camera URLs carry credentials (`rtsp://user:pass@host/...`, `?password=` on
 * HTTP cameras). Nothing capture prints, counts or serves may contain them:
 * URLs are shown as `rtsp://***@host:port/path`, and free text (FFmpeg's stderr,
 * error messages, whole log lines) is scrubbed of every known secret.
 */

const MASK = '***';

/** Query parameters whose values are treated as secrets. */
const SECRET_PARAM = /pass|pwd|token|secret|key|auth|user|login|sig/i;

/** `scheme://userinfo@` anywhere in a text. */
const USERINFO = /([a-z][a-z0-9+.-]*:\/\/)[^\s/'"]*@/gi;

/** `name=value` pairs with a secret-looking name in a query string of a text. */
const SECRET_PAIR = /([?&;][^=&\s'"]*(?:pass|pwd|token|secret|key|auth|user|login|sig)[^=&\s'"]*=)[^&\s'"]*/gi;

/**
 * The URL with any user info replaced by `***` and secret-looking query values
 * masked; host, port and path kept. Text that is not a URL (a file path, the
 * test pattern's name) is returned with the same scrubbing applied as text.
 */
export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return scrub(url);
  }
  if (u.protocol === 'file:') return url;
  const auth = u.username !== '' || u.password !== '' ? `${MASK}@` : '';
  let query = '';
  if (u.search !== '') {
    const pairs: string[] = [];
    for (const [name, value] of u.searchParams) {
      pairs.push(SECRET_PARAM.test(name) ? `${name}=${MASK}` : `${name}=${value}`);
    }
    query = `?${pairs.join('&')}`;
  }
  // Non-special schemes (rtsp, testsrc) have an opaque or empty host part; keep them as written.
  const hostPart = u.host !== '' ? `//${auth}${u.host}` : url.startsWith(`${u.protocol}//`) ? '//' : '';
  return `${u.protocol}${hostPart}${u.pathname}${query}`;
}

/** The secrets inside a URL: its user name, password and secret-looking query values, raw and decoded. */
export function secretsOf(url: string): string[] {
  const out = new Set<string>();
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    const m = /^[a-z][a-z0-9+.-]*:\/\/([^/@]*)@/i.exec(url);
    if (m?.[1]) for (const part of m[1].split(':')) addSecret(out, part);
    return [...out];
  }
  addSecret(out, u.username);
  addSecret(out, u.password);
  for (const [name, value] of u.searchParams) {
    if (SECRET_PARAM.test(name)) addSecret(out, value);
  }
  return [...out].sort((a, b) => b.length - a.length);
}

function addSecret(out: Set<string>, raw: string): void {
  if (raw === '') return;
  out.add(raw);
  try {
    out.add(decodeURIComponent(raw));
  } catch {
    // not percent-encoded text; the raw form is enough
  }
  out.add(encodeURIComponent(raw));
}

/** Masks user info in every URL of `text`, secret-looking query values, and each of `secrets`. */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = scrub(text);
  for (const secret of secrets) {
    // Very short values ("a", "1") would mask unrelated characters and still reveal nothing.
    if (secret.length < 3) continue;
    out = out.split(secret).join(MASK);
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret) out = out.split(escaped).join(MASK);
  }
  return out;
}

function scrub(text: string): string {
  return text.replace(USERINFO, `$1${MASK}@`).replace(SECRET_PAIR, `$1${MASK}`);
}

/** A function that redacts a text of every secret given, for a whole process. */
export function redactor(secrets: readonly string[]): (text: string) => string {
  const sorted = [...new Set(secrets)].sort((a, b) => b.length - a.length);
  return (text) => redactText(text, sorted);
}
