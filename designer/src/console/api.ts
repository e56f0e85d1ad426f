// The hub's REST API as the console uses it: a password session in an httpOnly cookie, and
// the CSRF token from the session answer sent as x-csrf-token on every call that changes
// state. Shapes follow issue #11's API contract; fields the hub may not send yet are optional.
import type { ContractState, ContractStatus } from '../../../flows';
import { ApiError } from '../api';

export { ApiError };

export interface SessionUser {
  id: string;
  name: string;
  roles: string[];
  tenantId: string;
  unit: { id: string; path: string } | null;
}
interface SessionAnswer {
  user: SessionUser;
  csrfToken: string;
}

/** Someone whose name the ledger shows: the hub sends either an id or {id, name}. */
export type Named = string | { id: string; name?: string | null } | null | undefined;
export const nameOf = (who: Named): string => (who == null ? '' : typeof who === 'string' ? who : (who.name ?? who.id));

export interface ContractSummary {
  id: string;
  flowKey: string;
  flowName?: string;
  title: string | null;
  status: ContractStatus;
  amount: number;
  sourceKey: string | null;
  currentStep: number | null;
  waitingOn: string[];
  createdAt: string;
  updatedAt: string;
  parties?: string[];
  orgUnit?: Named;
  initiator?: Named;
}

export interface LedgerFilters {
  status?: ContractStatus;
  flow?: string;
  q?: string;
  party?: string;
  amountMin?: string;
  amountMax?: string;
  from?: string;
  to?: string;
  mine?: boolean;
  team?: boolean;
  waitingOn?: string;
  sort?: string;
}

export interface AttentionItem extends ContractSummary {
  /** Why it needs attention, in the hub's words, with the facts behind them. */
  why?: { message: string; [fact: string]: unknown } | string;
}
export interface AttentionGroup {
  items: AttentionItem[];
  total: number;
  truncated?: boolean;
}
export interface Attention {
  approvalsOverdue: AttentionGroup;
  signersPastHalf: AttentionGroup;
  expiringSoon: AttentionGroup;
  /** Contracts that failed (their plan could not be made), latest first; why.message is the reason. */
  failed: AttentionGroup;
}

export type NudgeOutcome = { id: string; outcome: 'nudged'; signers: string[] } | { id: string; outcome: 'not_found' | 'nothing_to_nudge' | 'rate_limited' | 'failed'; code: string; message: string };

/** One row of a breakdown: a label (month, flow, unit) with its counts and durations. */
export interface StatsRow {
  key?: string;
  label?: string;
  name?: string;
  month?: string;
  flow?: string;
  unit?: string;
  started?: number;
  completed?: number;
  [field: string]: unknown;
}
export interface Stats {
  started?: number;
  completed?: number;
  timeToComplete?: Record<string, number | null> | number | null;
  stages?: StatsRow[] | Record<string, unknown>;
  byMonth?: StatsRow[];
  byFlow?: StatsRow[];
  byUnit?: StatsRow[];
  [field: string]: unknown;
}

/** The contract page's view (GET /api/contracts/:id): signers with when they opened and read, and the caller's approver roles for it. */
export type ContractDetail = Omit<ContractState, 'signers'> & {
  signers: (ContractState['signers'][number] & { openedAt?: string | null; readAt?: string | null; pagesRead?: number })[];
  caller?: { approverRoles: string[] };
};

let csrfToken: string | null = null;
/** Told when a call finds the session gone, so the app shows the sign-in page again. */
let onSignedOut: () => void = () => undefined;
export const whenSignedOut = (listener: () => void) => (onSignedOut = listener);

async function request(method: string, path: string, body?: unknown): Promise<Response> {
  const changes = method !== 'GET' && method !== 'HEAD';
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(changes && csrfToken ? { 'x-csrf-token': csrfToken } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    const payload = await response.json().catch(() => null);
    const error = payload?.error ?? {};
    if (response.status === 401 && path !== '/api/session') onSignedOut();
    throw new ApiError(response.status, error.code ?? 'http_error', error.message ?? `HTTP ${response.status}`, Array.isArray(error.details) ? error.details : []);
  }
  return response;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await request(method, path, body);
  return (response.status === 204 ? null : await response.json()) as T;
}

