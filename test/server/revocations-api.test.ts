// The hub's admin revokes several signer certificates at once through the REST API, on
// PostgreSQL (the deployment's database): every one must reach the list and the CRL that
// validators fetch. (test/store/revocations.test.ts races two servers on both databases.)
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { companySubject, enrollSigner } from '../../signing';
import { creditCode } from '../signing/support/fixture';
import { approvalFlow, startTestHub, type TestHub } from '../support/hub';

const SIGNERS = 6;
const serialOf = (der: Uint8Array) => Buffer.from(pkijs.Certificate.fromBER(der).serialNumber.valueBlock.valueHexView).toString('hex');

describe('POST /api/pki/revocations, many at once (postgres)', () => {
  let hub: TestHub;
  let contractId: string;
  const serials: string[] = [];

  beforeAll(async () => {
    hub = await startTestHub({ dialect: 'postgres' });
    await hub.publish(approvalFlow());
    const started = await hub.call('POST', '/api/contracts', { flow: approvalFlow().key, data: { poNumber: 'PO-REVOKE', amount: 5000, supplier: { name: '深圳市华强电子有限公司' } } });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    contractId = started.body.id;
    // Signer keys as the signing activity names them (signer:<contract>:<signer>), issued by the hub's CA.
    for (let i = 0; i < SIGNERS; i++) {
      const [leaf] = await enrollSigner({
        vault: hub.signing.vault, ca: hub.signing.ca, tenantId: 'default', signerId: `signer:${contractId}:s${i}`,
        subject: companySubject({ name: `签署方${i}有限公司`, creditCode: creditCode('91440300MA5F00000') }),
      });
      serials.push(serialOf(leaf));
    }
  }, 120_000);
  afterAll(() => hub?.close());

  it(`${SIGNERS} revocations sent together all answer 201 and all are in the list and the CRL`, async () => {
    const answers = await Promise.all(serials.map((_, i) => hub.call('POST', '/api/pki/revocations', { contractId, signerId: `s${i}`, reason: 'keyCompromise' })));
    expect(answers.map((a) => a.status)).toEqual(serials.map(() => 201));

    const listed = (await hub.call('GET', '/api/pki/revocations')).body.items.map((r: { serial: string }) => r.serial);
    expect([...listed].sort()).toEqual([...serials].sort());

    const crl = await fetch(`${hub.url}/pki/ca.crl`);
    expect(crl.status).toBe(200);
    const entries = pkijs.CertificateRevocationList.fromBER(new Uint8Array(await crl.arrayBuffer())).revokedCertificates ?? [];
    expect(entries.map((e) => Buffer.from(e.userCertificate.valueBlock.valueHexView).toString('hex')).sort()).toEqual([...serials].sort());
  });
});
