// JSON over HTTP for the REST connectors (eHR, SRM, BPM): a timeout on every call and
// failures sorted into "try again" and "do not".
import { checkOutbound, fetchOutbound, OutboundRefusedError } from '../../config';
import { ConnectorError, isRetryableStatus, networkErrorCode, messageOf } from './errors';

export interface JsonRequest {
  method: 'GET' | 'POST' | 'PUT';
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export const DEFAULT_TIMEOUT_MS = 15_000;

/**
 * Throws ConnectorError('outbound_refused', not retryable) unless SEALFLOW_OUTBOUND_ALLOW lets the hub call
 * this URL. Every connector calls it before a request leaves: requestJson here, the SAP and OA clients.
 */
export function assertOutbound(url: string | URL, what: string): void {
  try {
    checkOutbound(url, what);
  } catch (error) {
    throw new ConnectorError('outbound_refused', messageOf(error), { retryable: false });
  }
}

/** A URL as messages show it: no credentials, no query string. */
function shownUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(not a URL)';
  }
}

export async function requestJson<T = unknown>(request: JsonRequest): Promise<{ status: number; body: T }> {
  const timeout = AbortSignal.timeout(request.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
  assertOutbound(request.url, `${request.method} ${shownUrl(request.url)}`);
  let response: Response;
  try {
    // Every redirect hop is held to the allowlist too (fetchOutbound).
    response = await fetchOutbound(request.url, {
      method: request.method,
      headers: { accept: 'application/json', ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}), ...request.headers },
      body: request.body !== undefined ? JSON.stringify(request.body) : undefined,
      signal,
    }, `${request.method} ${shownUrl(request.url)}`);
  } catch (error) {
    if (error instanceof OutboundRefusedError) throw new ConnectorError('outbound_refused', error.message, { retryable: false });
    const code = networkErrorCode(error);
    throw new ConnectorError('source_unreachable', `${request.method} ${shownUrl(request.url)} failed${code ? ` (${code})` : ''}: ${messageOf(error)}`, { retryable: true, cause: error });
  }
  const text = await response.text();
  if (!response.ok) {
    // A status line only: this message reaches health records and contract timelines, which people read who must
    // not see what the remote system put in its body (or the query string of the URL, where keys are often sent).
    throw new ConnectorError(isRetryableStatus(response.status) ? 'source_failed' : 'source_rejected', `${request.method} ${shownUrl(request.url)} answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`, {
      retryable: isRetryableStatus(response.status),
      status: response.status,
    });
  }
  try {
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  } catch {
    throw new ConnectorError('source_failed', `${request.method} ${shownUrl(request.url)} answered ${response.status} with a body that is not JSON`, { retryable: false, status: response.status });
  }
}

/** Basic or bearer authorization header from optional settings. */
export function authorizationHeader(settings: { username?: string; password?: string; token?: string }): Record<string, string> {
  if (settings.token) return { authorization: `Bearer ${settings.token}` };
  if (settings.username && settings.password) return { authorization: 'Basic ' + Buffer.from(`${settings.username}:${settings.password}`).toString('base64') };
  return {};
}
