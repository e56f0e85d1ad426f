// The REST calls of the connectors and templates screens. Same credentials as the rest of the
// designer (designer/src/api.ts): the API key in sessionStorage, else the hub's session cookie,
// whose CSRF token this module asks the hub for itself before its first state-changing call.
// Errors come back as the shared ApiError with the API's {code, message, details}.
import { ApiError, session } from '../api';

let csrf: Promise<string | null> | null = null;
const csrfToken = () => (csrf ??= fetch('/api/session', { credentials: 'same-origin' }).then((r) => (r.ok ? r.json().then((b: { csrfToken?: string }) => b.csrfToken ?? null) : null), () => null));

async function send(method: string, path: string, body?: unknown): Promise<Response> {
  const token = session.token();
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  else if (method !== 'GET') {
    const csrfValue = await csrfToken();
    if (csrfValue) headers['x-csrf-token'] = csrfValue;
  }
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, credentials: 'same-origin', headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!response.ok) {
    const payload = await response.json().catch(() => null);
    const error = payload?.error ?? {};
    throw new ApiError(response.status, error.code ?? 'http_error', error.message ?? `HTTP ${response.status}`, Array.isArray(error.details) ? error.details : []);
  }
  return response;
}

export async function json<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await send(method, path, body);
  return (response.status === 204 ? null : await response.json()) as T;
}

export async function blob(method: string, path: string, body?: unknown): Promise<Blob> {
  return (await send(method, path, body)).blob();
}

/** An error as one line for people: the API's message, else the thrown text. */
export const messageOf = (error: unknown) => (error instanceof ApiError ? error.message : error instanceof Error ? error.message : String(error));
export const detailsOf = (error: unknown) => (error instanceof ApiError ? error.details : []);
