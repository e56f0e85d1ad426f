// 印章管理: signing with a company seal needs a user allowed to use it, signed in: either
// their bearer token (a system, a script) or their browser session (the signer page's own
// sign-in: the session cookie, with the session's CSRF token, as every cookie request that
// changes something).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import type { SignerState } from '../../flows';
import type { Seal, Store, User } from '../../store';
import { CSRF_HEADER, DEFAULT_SESSION_POLICY, fromOwnOrigin, readCookie, SESSION_COOKIE } from '../auth';
import { AppError } from '../errors';

/** What a signing request carries that may say who applies a seal. */
export interface SealCredentials {
  /** The Authorization header: a user's bearer token. */
  authorization: string | undefined;
  /** The browser session, when the request carried its cookie. */
  session?: { id: string; csrfToken: string | undefined; sameOrigin: boolean };
}

/** The seal credentials of an HTTP request: its bearer token and, when it sent one, its session cookie. */
export function sealCredentials(req: Request): SealCredentials {
  const id = readCookie(req, SESSION_COOKIE);
  return { authorization: req.get('authorization'), ...(id ? { session: { id, csrfToken: req.get(CSRF_HEADER), sameOrigin: fromOwnOrigin(req) } } : {}) };
}

const digest = (value: string) => createHash('sha256').update(value).digest();
const sameSecret = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

/** The user who applies a company seal: behind the bearer token, else behind the session cookie. */
export async function sealHolder(store: Store, credentials: SealCredentials | string | undefined, seal: string): Promise<User> {
  const { authorization, session } = typeof credentials === 'object' ? credentials : { authorization: credentials, session: undefined };
  // An explicit Authorization header wins over a cookie the browser may also have sent (as server/auth.ts).
  if (authorization === undefined && session) return sessionHolder(store, session, seal);
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match) throw new AppError('seal_login_required', `Signing with the seal "${seal}" needs you signed in: sign in on the page, or send Authorization: Bearer <your user token>`, { status: 401 });
  const found = await store.apiKeys.authenticate(match[1]);
  if (!found) throw new AppError('seal_login_required', 'The bearer token is not valid; sign in again to use the seal', { status: 401 });
  // Applying a seal is the keeper's own act: a key narrowed to some rights (a system's) does not carry it.
  if (!found.key.scopes.includes('*')) throw new AppError('seal_not_allowed', `The key "${found.key.name}" is limited to ${found.key.scopes.join(', ')}; a seal needs the keeper's unrestricted key`, { status: 403 });
  return found.user;
}

async function sessionHolder(store: Store, session: NonNullable<SealCredentials['session']>, seal: string): Promise<User> {
  const found = await store.sessions.find(session.id, DEFAULT_SESSION_POLICY);
  const user = found ? await store.users.get(found.userId) : null;
  if (!found || !user || user.disabled) throw new AppError('seal_login_required', `Your sign-in has ended; sign in again to sign with the seal "${seal}"`, { status: 401 });
  // Signing is a change made with an ambient credential: it must come from our own page.
  if (!session.sameOrigin) throw new AppError('csrf', 'The request comes from another site', { status: 403 });
  if (!session.csrfToken || !sameSecret(session.csrfToken, found.csrfToken)) throw new AppError('csrf', "Send the session's CSRF token in the x-csrf-token header", { status: 403 });
  return user;
}

/** The seal exists, is this company's, and this user is on its list. */
export function mustMayUseSeal(seal: Seal | null, name: string, user: User, signer: SignerState) {
  if (!seal) throw new AppError('seal_not_allowed', `The seal "${name}" is not set up on this hub; ask an administrator`, { status: 403 });
  if (!seal.users.includes(user.id)) throw new AppError('seal_not_allowed', `${user.name} may not sign with the seal "${name}"`, { status: 403 });
  if (seal.company !== signer.name.trim()) throw new AppError('seal_not_allowed', `The seal "${name}" belongs to ${seal.company}, not to ${signer.name}`, { status: 403 });
}
