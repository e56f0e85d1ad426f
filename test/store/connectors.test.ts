// Connector instances, cursors and health on both dialects; what the table holds for a
// secret is ciphertext that only the right master key (and the right owner) opens.
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSecret, openStore, sealSecret, secretAad, type ConnectorInstanceInput, type Store } from '../../store';
import { createTestDatabase, dialects, readTable, type TestDatabase } from '../support/databases';

const KEY = Buffer.alloc(32, 11);
const PASSWORD = 'sap-password-in-clear-9f3';
const HOOK_SECRET = 'hook-secret-0123456789abcdef';

const instance = (overrides: Partial<ConnectorInstanceInput> = {}): ConnectorInstanceInput => ({
  id: 'sap-prod',
  connector: 'sap_purchase_orders',
  name: 'SAP production',
  flow: 'supplier-purchase',
  mapping: '{ "poNumber": purchaseOrder }',
  trigger: { kind: 'poll', everyMinutes: 15 },
  settings: { username: 'SEALFLOW_COMM', pageSize: 200 },
  secrets: { password: PASSWORD },
  webhookAuth: null,
  enabled: true,
  by: 'admin',
  ...overrides,
});

describe('sealed secrets', () => {
  it('open with the same key and owner only', () => {
    const sealed = sealSecret(KEY, PASSWORD, secretAad('sap-prod', 'password'));
    expect(sealed).not.toContain(PASSWORD);
    expect(sealSecret(KEY, PASSWORD, secretAad('sap-prod', 'password'))).not.toBe(sealed);
    expect(openSecret(KEY, sealed, secretAad('sap-prod', 'password'))).toBe(PASSWORD);
    expect(() => openSecret(Buffer.alloc(32, 12), sealed, secretAad('sap-prod', 'password'))).toThrow(/master key/);
    expect(() => openSecret(KEY, sealed, secretAad('sap-test', 'password'))).toThrow(/master key/);
    expect(() => openSecret(KEY, sealed, secretAad('sap-prod', 'token'))).toThrow(/master key/);
    const [v, iv, ct, tag] = sealed.split('.');
    const flipped = Buffer.from(ct, 'base64url');
    flipped[0] ^= 1;
    expect(() => openSecret(KEY, [v, iv, flipped.toString('base64url'), tag].join('.'), secretAad('sap-prod', 'password'))).toThrow();
    expect(() => sealSecret(Buffer.alloc(16), PASSWORD, 'x')).toThrow(/32 bytes/);
  });
});

