// Long-term validation (PAdES B-LT / B-LTA) held against pyHanko's AdES validator, which
// takes revocation data only from the file: a contract signed and archived through a hub
// carries a DSS (every certificate, the CA's CRLs) and a document timestamp; a revoked
// signer certificate shows revoked once an archive renewal carries the new CRL; and a
// renewal before the TSA certificate expires keeps the file valid after it has expired.
import { execFileSync } from 'node:child_process';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalTimestampClient, createMemoryKeyRecordStore, enrollSigner, createLocalSigner, extendLongTermValidation, archiveTimestampExpiry, openSigningPlatform, signPdf, verifyPdf } from '../../signing/index';
import { PdfReader } from '../../signing/pdf/xref';
import { exampleFlow, exampleOrder, startTestHub, type TestHub } from '../support/hub';
import { approvedContract } from '../support/signing';
import { adminDownload, adminGet, signedByBoth, closeHub, signingPeople, type SigningPeople } from '../support/signing-people';
import { makeContractPdf, SIGNATURE_AREAS } from './support/contract-pdf';
import { MASTER_KEY, signingFixture } from './support/fixture';
import { ensureValidators, pdfsig, pem, pyhankoAdesValidate, scratchDir, writeTemp } from './support/validators';

let dir: string;
beforeAll(() => {
  ensureValidators();
  dir = scratchDir();
});

