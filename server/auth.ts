// Who is calling: the bootstrap admin's token from configuration, an API key, or a browser
// session (cookie `sf_session`). What the caller may then do is server/access.ts's to say.
// Cookie-authenticated requests that change something must also prove they come from our
// own pages (CSRF): the session's token in `x-csrf-token`, and an Origin, when the browser
// sends one, that is this hub. Bearer requests carry no ambient credential and need neither.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { DEFAULT_TENANT } from '../flows';
import type { Session, SessionPolicy, SignInThrottle, Store, User } from '../store';
import { hasRight, type Principal, type Right } from './access';
import { AppError } from './errors';

export const ADMIN_PRINCIPAL: Principal = { id: 'admin', name: 'Administrator', roles: ['admin'], tenantId: DEFAULT_TENANT, unit: null, via: 'admin-token', scopes: ['*'] };

/** Who may call a route: anyone, any signed-in user, or callers holding this right. */
export type Access = 'public' | 'user' | Right;

export const SESSION_COOKIE = 'sf_session';
/** A hub.manage caller (the admin token) names the tenant it acts in here; without it, the default tenant. */
export const TENANT_HEADER = 'x-sealflow-tenant';
export const CSRF_HEADER = 'x-csrf-token';

/** A working day idle, a week at most (OWASP session management: idle and absolute timeouts). */
export const DEFAULT_SESSION_POLICY: SessionPolicy = { idleMs: 8 * 3600_000, absoluteMs: 7 * 24 * 3600_000, touchEveryMs: 60_000 };
/** Five wrong passwords for one login within 15 minutes lock it until the 15 minutes are over. */
export const DEFAULT_SIGN_IN_THROTTLE: SignInThrottle = { maxFailures: 5, windowMs: 15 * 60_000 };

/** Per client address and server process, ahead of the per-login lockout: password checks are deliberately expensive. */
export const SIGN_IN_RATE_LIMIT = { burst: 30, perSecond: 2 };

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const digest = (value: string) => createHash('sha256').update(value).digest();
const sameSecret = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

/** One cookie's value from the Cookie header (RFC 6265 §5.4: `name=value` pairs split by `;`). */
export function readCookie(req: Request, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim() || null;
  }
  return null;
}

/** Set-Cookie for the session id (or, with null, one that deletes it). Secure whenever the request came over https. */
export function sessionCookie(req: Request, id: string | null, policy: SessionPolicy): string {
  const attributes = [`${SESSION_COOKIE}=${id ?? ''}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${id ? Math.floor(policy.absoluteMs / 1000) : 0}`];
  if (req.protocol === 'https') attributes.push('Secure');
  return attributes.join('; ');
}

/** Whether the request's Origin (when the browser sent one) is this hub itself. */
export function fromOwnOrigin(req: Request): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

export async function principalOf(store: Store, user: User, via: Principal['via'], scopes: string[]): Promise<Principal> {
  const unit = user.orgUnit ? await store.orgUnits.get(user.tenantId, user.orgUnit) : null;
  return { id: user.id, name: user.name, roles: user.roles, tenantId: user.tenantId, unit: unit ? { id: unit.id, path: unit.path } : null, via, scopes };
}

// The session behind a cookie-authenticated request, for the session routes (its id to sign
// out, its CSRF token to hand back). Kept beside the request, not on it.
const sessions = new WeakMap<Request, { id: string; session: Session }>();
export const sessionOf = (req: Request) => sessions.get(req) ?? null;

const unauthorized = (message: string) => new AppError('unauthorized', message, { status: 401 });

export function createAuthenticator({ store, adminToken, sessionPolicy = DEFAULT_SESSION_POLICY }: { store: Store; adminToken: string | null; sessionPolicy?: SessionPolicy }) {
  async function bearer(header: string): Promise<Principal> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw unauthorized('Send an Authorization: Bearer <token> header');
    const token = match[1];
    if (adminToken && sameSecret(token, adminToken)) return ADMIN_PRINCIPAL;
    const found = await store.apiKeys.authenticate(token, { touchEveryMs: sessionPolicy.touchEveryMs });
    if (!found) throw unauthorized('The bearer token is not valid: unknown, revoked, expired, or its user is disabled');
    return principalOf(store, found.user, 'api-key', found.key.scopes);
  }

  async function cookie(req: Request, id: string): Promise<Principal> {
    const session = await store.sessions.find(id, sessionPolicy);
    const user = session ? await store.users.get(session.userId) : null;
    if (!session || !user || user.disabled) throw unauthorized('The session has ended; sign in again');
    if (UNSAFE_METHODS.has(req.method)) {
      if (!fromOwnOrigin(req)) throw new AppError('csrf', 'The request comes from another site', { status: 403 });
      const sent = req.get(CSRF_HEADER);
      if (!sent || !sameSecret(sent, session.csrfToken)) throw new AppError('csrf', `Send the session's CSRF token in the ${CSRF_HEADER} header`, { status: 403 });
    }
    sessions.set(req, { id, session });
    return principalOf(store, user, 'session', ['*']);
  }

  async function caller(req: Request): Promise<Principal> {
    // An explicit Authorization header wins over a cookie the browser may also have sent.
    if (req.headers.authorization !== undefined) return bearer(req.headers.authorization);
    const id = readCookie(req, SESSION_COOKIE);
    if (id) return cookie(req, id);
    throw unauthorized('Sign in, or send an Authorization: Bearer <token> header');
  }

  return async function authenticate(req: Request): Promise<Principal> {
    return inTenant(store, req, await caller(req));
  };
}

/**
 * Which tenant a request acts in. Everyone acts in their own: the admin token and the hub's admins (the
 * default tenant's `admin` role) in the default tenant, unless, holding hub.manage, they name another in
 * TENANT_HEADER, then in that one, with their rights there. Anyone else naming a tenant not their own is
 * refused (403), so nobody believes they switched when they did not.
 */
async function inTenant(store: Store, req: Request, principal: Principal): Promise<Principal> {
  const named = req.get(TENANT_HEADER)?.trim();
  if (named === undefined || named === '' || named === principal.tenantId) return principal;
  const path = `/headers/${TENANT_HEADER}`;
  if (!hasRight(principal, 'hub.manage')) {
    throw new AppError('forbidden', `Only callers with the right "hub.manage" may name a tenant in ${TENANT_HEADER}; others act in their own`, { status: 403, details: [{ path, message: 'is not the caller\'s tenant' }] });
  }
  if (!(await store.tenants.get(named))) {
    throw new AppError('invalid_header', `There is no tenant "${named}" on this hub`, { status: 400, details: [{ path, message: 'is no tenant of this hub' }] });
  }
  return { ...principal, tenantId: named, unit: null };
}

export function authorize(principal: Principal, access: Access): void {
  if (access === 'public' || access === 'user') return;
  if (hasRight(principal, access)) return;
  throw new AppError('forbidden', `This needs the right "${access}", which the caller's roles${principal.via === 'api-key' ? ' or API key scopes' : ''} do not grant`, { status: 403 });
}

/** Where a request came from, for the audit trail. */
export const requestOrigin = (req: Request) => ({ ip: req.ip ?? null, userAgent: req.get('user-agent')?.slice(0, 500) ?? null });
