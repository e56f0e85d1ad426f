// Parts that start together on an empty PostgreSQL database (compose starts servers and
// workers at once) must end up with one CA: each opens the signing platform, and every
// platform's root must be the one the database keeps.
import { randomBytes } from 'node:crypto';
import { afterAll, expect, it } from 'vitest';
import { keyRecordsIn, openSigningPlatform, toPem } from '../signing';
import { openStore, type Store } from '../store';
import { createTestDatabase, type TestDatabase } from '../test/support/databases';
import { onePartAtATime } from './first-start';

let database: TestDatabase | undefined;
const stores: Store[] = [];

afterAll(async () => {
  for (const store of stores) await store.close();
  await database?.drop();
});

it('gives parts that open the signing platform at once on an empty database one root, the one stored', async () => {
  database = await createTestDatabase('postgres', { migrated: true });
  const masterKey = randomBytes(32);
  for (let i = 0; i < 4; i++) stores.push(await openStore(database.options));
  const platforms = await Promise.all(
    stores.map((store) => onePartAtATime(database!.options.databaseUrl!, 'signing-platform', () => openSigningPlatform({ masterKey, keyRecords: keyRecordsIn(store.signingKeys) }))),
  );
  // A part started later reads what the database holds.
  const later = await openSigningPlatform({ masterKey, keyRecords: keyRecordsIn(stores[0].signingKeys) });
  expect(platforms).toHaveLength(4);
  expect(new Set(platforms.map((p) => p.rootCertificatePem))).toEqual(new Set([later.rootCertificatePem]));
  expect(toPem(later.ca.rootCertificate)).toBe(later.rootCertificatePem);
});
