import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../store';
import { createTestDatabase, dialects, readTable, type TestDatabase } from '../support/databases';

describe.each(dialects)('users (%s)', (dialect) => {
  let database: TestDatabase;
  let store: Store;
  beforeEach(async () => {
    database = await createTestDatabase(dialect, { migrated: true });
    store = await openStore(database.options);
  });
  afterEach(async () => {
    await store.close();
    await database.drop();
  });

  it('creates a user whose token finds them', async () => {
    const { user, token } = await store.users.create({ name: '王芳', roles: ['finance-director'], orgUnit: 'finance' });
    expect(user).toMatchObject({ name: '王芳', roles: ['finance-director'], orgUnit: 'finance' });
    expect(user.id).toMatch(/^u_[A-Za-z0-9_-]+$/);
    expect(token).toMatch(/^sf_[A-Za-z0-9_-]{43}$/);
    expect(await store.users.byToken(token)).toEqual(user);
    expect(await store.users.get(user.id)).toEqual(user);
  });

  it('defaults the org unit to null', async () => {
    const { user } = await store.users.create({ name: 'Ada', roles: [] });
    expect(user.orgUnit).toBeNull();
    expect((await store.users.get(user.id))?.orgUnit).toBeNull();
  });

  it('stores only the sha256 of the token, never the token', async () => {
    const { user, token } = await store.users.create({ name: 'Ada', roles: ['legal'] });
    // The personal key lives in api_keys (migration 0010), as its hash.
    const rows = await readTable(database, 'api_keys');
    expect(rows).toHaveLength(1);
    expect(rows[0].user_id).toBe(user.id);
    expect(rows[0].token_hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify([...rows, ...(await readTable(database, 'users'))])).not.toContain(token.slice(3));
  });

  it('finds nobody for an unknown or tampered token', async () => {
    const { token } = await store.users.create({ name: 'Ada', roles: [] });
    expect(await store.users.byToken(`${token}x`)).toBeNull();
    expect(await store.users.byToken('')).toBeNull();
    expect(await store.users.get('u_nobody')).toBeNull();
  });

  it('gives every user a different id and token', async () => {
    const a = await store.users.create({ name: 'A', roles: [] });
    const b = await store.users.create({ name: 'B', roles: [] });
    expect(a.user.id).not.toBe(b.user.id);
    expect(a.token).not.toBe(b.token);
    expect((await store.users.list()).map((u) => u.name).sort()).toEqual(['A', 'B']);
  });

  it('matches roles exactly, not as substrings', async () => {
    const { user: director } = await store.users.create({ name: 'Director', roles: ['finance-director'] });
    const { user: clerk } = await store.users.create({ name: 'Clerk', roles: ['legal', 'finance'] });
    await store.users.create({ name: 'Quoted', roles: ['a"finance', 'finance_'] });
    await store.users.create({ name: 'Nobody', roles: [] });

    expect((await store.users.withRole('finance')).map((u) => u.id)).toEqual([clerk.id]);
    expect((await store.users.withRole('finance-director')).map((u) => u.id)).toEqual([director.id]);
    expect((await store.users.withRole('legal')).map((u) => u.id)).toEqual([clerk.id]);
    expect(await store.users.withRole('fin%')).toEqual([]);
    expect(await store.users.withRole('director')).toEqual([]);
  });

  it('keeps logins unique whatever their case, and finds a user by login', async () => {
    const { user } = await store.users.create({ name: 'Wang', roles: [], login: 'Wang.Fang', passwordHash: '$argon2id$stub' });
    expect(user.login).toBe('wang.fang');
    expect(await store.users.byLogin(' WANG.FANG ')).toEqual({ user, passwordHash: '$argon2id$stub' });
    await expect(store.users.create({ name: 'Other Wang', roles: [], login: 'wang.FANG' })).rejects.toMatchObject({ code: 'conflict' });
    const { user: li } = await store.users.create({ name: 'Li', roles: [], login: 'li' });
    await expect(store.users.update(li.id, { login: 'wang.fang' })).rejects.toMatchObject({ code: 'conflict' });
    // Users without a login never collide.
    await store.users.create({ name: 'Key only 1', roles: [] });
    await store.users.create({ name: 'Key only 2', roles: [] });
    expect(await store.users.list()).toHaveLength(4);
  });

  it('ends every session of a user who is disabled, and their keys stop working', async () => {
    const { user, token } = await store.users.create({ name: 'Ada', roles: [] });
    const policy = { idleMs: 3600_000, absoluteMs: 86_400_000, touchEveryMs: 60_000 };
    const { id } = await store.sessions.create({ userId: user.id, tenantId: user.tenantId, policy });
    expect(await store.sessions.find(id, policy)).toMatchObject({ userId: user.id });
    expect((await store.users.setDisabled(user.id, true))?.disabled).toBe(true);
    expect(await store.sessions.find(id, policy)).toBeNull();
    expect(await store.apiKeys.authenticate(token)).toBeNull();
    expect((await store.users.setDisabled(user.id, false))?.disabled).toBe(false);
    expect((await store.apiKeys.authenticate(token))?.user.id).toBe(user.id);
  });

  it('counts sign-in failures per login within a window and starts a new window once it has passed', async () => {
    const throttle = { maxFailures: 3, windowMs: 60_000 };
    const t0 = new Date('2026-01-01T00:00:00Z');
    const at = (s: number) => new Date(t0.getTime() + s * 1000);
    expect(await store.sessions.recordFailure('ada', throttle, at(0))).toBe(1);
    expect(await store.sessions.recordFailure('ada', throttle, at(10))).toBe(2);
    expect(await store.sessions.lockedUntil('ada', throttle, at(11))).toBeNull();
    expect(await store.sessions.recordFailure('ada', throttle, at(20))).toBe(3);
    expect(await store.sessions.lockedUntil('ada', throttle, at(21))).toEqual(at(60));
    expect(await store.sessions.lockedUntil('bob', throttle, at(21))).toBeNull();
    expect(await store.sessions.lockedUntil('ada', throttle, at(61))).toBeNull();
    expect(await store.sessions.recordFailure('ada', throttle, at(61))).toBe(1);
    await store.sessions.clearFailures('ada');
    expect(await store.sessions.recordFailure('ada', throttle, at(62))).toBe(1);
    // Windows that have passed are swept by the next failure of any login.
    expect(await store.sessions.recordFailure('bob', throttle, at(63))).toBe(1);
    expect(await store.sessions.recordFailure('cy', throttle, at(200))).toBe(1);
    expect((await readTable(database, 'sign_in_failures')).map((r) => r.login)).toEqual(['cy']);
  });

  it('sweeps sessions that ended by themselves at the next sign-in', async () => {
    const policy = { idleMs: 3600_000, absoluteMs: 86_400_000, touchEveryMs: 60_000 };
    const t0 = new Date('2026-01-01T00:00:00Z');
    await store.sessions.create({ userId: 'u_a', tenantId: 'default', policy, now: t0 });
    await store.sessions.create({ userId: 'u_b', tenantId: 'default', policy, now: new Date(t0.getTime() + 30 * 60_000) });
    // 1.2 h later the first is idle past its hour, the second is not.
    await store.sessions.create({ userId: 'u_c', tenantId: 'default', policy, now: new Date(t0.getTime() + 72 * 60_000) });
    expect((await readTable(database, 'sessions')).map((r) => r.user_id).sort()).toEqual(['u_b', 'u_c']);
  });
});