/** The query string of the ledger's filters; empty and false ones are left out. */
export function ledgerQuery(filters: LedgerFilters, extra: Record<string, string | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...filters, ...extra })) {
    if (value === undefined || value === '' || value === false) continue;
    params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

const contractPath = (id: string) => `/api/contracts/${encodeURIComponent(id)}`;

export const api = {
  session: async (): Promise<SessionUser | null> => {
    try {
      const answer = await call<SessionAnswer>('GET', '/api/session');
      csrfToken = answer.csrfToken;
      return answer.user;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return null;
      throw error;
    }
  },
  signIn: async (login: string, password: string): Promise<SessionUser> => {
    const answer = await call<SessionAnswer>('POST', '/api/session', { login, password });
    csrfToken = answer.csrfToken;
    return answer.user;
  },
  signOut: async () => {
    await call('DELETE', '/api/session').catch(() => undefined);
    csrfToken = null;
  },
  changePassword: (current: string, next: string) => call<unknown>('POST', '/api/session/password', { current, next }),

  contracts: (filters: LedgerFilters, cursor: string | null, limit = 50) =>
    call<{ items: ContractSummary[]; nextCursor: string | null; total: number }>('GET', `/api/contracts${ledgerQuery(filters, { cursor: cursor ?? undefined, limit: String(limit) })}`),
  counts: ({ status: _status, sort: _sort, ...filters }: LedgerFilters) => call<{ counts: Partial<Record<ContractStatus, number>>; total: number }>('GET', `/api/contracts/counts${ledgerQuery(filters)}`),
  flows: () => call<{ items: { key: string; name: string }[] }>('GET', '/api/flows').then((r) => r.items),
  /** The documents a flow version makes (their previews stand in for them while in approval). */
  flowDocuments: (key: string, version: number) =>
    call<{ definition: { documents?: { id: string; title?: string }[] } }>('GET', `/api/flows/${encodeURIComponent(key)}?version=${version}`).then((r) => r.definition.documents ?? []),
  contract: (id: string) => call<ContractDetail>('GET', contractPath(id)),
  nudge: (id: string, signer?: string) => call<unknown>('POST', `${contractPath(id)}/nudge`, signer ? { signer } : {}),
  cancel: (id: string, reason: string) => call<ContractDetail>('POST', `${contractPath(id)}/cancel`, { reason }),
  decide: (id: string, decision: 'approve' | 'reject', comment: string) => call<ContractDetail>('POST', `${contractPath(id)}/approvals`, { decision, comment: comment || undefined }),
  bulkNudge: (ids: string[]) => call<{ results: NudgeOutcome[]; counts: Partial<Record<NudgeOutcome['outcome'], number>> }>('POST', '/api/contracts/bulk/nudge', { ids }),
  /** The signed PDFs of these contracts as one zip, as a Blob to save. */
  signedZip: async (ids: string[]) => (await request('POST', '/api/contracts/bulk/signed.zip', { ids })).blob(),
  /** The evidence packages (证据包) of these contracts as one zip, a folder each. */
  evidenceZip: async (ids: string[]) => (await request('POST', '/api/contracts/bulk/evidence.zip', { ids })).blob(),
  attention: () => call<Attention>('GET', '/api/attention'),
  stats: (from?: string, to?: string) => call<Stats>('GET', `/api/stats${ledgerQuery({ from, to })}`),
};

export const links = {
  document: (id: string, doc: string) => `${contractPath(id)}/documents/${encodeURIComponent(doc)}.pdf`,
  evidence: (id: string) => `${contractPath(id)}/evidence.pdf`,
  evidencePackage: (id: string) => `${contractPath(id)}/evidence.zip`,
  /** The ledger export: the filtered ledger, or only the selected contracts (`ids`) within it. */
  export: (format: 'csv' | 'xlsx', filters: LedgerFilters, columns: string[], ids: string[] = []) => `/api/contracts/export.${format}${ledgerQuery(filters, { columns: columns.join(','), ids: ids.length ? ids.join(',') : undefined })}`,
};

/** Saves a Blob under a file name, the way a link to a download would. */
export function saveBlob(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  const link = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
