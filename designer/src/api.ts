// The hub's REST API as the designer uses it. The bearer token lives in sessionStorage until
// password login exists; every error comes back as the API's {code, message, details}.
import type { FlowDefinition, ValidationIssue } from '../../flows';

const TOKEN_KEY = 'sealflow.token';

export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  signIn: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  signOut: () => sessionStorage.removeItem(TOKEN_KEY),
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
  const response = await fetch(path, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
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
