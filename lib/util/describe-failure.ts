import { errorMessage } from './error-message.js';

/**
 * Replaces every secret (and its URL-encoded form) with `***`: webhook URLs and bot tokens are
 * credentials, and error texts from HTTP clients like to quote the URL they failed on.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let result = text;
  // longest first: the whole URL goes before its path, its path before one of its segments
  const forms = [...new Set(secrets.flatMap(secretForms))]
    .filter((form) => form.length >= 4)
    .sort((a, b) => b.length - a.length);
  for (const form of forms) result = result.split(form).join('***');
  return result;
}

/**
 * The spellings a secret can take in an error text. For a URL (a webhook's secret is its path)
 * the server may quote only its path, path and query, or a long segment of it (a token), so
 * those go too; scheme, host and port alone (showOrigin) stay readable.
 */
function secretForms(secret: string): string[] {
  const forms = [secret, encodeURIComponent(secret), encodeURI(secret)];
  let url: URL | null = null;
  try {
    url = /^[a-z][a-z0-9+.-]*:\/\//i.test(secret) ? new URL(secret) : null;
  } catch {
    url = null;
  }
  if (url !== null && url.pathname.length > 1) {
    forms.push(url.pathname + url.search, url.pathname, decodeURIComponentSafe(url.pathname));
    for (const segment of url.pathname.split('/'))
      if (segment.length >= 8) forms.push(segment, decodeURIComponentSafe(segment));
  }
  if (url !== null && url.search.length > 1) forms.push(url.search.slice(1));
  return forms;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Why a request failed, in words a log line can hold, with no secret in it. */
export function describeFailure(error: unknown, secrets: readonly string[], timeoutMs: number): string {
  // got's errors told by name: importing got for its classes would load it in every process that
  // may send a notification, before any is sent
  const named = error instanceof Error ? error : null;
  const response = (named as { response?: { statusCode?: number; statusMessage?: string } } | null)?.response;
  if (named?.name === 'HTTPError' && response?.statusCode !== undefined) {
    const reason = response.statusMessage ? ` ${response.statusMessage}` : '';
    return redact(`HTTP ${response.statusCode}${reason}`, secrets);
  }
  if (named?.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const code = (named as NodeJS.ErrnoException | null)?.code;
  if (named !== null && named.name === 'RequestError')
    return redact(code ? `${code}: ${named.message}` : named.message, secrets);
  return redact(errorMessage(error), secrets);
}

/** A URL as it may be shown: scheme, host and port only (no path, no user:password). */
export function showOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid URL)';
  }
}
