// Attack (an accident, really): two hub servers on one database revoke certificates at the same
// moment. The revocation list is read, extended and written back; without a conditional write the
// later writer drops the earlier one's entry and a compromised key stays trusted. Every revocation
// must reach the list and the CRL, on both databases.
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { companySubject, enrollSigner, openSigningPlatform, type SigningPlatform } from '../../signing';
import { keyRecordsIn } from '../../signing/platform';
import { openStore, type Store } from '../../store';
import { createTestDatabase, dialects, type TestDatabase } from '../support/databases';
import { creditCode, MASTER_KEY } from '../signing/support/fixture';

const SIGNERS = 8;

describe.each(dialects)('revoking at once from two servers (%s)', (dialect) => {
  let database: TestDatabase;
  const stores: Store[] = [];
  const servers: SigningPlatform[] = [];
  const certificates: Uint8Array[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(dialect, { migrated: true });
    for (let i = 0; i < 2; i++) stores.push(await openStore(database.options));
    // One opens the PKI first (as the first start does), the second finds it.
    for (const store of stores) servers.push(await openSigningPlatform({ masterKey: MASTER_KEY, keyRecords: keyRecordsIn(store.signingKeys) }));
    for (let i = 0; i < SIGNERS; i++) {
      const [leaf] = await enrollSigner({
        vault: servers[0].vault, ca: servers[0].ca, tenantId: 'acme', signerId: `signer-${i}`,
        subject: companySubject({ name: `深圳市华强电子有限公司${i}`, creditCode: creditCode('91440300MA5F00000') }),
      });
      certificates.push(leaf);
    }
  }, 120_000);
  afterAll(async () => {
    for (const store of stores) await store.close();
    await database?.drop();
  });

  it(`${SIGNERS} revocations sent at once through two servers are all listed and all in the CRL`, async () => {
    await Promise.all(certificates.map((certificate, i) => servers[i % 2].ca.revoke({ certificate, reason: 'keyCompromise' })));
    const serials = certificates.map((der) => Buffer.from(pkijs.Certificate.fromBER(der).serialNumber.valueBlock.valueHexView).toString('hex'));

    for (const server of servers) {
      const listed = (await server.ca.revocations()).map((r) => r.serial);
      expect(listed.sort()).toEqual([...serials].sort());
      const crl = pkijs.CertificateRevocationList.fromBER((await server.ca.crls()).issuing);
      const inCrl = (crl.revokedCertificates ?? []).map((entry) => Buffer.from(entry.userCertificate.valueBlock.valueHexView).toString('hex'));
      expect(inCrl.sort()).toEqual([...serials].sort());
    }
  });

  it('revoking the same certificate again through the other server keeps the first entry', async () => {
    const [first] = await servers[0].ca.revocations();
    const certificate = certificates.find((der) => Buffer.from(pkijs.Certificate.fromBER(der).serialNumber.valueBlock.valueHexView).toString('hex') === first.serial)!;
    const again = await Promise.all([servers[0].ca.revoke({ certificate, reason: 'superseded' }), servers[1].ca.revoke({ certificate, reason: 'superseded' })]);
    expect(again.map((r) => r.reason)).toEqual(['keyCompromise', 'keyCompromise']);
    expect(await servers[1].ca.revocations()).toHaveLength(SIGNERS);
  });
});
