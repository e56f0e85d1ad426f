// The CA gate (issue 13): the signing activity issues a signer's certificate from the verified
// identity record bound on their link, never from the contract's data — edited after the
// verification, the data changes nothing — and refuses a signer whose level was not verified.
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContractDocument, SignerState } from '../../flows';
import { createIdentityRouter, createIdentityService, createLocalIdentityProvider, createSignerIdentity } from '../../identity';
import { createNotifier } from '../../notify';
import { idNumberHashKey, keyRecordsIn, openSigningPlatform, type SigningPlatform } from '../../signing';
import type { Store } from '../../store';
import { createSigningActivities } from '../../workflows/activities/signing';
import { openTestStore } from '../support/databases';
import { opensslEscaped, signerSubjects } from '../support/signing';
import { makeContractPdf } from '../signing/support/contract-pdf';

const masterKey = Buffer.alloc(32, 9);
let store: Store;
let signing: SigningPlatform;
let document: ContractDocument;

const signer = (over: Partial<SignerState>): SignerState => ({
  id: 'zhang', party: 'person', name: '张三', order: 1, documents: ['contract'], email: null, mobile: null, creditCode: null, idNumber: '310101199003071230',
  seal: null, verify: 'none', identity: 'telecom', mustRead: false, prompt: null, status: 'invited', invitedAt: null, signedAt: null, declineReason: null, reminders: 0, lastNudgeAt: null,
  ...over,
});

beforeAll(async () => {
  store = await openTestStore('sqlite');
  signing = await openSigningPlatform({ masterKey, keyRecords: keyRecordsIn(store.signingKeys) });
  const { sha256, size } = await store.documents.put(await makeContractPdf(), 'application/pdf');
  document = { id: 'contract', template: 't', title: '采购合同', sha256, size, pages: 1, signers: ['zhang'], signatureAreas: [], generatedAt: new Date().toISOString() };
}, 60_000);
afterAll(() => store?.close());

/** The activity as the worker runs it (it logs through its activity context). */
type ApplySignature = ReturnType<typeof createSigningActivities>['applySignature'];
const applySignature = (input: Parameters<ApplySignature>[0]) =>
  new MockActivityEnvironment().run(createSigningActivities({ store, notifier: createNotifier({ store, outbox: true }), signing, publicUrl: 'http://localhost', secret: masterKey }).applySignature, input) as ReturnType<ApplySignature>;

describe('certificates from verified identities only', () => {
  it('names the verified record in the certificate after the contract data was edited', { timeout: 60_000 }, async () => {
    // 张三 verifies at telecom on the link of contract c-edit, with the key the hub derives from its master key.
    const service = createIdentityService({ store: store.identities, router: createIdentityRouter({ providers: [createLocalIdentityProvider({ notForProduction: true })] }), idHashKey: idNumberHashKey(masterKey) });
    const links = createSignerIdentity({ service, store: store.identities });
    const on = { contractId: 'c-edit', signer: signer({}) };
    const flow = await links.startFlow(on, { person: { name: '张三', idNumber: '310101199003071230', mobile: '13800138000' } }, { idempotencyKey: 'start', returnUrl: 'http://localhost/sign/x' });
    expect((await links.advanceFlow(on, flow.id, { kind: 'sms_code', code: '123456' }, { idempotencyKey: 'code' })).bound).toBe(true);

    // Then someone edits the contract's data: another name and ID number for the same signer.
    const edited = signer({ name: '张三丰', idNumber: '11010519491231002X' });
    const [version] = await applySignature({ contractId: 'c-edit', signer: edited, documents: [document], signingTime: new Date().toISOString() });
    const pdf = Buffer.from((await store.documents.get(version.sha256))!.content);
    const [leaf] = signerSubjects(pdf).filter((s) => s.includes('description = identity verified'));
    expect(leaf).toContain(`CN = ${opensslEscaped('张三')},`);
    expect(leaf).not.toContain(opensslEscaped('张三丰'));
    const record = await store.identities.signerRecord('c-edit', 'zhang');
    expect(leaf).toContain(`serialNumber = ${record!.subject.idNumberHmac},`);
    expect(leaf).toMatch(/level=telecom method=person\.telecom provider=local at=\S+ record=idr_/);
  });

  it('refuses a certificate to a signer whose level was not verified, and signs nothing', { timeout: 30_000 }, async () => {
    const failure = await applySignature({ contractId: 'c-none', signer: signer({ id: 'li', name: '李四' }), documents: [document], signingTime: new Date().toISOString() })
.catch((error) => error);
    expect(failure).toMatchObject({ type: 'identity_not_verified', nonRetryable: true });
    expect(await signing.vault.hasKey('signer:c-none:li')).toBe(false);
  });

  it('names an unverified signer of a flow that asks no level by name only, marked unverified, without the ID number the contract claims', { timeout: 30_000 }, async () => {
    const [version] = await applySignature({ contractId: 'c-plain', signer: signer({ id: 'wang', name: '王五', identity: null }), documents: [document], signingTime: new Date().toISOString() });
    const [leaf] = signerSubjects(Buffer.from((await store.documents.get(version.sha256))!.content)).filter((s) => s.includes('identity not verified'));
    expect(leaf).toContain(`CN = ${opensslEscaped('王五')},`);
    expect(leaf).not.toContain('serialNumber');
  });
});
