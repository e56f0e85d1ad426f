// Signing in, sessions, CSRF, API keys and user administration, through the REST API of a
// running hub, the way the console (a browser) and business systems (bearer keys) call it.
import { randomBytes } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases';
import { startTestHub, type TestHub } from '../support/hub';

const unique = (name: string) => `${name}-${randomBytes(3).toString('hex')}`;

/** A browser: keeps the session cookie and the CSRF token the sign-in answered with. */
interface Browser {
  cookie: string;
  csrfToken: string;
  setCookie: string;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
}

async function request(hub: TestHub, method: string, path: string, body: unknown, headers: Record<string, string>) {
  const response = await fetch(hub.url + path, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text, headers: response.headers };
}

const signInRaw = (hub: TestHub, login: string, password: string, headers: Record<string, string> = {}) => request(hub, 'POST', '/api/session', { login, password }, headers);

async function signIn(hub: TestHub, login: string, password: string): Promise<Browser> {
  const answer = await signInRaw(hub, login, password);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  const setCookie = answer.headers.get('set-cookie')!;
  const cookie = setCookie.split(';')[0];
  const csrfToken = answer.body.csrfToken as string;
  return {
    cookie,
    csrfToken,
    setCookie,
    // Like the console: the cookie always, the CSRF token on every state-changing call.
    call: (method, path, body, headers = {}) => request(hub, method, path, body, { cookie, ...(method === 'GET' ? {} : { 'x-csrf-token': csrfToken }), ...headers }),
  };
}

/** A user with a login and password, made by the bootstrap admin. */
async function person(hub: TestHub, roles: string[], extra: Record<string, unknown> = {}) {
  const login = unique('user');
  const password = `pw-${randomBytes(6).toString('hex')}`;
  const created = await hub.call('POST', '/api/users', { name: login, roles, login, password, ...extra });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return { id: created.body.id as string, token: created.body.token as string, login, password };
}

