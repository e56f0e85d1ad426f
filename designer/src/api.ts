// The hub's REST API as the designer uses it. People sign in with their password (the hub's
// session cookie, shared with the console; state-changing calls carry its CSRF token); an API
// key may be used instead, kept in sessionStorage. Every error comes back as the API's
// {code, message, details}.
import type { FlowDefinition, ValidationIssue } from '../../flows';

const TOKEN_KEY = 'sealflow.token';
/** The CSRF token of the browser's session with the hub, once signed in with a password. */
let csrfToken: string | null = null;

export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  signIn: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  async signInWithPassword(login: string, password: string): Promise<void> {
    csrfToken = (await call<{ csrfToken: string }>('POST', '/api/session', { login, password })).csrfToken;
  },
  /** Picks up a session the browser already holds (signed in here before, or in the console). */
  async resume(): Promise<boolean> {
    if (session.token() !== null) return true;
    csrfToken = await call<{ csrfToken: string }>('GET', '/api/session').then((r) => r.csrfToken, () => null);
    return csrfToken !== null;
  },
  async signOut(): Promise<void> {
    sessionStorage.removeItem(TOKEN_KEY);
    if (csrfToken !== null) await call('DELETE', '/api/session').catch(() => undefined);
    csrfToken = null;
  },
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ValidationIssue[] = [],
  ) {
    super(message);
  }
}

export interface FlowSummary {
  key: string;
  name: string;
  latestVersion?: number;
  publishedVersion?: number | null;
  [field: string]: unknown;
}
export interface FlowVersion {
  key: string;
  version: number;
  status: 'draft' | 'published' | string;
  definition: FlowDefinition;
  versions?: { version: number; status: string; publishedAt: string | null }[];
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const token = session.token();
  const changes = method !== 'GET' && method !== 'HEAD';
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(!token && changes && csrfToken ? { 'x-csrf-token': csrfToken } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const payload = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    const error = payload?.error ?? {};
    throw new ApiError(response.status, error.code ?? 'http_error', error.message ?? `HTTP ${response.status}`, Array.isArray(error.details) ? error.details : []);
  }
  return payload as T;
}

const flowPath = (key: string) => `/api/flows/${encodeURIComponent(key)}`;

export const api = {
  listFlows: () => call<{ items: FlowSummary[] }>('GET', '/api/flows').then((r) => r.items),
  getFlow: (key: string, version?: number) => call<FlowVersion>('GET', flowPath(key) + (version ? `?version=${version}` : '')),
  createFlow: (flow: FlowDefinition) => call<FlowVersion>('POST', '/api/flows', flow),
  saveDraft: (flow: FlowDefinition) => call<FlowVersion>('PUT', flowPath(flow.key), flow),
  publish: (key: string) => call<FlowVersion>('POST', `${flowPath(key)}/publish`),
  simulate: (key: string, data: unknown) => call<unknown>('POST', `${flowPath(key)}/simulate`, { data }),
  templates: () => call<{ items: { id: string; title?: string }[] }>('GET', '/api/templates').then((r) => r.items ?? []),
};

export { call };

/** A call whose answer is a file (a PDF preview), sent with the same credentials as `call`; a refusal is the API's error. */
export async function callForBlob(method: string, path: string, body?: unknown): Promise<Blob> {
  const token = session.token();
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(!token && method !== 'GET' && csrfToken ? { 'x-csrf-token': csrfToken } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    const error = (await response.json().catch(() => null))?.error ?? {};
    throw new ApiError(response.status, error.code ?? 'http_error', error.message ?? `HTTP ${response.status}`, Array.isArray(error.details) ? error.details : []);
  }
  return response.blob();
}
