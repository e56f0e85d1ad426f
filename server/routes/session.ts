// Signing in and out of the console with a login and password, and changing the password.
// A wrong login and a wrong password get the same answer in about the same time; repeated
// failures for one login are refused for a while (counted in the database: any server).
// Signing in (no caller yet) is written to the audit trail here; signing out and changing
// the password are recorded by the audit hook like every other signed-in call.
import { Type } from '@sinclair/typebox';
import type { Request } from 'express';
import { DEFAULT_TENANT } from '../../flows';
import { normalizeLogin, type SessionPolicy, type SignInThrottle, type Store } from '../../store';
import type { Principal } from '../access';
import { DEFAULT_SESSION_POLICY, DEFAULT_SIGN_IN_THROTTLE, fromOwnOrigin, principalOf, readCookie, requestOrigin, SESSION_COOKIE, sessionCookie, sessionOf } from '../auth';
import { AppError } from '../errors';
import { hashPassword, needsRehash, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, verifyPassword } from '../password';
import { defineRoute } from '../route';

export const SignInBody = Type.Object(
  { login: Type.String({ minLength: 1, maxLength: 200 }), password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH }) },
  { additionalProperties: false },
);
export const ChangePasswordBody = Type.Object(
  { current: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH }), next: Type.String({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH }) },
  { additionalProperties: false },
);
const PrincipalSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  roles: Type.Array(Type.String()),
  tenantId: Type.String(),
  unit: Type.Union([Type.Object({ id: Type.String(), path: Type.String() }), Type.Null()]),
  via: Type.String(),
  scopes: Type.Array(Type.String()),
});
export const SessionSchema = Type.Object({ user: PrincipalSchema, csrfToken: Type.String({ description: 'send it back in the x-csrf-token header of every POST/PUT/PATCH/DELETE' }) });

const wrongCredentials = () => new AppError('invalid_credentials', 'The login or the password is wrong', { status: 401 });