describe.each(dialects)('sign-in and sessions on %s', (dialect) => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({ dialect });
  });
  afterAll(() => hub?.close());

  it('signs in with login and password into an httpOnly SameSite cookie, knows the caller, and signs out', async () => {
    const ada = await person(hub, ['business-user']);
    // The login is found whatever its case and surrounding spaces.
    const browser = await signIn(hub, ` ${ada.login.toUpperCase()} `, ada.password);
    expect(browser.setCookie).toMatch(/^sf_session=[A-Za-z0-9_-]{43};/);
    expect(browser.setCookie).toContain('HttpOnly');
    expect(browser.setCookie).toContain('SameSite=Lax');
    expect(browser.setCookie).toContain('Path=/');
    // Plain http here: a Secure cookie would never come back.
    expect(browser.setCookie).not.toContain('Secure');
    expect(browser.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);

    expect((await browser.call('GET', '/api/me')).body).toMatchObject({ id: ada.id, via: 'session', scopes: ['*'], tenantId: 'default' });
    expect((await browser.call('GET', '/api/session')).body).toEqual({ user: expect.objectContaining({ id: ada.id }), csrfToken: browser.csrfToken });

    // Signing in again from the same browser gives a new session id and ends the one it replaces.
    const again = await request(hub, 'POST', '/api/session', { login: ada.login, password: ada.password }, { cookie: browser.cookie });
    expect(again.headers.get('set-cookie')!.split(';')[0]).not.toBe(browser.cookie);
    expect((await browser.call('GET', '/api/me')).status).toBe(401);
    const renewed = await signIn(hub, ada.login, ada.password);
    const out = await renewed.call('DELETE', '/api/session');
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^sf_session=;.*Max-Age=0/);
    expect((await renewed.call('GET', '/api/me')).status).toBe(401);
    expect((await renewed.call('GET', '/api/session')).status).toBe(401);

    const trail = await hub.store.audit.list({ tenantId: 'default', actor: ada.id });
    expect(trail.items.map((e) => e.action)).toEqual(expect.arrayContaining(['session.login', 'delete /api/session']));
  });

  it('answers a wrong password and an unknown login alike, then locks the login (429) after five failures, even for the right password', async () => {
    const bo = await person(hub, ['viewer']);
    const wrong = await signInRaw(hub, bo.login, 'not the password');
    const unknown = await signInRaw(hub, unique('nobody'), 'not the password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
    expect(wrong.headers.get('set-cookie')).toBeNull();

    for (let i = 2; i <= 5; i++) expect((await signInRaw(hub, bo.login, `wrong ${i}`)).status).toBe(401);

    const locked = await signInRaw(hub, bo.login, bo.password);
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('too_many_attempts');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(800);
    // The count is in the database, where every hub process sees it.
    expect(await hub.store.sessions.lockedUntil(bo.login, { maxFailures: 5, windowMs: 15 * 60_000 })).toBeInstanceOf(Date);
    // Another login is not affected.
    const other = await person(hub, ['viewer']);
    expect((await signInRaw(hub, other.login, other.password)).status).toBe(200);

    const failures = await hub.store.audit.list({ tenantId: 'default', action: 'session.login_failed', targetId: bo.login });
    expect(failures.items).toHaveLength(5);
  });

  it('takes about as long for an unknown login as for a wrong password, so timing tells no logins apart', async () => {
    const eve = await person(hub, ['viewer']);
    const timed = async (login: string) => {
      const started = performance.now();
      expect((await signInRaw(hub, login, 'not the password')).status).toBe(401);
      return performance.now() - started;
    };
    const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const wrong: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 3; i++) {
      wrong.push(await timed(eve.login));
      unknown.push(await timed(unique('nobody')));
    }
    // Without the decoy hash an unknown login answers in about a millisecond, a wrong password in tens.
    expect(median(unknown)).toBeGreaterThan(median(wrong) * 0.4);
  });

  it('refuses cookie requests that change something without the CSRF token, with a wrong one, or from another origin; bearer keys need none', async () => {
    const cy = await person(hub, ['business-user']);
    const browser = await signIn(hub, cy.login, cy.password);
    const make = { name: 'script', scopes: ['contracts.read'] };
    const none = await request(hub, 'POST', '/api/keys', make, { cookie: browser.cookie });
    expect(none.status).toBe(403);
    expect(none.body.error.code).toBe('csrf');
    const forged = await request(hub, 'POST', '/api/keys', make, { cookie: browser.cookie, 'x-csrf-token': 'A'.repeat(43) });
    expect(forged).toMatchObject({ status: 403, body: { error: { code: 'csrf' } } });
    const elsewhere = await browser.call('POST', '/api/keys', make, { origin: 'https://evil.example' });
    expect(elsewhere).toMatchObject({ status: 403, body: { error: { code: 'csrf' } } });
    expect((await hub.store.apiKeys.list({ tenantId: 'default', userId: cy.id })).map((k) => k.name)).toEqual(['personal']);

    const made = await browser.call('POST', '/api/keys', make, { origin: hub.url });
    expect(made.status).toBe(201);
    // A bearer key carries no ambient credential: no token needed.
    expect((await hub.call('POST', '/api/keys', { name: 'by key', scopes: ['*'] }, cy.token)).status).toBe(201);
    // Signing in from another site's page is refused too (login CSRF).
    expect((await signInRaw(hub, cy.login, cy.password, { origin: 'https://evil.example' })).status).toBe(403);
  });
});