/** The DSS of the file's newest revision: how many certificates and CRLs it holds. */
function dssOf(pdf: Uint8Array): { certs: number; crls: number } {
  const reader = new PdfReader(Buffer.from(pdf));
  const dss = reader.dict(reader.catalog().get('DSS'));
  const count = (key: string) => ((reader.resolve(dss?.get(key)) as unknown[] | undefined) ?? []).length;
  return { certs: count('Certs'), crls: count('CRLs') };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a signed PDF made long-term (our CA and TSA, no hub)', () => {
  let fixture: Awaited<ReturnType<typeof signingFixture>>;
  let rootPem: string;
  let signed: Uint8Array;
  let archived: Uint8Array;

  beforeAll(async () => {
    fixture = await signingFixture();
    rootPem = writeTemp(dir, 'fixture-root.pem', pem(fixture.ca.rootCertificate));
    signed = await makeContractPdf({ objectStreams: true });
    for (const [i, id] of ['buyer', 'supplier'].entries()) {
      signed = await signPdf({ pdf: signed, signer: fixture.signers[id], field: { name: id, page: SIGNATURE_AREAS[i].page, rect: SIGNATURE_AREAS[i], appearance: fixture.appearances[id] }, timestamp: fixture.timestamp });
    }
    archived = await extendLongTermValidation({ pdf: signed, ca: fixture.ca, timestamps: fixture.timestamp });
  }, 60_000);

  it('fails AdES validation as plain B-T: no revocation data in the file', () => {
    const result = pyhankoAdesValidate(writeTemp(dir, 'b-t.pdf', signed), rootPem);
    expect(result.fields.map((f) => f.field), result.output).toEqual(['buyer', 'supplier']);
    expect(result.fields.every((f) => !f.valid), result.output).toBe(true);
    expect(result.output).toContain('no revocation information could be found');
  });

  it('passes it as B-LTA: a DSS with the certificates and both CRLs, then a document timestamp', () => {
    expect(dssOf(archived).crls).toBe(2);
    expect(dssOf(archived).certs).toBeGreaterThanOrEqual(4); // two signers, the TSA, the issuing CA, the root
    const path = writeTemp(dir, 'b-lta.pdf', archived);
    const result = pyhankoAdesValidate(path, rootPem);
    expect(result.fields.map((f) => f.field), result.output).toEqual(['buyer', 'supplier']);
    expect(result.fields.every((f) => f.valid), result.output).toBe(true);
    expect(result.status, result.output).toBe(0);
    // poppler still accepts both signatures; our own verifier sees only signatures, a DSS and a document timestamp added
    const poppler = pdfsig(path);
    expect(poppler.signatures.slice(0, 2).map((s) => s.validation), poppler.output).toEqual(['Signature is Valid.', 'Signature is Valid.']);
    const ours = verifyPdf(archived, { trustAnchors: [fixture.ca.rootCertificate] });
    expect(ours.valid, JSON.stringify(ours.changesAfterSigning)).toBe(true);
    expect(ours.changesAfterSigning).toEqual([]);
    expect(ours.signatures.map((s) => s.kind)).toEqual(['signature', 'signature', 'document-timestamp']);
  });

  it('publishes a CRL that openssl verifies against the issuing CA, listing a revoked certificate with its reason', async () => {
    const other = await enrollSigner({ vault: fixture.vault, ca: fixture.ca, tenantId: 'tenant-a', signerId: 'to-revoke', subject: { kind: 'service', commonName: '待吊销' } });
    await fixture.ca.revoke({ certificate: other[0], reason: 'keyCompromise' });
    const { issuing } = await fixture.ca.crls();
    const crlPath = writeTemp(dir, 'ca.crl', issuing);
    const caPath = writeTemp(dir, 'issuing.pem', pem(fixture.ca.issuingCertificate));
    const text = execFileSync('openssl', ['crl', '-inform', 'DER', '-in', crlPath, '-CAfile', caPath, '-noout', '-text', '-verify'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const serial = Buffer.from(pkijs.Certificate.fromBER(other[0]).serialNumber.valueBlock.valueHexView).toString('hex').toUpperCase();
    expect(text).toContain(`Serial Number: ${serial}`);
    expect(text).toContain('Key Compromise');
  });
});

describe('archive renewal before the TSA certificate expires', () => {
  it('re-stamps with a renewed TSA certificate, and the file stays valid after the first one expired', { timeout: 90_000 }, async () => {
    // A TSA certificate of 12 s, renewed by the TSA 6 s before its end; archives due 3 s before.
    const platform = await openSigningPlatform({ masterKey: MASTER_KEY, keyRecords: createMemoryKeyRecordStore(), tsaCertificateValidityMs: 12_000, archiveRenewalMarginMs: 3000 });
    await enrollSigner({ vault: platform.vault, ca: platform.ca, tenantId: 't', signerId: 'buyer', subject: { kind: 'service', commonName: '买方' } });
    const rootPem = writeTemp(dir, 'renewal-root.pem', platform.rootCertificatePem);
    const timestamps = createLocalTimestampClient(platform.tsa);
    const firstTsa = platform.tsa.certificateChain[0];
    const signed = await signPdf({ pdf: await makeContractPdf({ objectStreams: false }), signer: await createLocalSigner({ vault: platform.vault, keyId: 'buyer' }), field: { name: 'buyer', page: 1 }, timestamp: timestamps });
    const archived = await extendLongTermValidation({ pdf: signed, ca: platform.ca, timestamps });
    const expiry = archiveTimestampExpiry(archived)!;
    expect(expiry.getTime()).toBe(pkijs.Certificate.fromBER(firstTsa).notAfter.value.getTime());

    await sleep(Math.max(0, expiry.getTime() - platform.archiveRenewalMarginMs - Date.now()));
    const renewed = await extendLongTermValidation({ pdf: archived, ca: platform.ca, timestamps });
    // the TSA certified itself anew before this timestamp: the renewal rides on the new certificate
    expect(Buffer.compare(Buffer.from(platform.tsa.certificateChain[0]), Buffer.from(firstTsa))).not.toBe(0);
    expect(archiveTimestampExpiry(renewed)!.getTime()).toBeGreaterThan(expiry.getTime());

    await sleep(Math.max(0, expiry.getTime() + 1500 - Date.now()));
    const result = pyhankoAdesValidate(writeTemp(dir, 'renewed.pdf', renewed), rootPem);
    expect(result.fields.map((f) => [f.field, f.valid]), result.output).toEqual([['buyer', true]]);
    expect(verifyPdf(renewed, { trustAnchors: [platform.ca.rootCertificate] }).changesAfterSigning).toEqual([]);
  });
});

describe('a contract signed and archived through the hub', () => {
  let hub: TestHub;
  let rootPem: string;
  let people: SigningPeople;
  const renewals: string[] = [];

  beforeAll(async () => {
    hub = await startTestHub();
    const flow = exampleFlow();
    // No expiry reminder: the contract's workflow ends with the archive, as most do.
    await hub.publish({ ...flow, archive: { ...flow.archive, expiry: undefined } } as typeof flow);
    people = await signingPeople(hub);
    rootPem = writeTemp(dir, 'hub-root.pem', hub.signing.rootCertificatePem);
  }, 120_000);
  afterAll(() => closeHub(hub, renewals));

  // Once more if pyHanko's run outlasted the kept-alive connection (see adminGet).
  const get = (path: string) => adminGet(hub, path);
  const download = (path: string) => adminDownload(hub, path);

  it('archives PAdES B-LTA documents and evidence; a revoked signer certificate shows revoked after the next renewal', { timeout: 240_000 }, async () => {
    const order = exampleOrder();
    const id = await approvedContract(hub, people, { ...order, data: { ...order.data, supplier: { ...order.data.supplier, isNew: false } } });
    const done = await signedByBoth(hub, people, id, order.data.supplier.mobile);
    renewals.push(`archive-renewal:${id}`);

    const archived = await download(`/api/contracts/${id}/documents/contract.pdf`);
    expect((await hub.post('/api/verify', archived, { 'content-type': 'application/pdf' })).body.valid).toBe(true);
    const contractPath = writeTemp(dir, 'hub-contract.pdf', archived);
    const evidencePath = writeTemp(dir, 'hub-evidence.pdf', await download(`/api/contracts/${id}/evidence.pdf`));
    const contract = pyhankoAdesValidate(contractPath, rootPem);
    expect(contract.fields.map((f) => [f.field, f.valid]), contract.output).toEqual([['sealflow-buyer', true], ['sealflow-supplier', true]]);
    expect(pyhankoAdesValidate(evidencePath, rootPem).fields.map((f) => f.valid)).toEqual([true]);
    const poppler = pdfsig(contractPath);
    expect(poppler.signatures.slice(0, 2).every((s) => s.valid), poppler.output).toBe(true);

    // the renewal workflow was started by the archive step, due before the TSA certificate expires
    const renewal = await hub.client.workflow.getHandle(`archive-renewal:${id}`).describe();
    expect(renewal.status.name).toBe('RUNNING');

    // the CRL is public; a hub admin revokes the buyer's certificate (its key was compromised before it signed)
    const crl = await get('/pki/ca.crl');
    expect(crl.headers.get('content-type')).toContain('application/pkix-crl');
    expect(pkijs.CertificateRevocationList.fromBER(new Uint8Array(await crl.arrayBuffer())).revokedCertificates ?? []).toHaveLength(0);
    const refused = await hub.call('POST', '/api/pki/revocations', { contractId: id, signerId: 'buyer', reason: 'stolen' });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('/reason');
    expect((await hub.call('POST', '/api/pki/revocations', { contractId: id, signerId: 'nobody', reason: 'keyCompromise' })).status).toBe(404);
    const revoked = await hub.call('POST', '/api/pki/revocations', { contractId: id, signerId: 'buyer', reason: 'keyCompromise', revokedAt: new Date(Date.parse(done.createdAt) - 60_000).toISOString() });
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(201);
    const listed = pkijs.CertificateRevocationList.fromBER(new Uint8Array(await (await get('/pki/ca.crl')).arrayBuffer()));
    expect(listed.revokedCertificates?.map((r) => Buffer.from(r.userCertificate.valueBlock.valueHexView).toString('hex'))).toEqual([revoked.body.serial]);

    // force the renewal now (its timer is years away with the hub's 10-year TSA certificate)
    const handle = hub.client.workflow.getHandle(`archive-renewal:${id}`);
    await handle.terminate('renew now (test)');
    await hub.client.workflow.start('archiveRenewal', {
      workflowId: `archive-renewal:${id}`,
      taskQueue: hub.taskQueue,
      args: [{ contractId: id, documents: done.documents.map((d: any) => ({ id: d.id, sha256: d.sha256 })), evidenceSha256: done.evidenceSha256, renewAt: new Date().toISOString() }],
    });
    const after = await hub.waitFor(id, (c) => c.documents[0].sha256 !== done.documents[0].sha256, 60_000);
    expect(after.evidenceSha256).not.toBe(done.evidenceSha256);
    const renewedPath = writeTemp(dir, 'hub-renewed.pdf', await download(`/api/contracts/${id}/documents/contract.pdf`));
    const renewed = pyhankoAdesValidate(renewedPath, rootPem);
    expect(renewed.fields.map((f) => [f.field, f.valid, f.revoked]), renewed.output).toEqual([
      ['sealflow-buyer', false, true],
      ['sealflow-supplier', true, false],
    ]);
  });
});
