import { HTTPError, RequestError, TimeoutError } from 'got';
import { errorMessage } from './run-main.js';

/**
 * Replaces every secret (and its URL-encoded form) with `***`: webhook URLs and bot tokens are
 * credentials, and error texts from HTTP clients like to quote the URL they failed on.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    for (const form of new Set([secret, encodeURIComponent(secret), encodeURI(secret)])) {
      result = result.split(form).join('***');
    }
  }
  return result;
}

/** Why a request failed, in words a log line can hold, with no secret in it. */
export function describeFailure(error: unknown, secrets: readonly string[], timeoutMs: number): string {
  if (error instanceof HTTPError) {
    const status = error.response.statusCode;
    const reason = error.response.statusMessage ? ` ${error.response.statusMessage}` : '';
    return redact(`HTTP ${status}${reason}`, secrets);
  }
  if (error instanceof TimeoutError) return `no answer within ${timeoutMs} ms`;
  if (error instanceof RequestError) {
    return redact(error.code ? `${error.code}: ${error.message}` : error.message, secrets);
  }
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
