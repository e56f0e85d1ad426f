// The signing engine's key vault on the real database: what the table holds is ciphertext
// and certificates, and only the right master key signs with it.
import { createPrivateKey } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKeyVault, createLocalCertificateAuthority, enrollSigner, companySubject, keyRecordsIn, type KeyRecord, type KeyRecordStore } from '../../signing';
import { openStore, type Store } from '../../store';
import { createTestDatabase, dialects, readTable, type TestDatabase } from '../support/databases';
import { creditCode, MASTER_KEY } from '../signing/support/fixture';

const keyRecords = (store: Store): KeyRecordStore => keyRecordsIn(store.signingKeys);

describe.each(dialects)('signing keys in the database (%s)', (dialect) => {
  let database: TestDatabase;
  let store: Store;
  beforeEach(async () => {
    database = await createTestDatabase(dialect);
    store = await openStore(database.options);
  });
  afterEach(async () => {
    await store.close();
    await database.drop();
  });

  it('stores wrapped keys and certificates, never the private key, and signs only with the right master key', async () => {
    const vault = createKeyVault({ masterKey: MASTER_KEY, store: keyRecords(store) });
    const ca = await createLocalCertificateAuthority({ vault });
    const chain = await enrollSigner({ vault, ca, tenantId: 'acme', signerId: 'acme-seal', subject: companySubject({ name: '深圳市华强电子有限公司', creditCode: creditCode('91440300MA5F00000') }) });
    expect(chain.length).toBeGreaterThanOrEqual(2);

    // A second process (new store, same database) finds the key and its certificate again.
    const reopened = await openStore(database.options);
    try {
      const again = createKeyVault({ masterKey: MASTER_KEY, store: keyRecords(reopened) });
      expect(Buffer.from((await again.certificateChain('acme-seal'))[0]).equals(Buffer.from(chain[0]))).toBe(true);
      expect((await again.sign('acme-seal', Buffer.from('合同'))).length).toBeGreaterThan(0);
      const wrong = createKeyVault({ masterKey: Buffer.alloc(32, 7), store: keyRecords(reopened) });
      await expect(wrong.sign('acme-seal', Buffer.from('合同'))).rejects.toMatchObject({ code: 'KEY_UNWRAP_FAILED' });
    } finally {
      await reopened.close();
    }

    const rows = await readTable(database, 'signing_keys');
    expect(rows.map((r) => r.kind).sort()).toEqual(expect.arrayContaining(['private-key', 'tenant-key']));
    const dump = JSON.stringify(rows);
    expect(dump).not.toMatch(/"d":"|PRIVATE KEY/);
    // the public key in the table belongs to a private key that the table does not hold
    const record = JSON.parse(String(rows.find((r) => r.id === 'key:acme-seal')!.record));
    expect(record.wrapped.algorithm).toBe('AES-256-GCM');
    expect(() => createPrivateKey({ key: Buffer.from(record.wrapped.ciphertext, 'base64'), format: 'der', type: 'pkcs8' })).toThrow();
  });
});
