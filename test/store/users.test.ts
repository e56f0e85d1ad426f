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
    const rows = await readTable(database, 'users');
    expect(rows).toHaveLength(1);
    expect(rows[0].id).toBe(user.id);
    expect(rows[0].token_hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(rows[0])).not.toContain(token.slice(3));
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
});
