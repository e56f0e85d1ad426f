// The signer page's calls: the signer API (/api/sign/:token…) and, for a seal keeper, the
// hub's session API (/api/session). Errors come back as ApiError with the server's code.

export type Area = { page: number; x: number; y: number; width: number; height: number };
export type Verify = 'none' | 'sms-otp' | 'face';
export type LinkStatus = 'loading' | 'pending' | 'waiting' | 'signed' | 'declined' | 'closed' | 'unusable';

/** What GET /api/sign/:token answers (server/signing-session/index.ts `view`). */
export interface SigningLink {
  contract: { id: string; title: string | null; deadline?: string | null; sender?: string | null };
  signer: { id: string; name: string; party: 'company' | 'person'; prompt: string | null; mustRead: boolean; verify: Verify; seal?: string | null; mobile: string | null };
  parties?: { name: string; party: string; order: number; state: 'signed' | 'declined' | 'waiting'; you: boolean }[];
  documents: { id: string; title: string | null; pages: number; url: string; signatureAreas?: Area[] }[];
  status: LinkStatus;
  read: Record<string, number[]>;
  /** Real-name verification the flow asks of this signer (null: none); signing waits for `verified`. */
  identity?: IdentityState | null;
}

/** The level asked and the record that proves it (server/signing-session/batch.ts identityView). */
export interface IdentityState {
  level: string;
  verified: boolean;
  record: { level: string; method: string; provider: string; name: string; verifiedAt: string; expiresAt: string } | null;
}

/** What POST/GET /api/session answer: the signed-in user and the session's CSRF token. */
export interface SignedIn {
  user: { id: string; name: string };
  csrfToken: string;
}

export interface ApiErrorFields {
  status: number;
  code: string;
  message: string;
  details?: { path?: string; message?: string }[];
  retryAfter?: number | null;
}

export class ApiError extends Error {
  status: number;
  code: string;
  details: { path?: string; message?: string }[];
  retryAfter: number | null;
  constructor({ status, code, message, details = [], retryAfter = null }: ApiErrorFields) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfter = retryAfter;
  }
}

/** A JSON request to this hub; the answer's body, or an ApiError with the server's code and message. */
export async function request<T = unknown>(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError({ status: 0, code: 'network', message: 'network error' });
  }
  let payload: unknown = null;
  try {
    payload = response.status === 204 ? null : await response.json();
  } catch {
    payload = null;
  }
  if (!response.ok) {
    const error = (payload && typeof payload === 'object' && 'error' in payload && payload.error && typeof payload.error === 'object' ? payload.error : {}) as Partial<Record<'code' | 'message' | 'details', unknown>>;
    const details = Array.isArray(error.details) ? (error.details as { path?: string; message?: string }[]) : [];
    // Seconds to wait: the Retry-After header, else a detail saying "retry after N s".
    const hinted = details.map((d) => /retry after (\d+)/i.exec(String(d?.message))?.[1]).find(Boolean);
    const retryAfter = Number(response.headers.get('retry-after') ?? hinted);
    throw new ApiError({
      status: response.status,
      code: typeof error.code === 'string' ? error.code : `http_${response.status}`,
      message: typeof error.message === 'string' ? error.message : `HTTP ${response.status}`,
      details,
      retryAfter: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
    });
  }
  return payload as T;
}