describe('passwords, keys and users', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub?.close());

  it('stores an argon2id hash, never the password, and upgrades a hash made with weaker parameters at sign-in', async () => {
    const di = await person(hub, ['viewer']);
    const stored = (await hub.store.users.byLogin(di.login))!.passwordHash!;
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(stored).not.toContain(di.password);
    expect(JSON.stringify(await hub.call('GET', '/api/users'))).not.toContain('argon2');

    await hub.store.users.setPasswordHash(di.id, await hash(di.password, { algorithm: 2, memoryCost: 4096, timeCost: 1, parallelism: 1 }));
    await signIn(hub, di.login, di.password);
    expect((await hub.store.users.byLogin(di.login))!.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('ends the other sessions when the password changes; the old password no longer works', async () => {
    const ed = await person(hub, ['business-user']);
    const here = await signIn(hub, ed.login, ed.password);
    const there = await signIn(hub, ed.login, ed.password);
    const wrong = await here.call('POST', '/api/session/password', { current: 'not it', next: 'a new passphrase' });
    expect(wrong).toMatchObject({ status: 403, body: { error: { details: [{ path: '/current' }] } } });
    const short = await here.call('POST', '/api/session/password', { current: ed.password, next: 'short' });
    expect(short).toMatchObject({ status: 400, body: { error: { details: [{ path: '/next' }] } } });

    const changed = await here.call('POST', '/api/session/password', { current: ed.password, next: 'a new passphrase' });
    expect(changed).toMatchObject({ status: 200, body: { endedSessions: 1 } });
    expect((await there.call('GET', '/api/me')).status).toBe(401);
    expect((await here.call('GET', '/api/me')).status).toBe(200);
    expect((await signInRaw(hub, ed.login, ed.password)).status).toBe(401);
    await signIn(hub, ed.login, 'a new passphrase');
    const trail = (await hub.store.audit.list({ tenantId: 'default', actor: ed.id })).items;
    expect(trail.map((e) => e.action)).toContain('post /api/session/password');
    expect(JSON.stringify(trail)).not.toContain('a new passphrase');
    expect(JSON.stringify(trail)).not.toContain(ed.password);
  });

  it('ends a session nobody used for the idle timeout, and one past its lifetime', async () => {
    const { id } = await hub.store.sessions.create({ userId: 'u_x', tenantId: 'default', policy: { idleMs: 8 * 3600_000, absoluteMs: 7 * 86_400_000, touchEveryMs: 60_000 } });
    const policy = { idleMs: 8 * 3600_000, absoluteMs: 7 * 86_400_000, touchEveryMs: 60_000 };
    const hours = (h: number) => new Date(Date.now() + h * 3600_000);
    expect(await hub.store.sessions.find(id, policy, hours(7.9))).not.toBeNull();
    // Used at 7.9 h: alive until 15.9 h, not at 16 h.
    expect(await hub.store.sessions.find(id, policy, hours(15.8))).not.toBeNull();
    expect(await hub.store.sessions.find(id, policy, hours(24))).toBeNull();
    for (let h = 8; h < 7 * 24; h += 7) await hub.store.sessions.find(id, policy, hours(h));
    expect(await hub.store.sessions.find(id, policy, hours(7 * 24 + 1))).toBeNull();
  });

  it('limits a key to its scopes, and refuses it once expired, revoked or rotated away', async () => {
    const fay = await person(hub, ['business-user']);
    const readOnly = await hub.call('POST', '/api/keys', { name: 'ERP reader', scopes: ['contracts.read'] }, fay.token);
    expect(readOnly.status).toBe(201);
    expect(readOnly.body).toMatchObject({ name: 'ERP reader', scopes: ['contracts.read'], userId: fay.id, revokedAt: null });
    expect((await hub.call('GET', '/api/contracts', undefined, readOnly.body.token)).status).toBe(200);
    const start = await hub.call('POST', '/api/contracts', { flow: 'any', data: {} }, readOnly.body.token);
    expect(start.status).toBe(403);
    expect((await hub.store.apiKeys.get('default', readOnly.body.id))!.lastUsedAt).not.toBeNull();
    // A narrowed key cannot make itself a broader one, nor rotate the personal '*' key to read its secret.
    const broader = await hub.call('POST', '/api/keys', { name: 'escalate', scopes: ['*'] }, readOnly.body.token);
    expect(broader).toMatchObject({ status: 400, body: { error: { details: [{ path: '/scopes/0' }] } } });
    const personal = (await hub.call('GET', '/api/keys', undefined, fay.token)).body.items.find((k: any) => k.name === 'personal');
    expect((await hub.call('POST', `/api/keys/${personal.id}/rotate`, undefined, readOnly.body.token)).status).toBe(403);
    // Rights the user's roles do not grant are not the key's either.
    const beyond = await hub.call('POST', '/api/keys', { name: 'admin?', scopes: ['contracts.read', 'users.manage'] }, fay.token);
    expect(beyond).toMatchObject({ status: 400, body: { error: { details: [{ path: '/scopes/1' }] } } });
    const past = await hub.call('POST', '/api/keys', { name: 'old', scopes: ['*'], expiresAt: '2020-01-01T00:00:00Z' }, fay.token);
    expect(past).toMatchObject({ status: 400, body: { error: { details: [{ path: '/expiresAt' }] } } });

    const brief = await hub.call('POST', '/api/keys', { name: 'brief', scopes: ['*'], expiresAt: new Date(Date.now() + 1500).toISOString() }, fay.token);
    expect((await hub.call('GET', '/api/me', undefined, brief.body.token)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1600));
    expect((await hub.call('GET', '/api/me', undefined, brief.body.token)).status).toBe(401);

    const revoked = await hub.call('POST', `/api/keys/${readOnly.body.id}/revoke`, undefined, fay.token);
    expect(revoked.body.revokedAt).not.toBeNull();
    expect((await hub.call('GET', '/api/contracts', undefined, readOnly.body.token)).status).toBe(401);
    expect((await hub.call('POST', `/api/keys/${readOnly.body.id}/rotate`, undefined, fay.token)).status).toBe(409);

    const rotating = await hub.call('POST', '/api/keys', { name: 'nightly sync', scopes: ['contracts.read', 'contracts.start'] }, fay.token);
    const rotated = await hub.call('POST', `/api/keys/${rotating.body.id}/rotate`, undefined, fay.token);
    expect(rotated).toMatchObject({ status: 200, body: { id: rotating.body.id, name: 'nightly sync', scopes: ['contracts.read', 'contracts.start'] } });
    expect(rotated.body.token).not.toBe(rotating.body.token);
    expect((await hub.call('GET', '/api/me', undefined, rotating.body.token)).status).toBe(401);
    expect((await hub.call('GET', '/api/me', undefined, rotated.body.token)).status).toBe(200);

    // Another user's keys are not even there for fay; users.manage sees and revokes them.
    const gus = await person(hub, ['viewer']);
    const gusKey = (await hub.call('GET', '/api/keys', undefined, gus.token)).body.items[0];
    expect((await hub.call('GET', '/api/keys', undefined, fay.token)).body.items.every((k: any) => k.userId === fay.id)).toBe(true);
    expect((await hub.call('POST', `/api/keys/${gusKey.id}/revoke`, undefined, fay.token)).status).toBe(404);
    expect((await hub.call('POST', '/api/keys', { name: 'for gus', scopes: ['*'], userId: gus.id }, fay.token)).status).toBe(404);
    expect((await hub.call('GET', `/api/keys?userId=${gus.id}`)).body.items.map((k: any) => k.id)).toEqual([gusKey.id]);
    expect((await hub.call('POST', `/api/keys/${gusKey.id}/revoke`)).status).toBe(200);
    expect((await hub.call('GET', '/api/me', undefined, gus.token)).status).toBe(401);
    const actions = (await hub.store.audit.list({ tenantId: 'default', actor: fay.id })).items.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['post /api/keys', 'post /api/keys/:id/revoke', 'post /api/keys/:id/rotate']));
  });

  it('disabling a user ends their sessions and stops their keys; enabling lets them back in', async () => {
    const hal = await person(hub, ['business-user']);
    const browser = await signIn(hub, hal.login, hal.password);
    const disabled = await hub.call('POST', `/api/users/${hal.id}/disable`);
    expect(disabled).toMatchObject({ status: 200, body: { disabled: true } });
    expect((await browser.call('GET', '/api/me')).status).toBe(401);
    expect((await hub.call('GET', '/api/me', undefined, hal.token)).status).toBe(401);
    // A disabled user's right password gets the same answer as a wrong one.
    expect((await signInRaw(hub, hal.login, hal.password)).status).toBe(401);
    expect((await hub.call('POST', `/api/users/${hal.id}/enable`)).body.disabled).toBe(false);
    expect((await hub.call('GET', '/api/me', undefined, hal.token)).status).toBe(200);
    await signIn(hub, hal.login, hal.password);
    const actions = (await hub.store.audit.list({ tenantId: 'default', targetId: hal.id })).items.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['post /api/users/:id/disable', 'post /api/users/:id/enable']));
  });

  it('administers users only within the tenant: roles, unit and admin stay where they belong', async () => {
    const tenant = await hub.store.tenants.create(unique('Acme'));
    const acmeUnit = await hub.store.orgUnits.create({ tenantId: tenant.id, name: '销售部', parentId: null });
    const defaultUnit = await hub.store.orgUnits.create({ tenantId: 'default', name: '财务部', parentId: null });
    const { user: acmeAdmin, token: acmeToken } = await hub.store.users.create({ tenantId: tenant.id, name: 'Acme admin', roles: ['tenant-admin'] });

    const ivy = await hub.call('POST', '/api/users', { name: 'Ivy', roles: ['business-user', 'dept-manager'], orgUnit: acmeUnit.id, login: unique('ivy'), password: 'correct horse' }, acmeToken);
    expect(ivy).toMatchObject({ status: 201, body: { tenantId: tenant.id, orgUnit: acmeUnit.id, roles: ['business-user', 'dept-manager'] } });
    expect(ivy.body.token).toMatch(/^sf_/);
    const elsewhere = await hub.call('POST', '/api/users', { name: 'Jo', roles: [], orgUnit: defaultUnit.id }, acmeToken);
    expect(elsewhere).toMatchObject({ status: 400, body: { error: { details: [{ path: '/orgUnit' }] } } });
    const admin = await hub.call('POST', '/api/users', { name: 'Kim', roles: ['viewer', 'admin'] }, acmeToken);
    expect(admin).toMatchObject({ status: 403, body: { error: { details: [{ path: '/roles/1' }] } } });
    const badRole = await hub.call('POST', '/api/users', { name: 'Lu', roles: ['Dept_Manager'] }, acmeToken);
    expect(badRole).toMatchObject({ status: 400, body: { error: { details: [{ path: '/roles/0' }] } } });
    const taken = await hub.call('POST', '/api/users', { name: 'Ivy again', roles: [], login: ivy.body.login.toUpperCase() }, acmeToken);
    expect(taken).toMatchObject({ status: 409, body: { error: { details: [{ path: '/login' }] } } });
    const noLogin = await hub.call('POST', '/api/users', { name: 'Mo', roles: [], password: 'a long password' }, acmeToken);
    expect(noLogin).toMatchObject({ status: 400, body: { error: { details: [{ path: '/password' }] } } });

    // The tenant's admin sees and changes their own users only; the default tenant's are not there.
    const listed = (await hub.call('GET', '/api/users', undefined, acmeToken)).body.items.map((u: any) => u.id);
    expect(listed.sort()).toEqual([acmeAdmin.id, ivy.body.id].sort());
    const outsider = await person(hub, ['viewer']);
    expect((await hub.call('PUT', `/api/users/${outsider.id}`, { roles: ['tenant-admin'] }, acmeToken)).status).toBe(404);
    expect((await hub.call('POST', `/api/users/${outsider.id}/disable`, undefined, acmeToken)).status).toBe(404);
    expect((await hub.call('GET', '/api/keys', undefined, acmeToken)).body.items.every((k: any) => k.tenantId === tenant.id)).toBe(true);

    const moved = await hub.call('PUT', `/api/users/${ivy.body.id}`, { roles: ['legal'], orgUnit: null, name: 'Ivy Chen' }, acmeToken);
    expect(moved).toMatchObject({ status: 200, body: { roles: ['legal'], orgUnit: null, name: 'Ivy Chen' } });
    expect((await hub.call('PUT', `/api/users/${ivy.body.id}`, { orgUnit: defaultUnit.id }, acmeToken)).status).toBe(400);
    expect((await hub.call('POST', `/api/users/${acmeAdmin.id}/disable`, undefined, acmeToken)).status).toBe(400);
    // Signed in, Ivy is a session of her tenant with her roles.
    const browser = await signIn(hub, ivy.body.login, 'correct horse');
    expect((await browser.call('GET', '/api/me')).body).toMatchObject({ tenantId: tenant.id, roles: ['legal'], unit: null, via: 'session' });
    expect((await browser.call('GET', '/api/users')).status).toBe(403);
    // The tenant's trail has who made and changed Ivy, and never her password.
    const trail = (await hub.store.audit.list({ tenantId: tenant.id })).items;
    expect(trail.filter((e) => e.target?.id === ivy.body.id).map((e) => e.action)).toEqual(expect.arrayContaining(['put /api/users/:id', 'session.login']));
    expect(trail.map((e) => e.action)).toContain('post /api/users');
    expect(JSON.stringify(trail)).not.toContain('correct horse');
  });

  // Last in this hub: it spends the client's sign-in budget.
  it('slows down one client that tries many logins at once, before any password is hashed', async () => {
    const answers = await Promise.all(Array.from({ length: 45 }, () => signInRaw(hub, unique('spray'), 'guess')));
    const codes = answers.map((a) => a.status);
    expect(codes.filter((c) => c === 401).length).toBeGreaterThan(0);
    const limited = answers.filter((a) => a.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(10);
    expect(limited[0].body.error.code).toBe('rate_limited');
    expect(Number(limited[0].headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