export function sessionRoutes(store: Store, { policy = DEFAULT_SESSION_POLICY, throttle = DEFAULT_SIGN_IN_THROTTLE }: { policy?: SessionPolicy; throttle?: SignInThrottle } = {}) {
  /** The user behind a principal, for acts only a real user (not the bootstrap token) can do. */
  const userOf = async (actor: Principal) => {
    const user = actor.via === 'admin-token' ? null : await store.users.get(actor.id);
    if (!user) throw new AppError('no_user', 'The bootstrap admin token belongs to no user and has no password', { status: 400 });
    return user;
  };
  /** Refuses with 429 and Retry-After while the login is locked out. */
  const refuseWhileLocked = async (login: string, req: Request) => {
    const until = await store.sessions.lockedUntil(login, throttle);
    if (!until) return;
    const seconds = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000));
    req.res?.setHeader('retry-after', String(seconds));
    throw new AppError('too_many_attempts', `Too many wrong passwords for this login; try again in ${Math.ceil(seconds / 60)} minute(s)`, { status: 429 });
  };

  return [
    defineRoute({
      method: 'post', path: '/api/session', tag: 'session', access: 'public', body: SignInBody,
      summary: 'Sign in: sets the session cookie and answers with the caller and the CSRF token',
      responses: {
        200: { description: 'signed in', schema: SessionSchema },
        401: { description: 'wrong login or password' },
        403: { description: 'posted from another site' },
        429: { description: 'too many wrong passwords for this login; see Retry-After' },
      },
      handler: async ({ body, req }) => {
        // Login CSRF: another site must not sign the browser in to an account of its choosing.
        if (!fromOwnOrigin(req)) throw new AppError('csrf', 'The request comes from another site', { status: 403 });
        const login = normalizeLogin(body.login);
        await refuseWhileLocked(login, req);
        const found = await store.users.byLogin(login);
        // Unknown logins verify against a decoy hash: the same work, the same answer.
        const ok = await verifyPassword(found?.passwordHash ?? null, body.password);
        if (!ok || !found || found.user.disabled) {
          await store.sessions.recordFailure(login, throttle);
          await store.audit.record({ tenantId: found?.user.tenantId ?? DEFAULT_TENANT, actor: { id: found?.user.id ?? 'anonymous', name: found?.user.name ?? login }, action: 'session.login_failed', target: { type: 'login', id: login }, ...requestOrigin(req) });
          throw wrongCredentials();
        }
        const { user, passwordHash } = found;
        await store.sessions.clearFailures(login);
        // Hashes made with older (weaker) parameters are upgraded while we hold the password.
        if (passwordHash && needsRehash(passwordHash)) await store.users.setPasswordHash(user.id, await hashPassword(body.password));
        // A new id at every sign-in (no session fixation); a session this browser still held ends.
        const previous = readCookie(req, SESSION_COOKIE);
        if (previous) await store.sessions.delete(previous);
        const { id, session } = await store.sessions.create({ userId: user.id, tenantId: user.tenantId, policy });
        await store.audit.record({ tenantId: user.tenantId, actor: { id: user.id, name: user.name }, action: 'session.login', target: { type: 'user', id: user.id }, ...requestOrigin(req) });
        return { body: { user: await principalOf(store, user, 'session', ['*']), csrfToken: session.csrfToken }, headers: { 'set-cookie': sessionCookie(req, id, policy), 'cache-control': 'no-store' } };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/session', tag: 'session', access: 'user',
      summary: 'The signed-in caller and the session’s CSRF token (401 when not signed in)',
      responses: { 200: { description: 'signed in', schema: SessionSchema }, 401: { description: 'no live session' } },
      handler: async ({ actor, req }) => {
        const current = sessionOf(req);
        if (!current) throw new AppError('unauthorized', 'This request carries no session cookie (bearer keys have no session)', { status: 401 });
        return { body: { user: actor, csrfToken: current.session.csrfToken }, headers: { 'cache-control': 'no-store' } };
      },
    }),
    defineRoute({
      method: 'delete', path: '/api/session', tag: 'session', access: 'user',
      summary: 'Sign out: ends the session and clears its cookie',
      responses: { 204: { description: 'signed out' } },
      handler: async ({ req }) => {
        const current = sessionOf(req);
        if (current) await store.sessions.delete(current.id);
        return { status: 204, body: null, headers: { 'set-cookie': sessionCookie(req, null, policy) } };
      },
    }),
    defineRoute({
      method: 'post', path: '/api/session/password', tag: 'session', access: 'user', body: ChangePasswordBody,
      summary: 'Change one’s own password; every other session of the user ends',
      responses: {
        200: { description: 'changed' },
        400: { description: 'the new password is too short or the same' },
        403: { description: 'the current password is wrong' },
        429: { description: 'too many wrong passwords' },
      },
      handler: async ({ actor, body, req }) => {
        const user = await userOf(actor!);
        // Wrong guesses of the current password count like wrong sign-ins: a stolen session must not brute-force it.
        const throttleKey = user.login ?? `user:${user.id}`;
        await refuseWhileLocked(throttleKey, req);
        if (!(await verifyPassword(await store.users.passwordHash(user.id), body.current))) {
          await store.sessions.recordFailure(throttleKey, throttle);
          throw new AppError('wrong_password', 'The current password is wrong', { status: 403, details: [{ path: '/current', message: 'is wrong' }] });
        }
        if (body.next === body.current) throw new AppError('invalid_body', 'The new password is the current one', { details: [{ path: '/next', message: 'is the current password' }] });
        await store.users.setPasswordHash(user.id, await hashPassword(body.next));
        await store.sessions.clearFailures(throttleKey);
        const endedSessions = await store.sessions.deleteForUser(user.id, sessionOf(req)?.id);
        return { body: { changed: true, endedSessions } };
      },
    }),
  ];
}