describe.each(dialects)('connector instances (%s)', (dialect) => {
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

  it('keeps secrets sealed in the table and returns only which are set', async () => {
    const created = await store.connectors.create(instance({ webhookAuth: { kind: 'hmac-sha256', secret: HOOK_SECRET } }), KEY);
    expect(created).toMatchObject({ id: 'sap-prod', secretsSet: ['password'], webhookAuth: { kind: 'hmac-sha256' }, settings: { username: 'SEALFLOW_COMM' }, enabled: true });
    expect(JSON.stringify(created)).not.toContain(PASSWORD);
    expect(JSON.stringify(await store.connectors.get('default', 'sap-prod'))).not.toContain(PASSWORD);
    expect(JSON.stringify(await store.connectors.list())).not.toContain(HOOK_SECRET);

    const rows = await readTable(database, 'connectors');
    expect(rows).toHaveLength(1);
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(PASSWORD);
    expect(stored).not.toContain(HOOK_SECRET);
    expect(stored).not.toContain(Buffer.from(PASSWORD).toString('base64'));
    expect(JSON.parse(String(rows[0].secrets)).password).toMatch(/^v1\./);

    const opened = await store.connectors.open('sap-prod', KEY);
    expect(opened).toMatchObject({ secrets: { password: PASSWORD }, webhookSecret: { kind: 'hmac-sha256', secret: HOOK_SECRET } });
    await expect(store.connectors.open('sap-prod', Buffer.alloc(32, 99))).rejects.toThrow(/master key/);
    expect(await store.connectors.open('nope', KEY)).toBeNull();
  });

  it('refuses a second instance with the same id and updates an existing one', async () => {
    await store.connectors.create(instance(), KEY);
    await expect(store.connectors.create(instance(), KEY)).rejects.toMatchObject({ code: 'conflict' });
    const updated = await store.connectors.update(instance({ trigger: { kind: 'webhook' }, webhookAuth: { kind: 'bearer', token: 'bearer-token-0123456789' }, secrets: {}, enabled: false }), KEY);
    expect(updated).toMatchObject({ trigger: { kind: 'webhook' }, secretsSet: [], webhookAuth: { kind: 'bearer' }, enabled: false });
    await expect(store.connectors.update(instance({ id: 'other' }), KEY)).rejects.toMatchObject({ code: 'not_found' });
    await store.connectors.create(instance({ id: 'a-first' }), KEY);
    expect((await store.connectors.list()).map((i) => i.id)).toEqual(['a-first', 'sap-prod']);
  });

  it('keeps the cursor and adds up health from concurrent runs', async () => {
    await store.connectors.create(instance(), KEY);
    expect(await store.connectors.cursor('sap-prod')).toBeNull();
    await store.connectors.saveCursor('sap-prod', '{"v":1}');
    expect(await store.connectors.cursor('sap-prod')).toBe('{"v":1}');

    const at = new Date('2026-01-01T00:00:00Z');
    await Promise.all(Array.from({ length: 5 }, () => store.connectors.recordRun('sap-prod', { read: 3, started: 2, changed: 1, skipped: 0, errors: [] }, at)));
    await store.connectors.recordRun('sap-prod', { read: 1, started: 0, changed: 0, skipped: 1, errors: [{ code: 'mapping_failed', message: 'bad', sourceKey: '4500000001' }] }, at);
    let health = await store.connectors.health('sap-prod');
    expect(health).toMatchObject({ recordsRead: 16, contractsStarted: 10, changesReported: 5, skipped: 1, errors: 1, consecutiveFailures: 0, lastSuccessAt: at.toISOString(), lastError: { code: 'mapping_failed', sourceKey: '4500000001' } });

    const later = new Date('2026-01-01T01:00:00Z');
    await store.connectors.recordRun('sap-prod', { read: 0, started: 0, changed: 0, skipped: 0, errors: [], failure: { code: 'source_unreachable', message: 'SAP is down' } }, later);
    await store.connectors.recordRun('sap-prod', { read: 0, started: 0, changed: 0, skipped: 0, errors: [], failure: { code: 'source_unreachable', message: 'SAP is down' } }, later);
    health = await store.connectors.health('sap-prod');
    expect(health).toMatchObject({ consecutiveFailures: 2, errors: 3, lastSyncAt: later.toISOString(), lastSuccessAt: at.toISOString(), lastError: { code: 'source_unreachable' } });
    expect(await store.connectors.health('nope')).toBeNull();
  });
});

describe('a fresh key per instance owner', () => {
  it('does not open a secret copied from another instance', async () => {
    const database = await createTestDatabase('sqlite');
    const store = await openStore(database.options);
    try {
      const key = randomBytes(32);
      await store.connectors.create(instance({ id: 'one-instance' }), key);
      await store.connectors.create(instance({ id: 'two-instance', secrets: { password: 'other' } }), key);
      const rows = await readTable(database, 'connectors');
      const one = rows.find((r) => r.id === 'one-instance')!;
      // Moving the sealed password into the other row, as someone with database access might.
      const raw = (await import('better-sqlite3')).default;
      const sqlite = new raw(database.options.sqlitePath!);
      sqlite.prepare('update connectors set secrets = ? where id = ?').run(one.secrets, 'two-instance');
      sqlite.close();
      await expect(store.connectors.open('two-instance', key)).rejects.toThrow(/master key/);
    } finally {
      await store.close();
      await database.drop();
    }
  });
});
