// The people a contract on the example flow needs from approval to signature, and the admin's
// downloads of what it produced: shared by the tests that take a contract through the hub.
import { expect } from 'vitest';
import { exampleOrder, type TestHub } from './hub';
import { codeFor, linkFor, readAll, signerCall } from './signing';

export interface SigningPeople {
  manager: { id: string; token: string };
  finance: { id: string; token: string };
  /** On the list of the company seal the flow names for the buyer: only such users may use it. */
  sealKeeper: { id: string; token: string };
}

/** The example flow's two approvers (王经理, 赵总监) and the keeper of the buyer's company seal (钱印章). */
export async function signingPeople(hub: TestHub): Promise<SigningPeople> {
  const manager = await hub.user('王经理', ['dept-manager']);
  const finance = await hub.user('赵总监', ['finance-director']);
  const sealKeeper = await hub.user('钱印章', []);
  expect((await hub.call('PUT', '/api/seals/contract-seal', { company: exampleOrder().data.buyer.name, users: [sealKeeper.id] })).status).toBe(201);
  return { manager, finance, sealKeeper };
}

/**
 * Both parties of an approved example contract sign: the buyer with the company seal (as its keeper), the supplier
 * over its link with the OTP sent to `supplierMobile`, after reading every document. Returns the completed contract.
 */
export async function signedByBoth(hub: TestHub, people: SigningPeople, id: string, supplierMobile: string): ReturnType<TestHub['waitFor']> {
  const buyerLink = await linkFor(hub, id, 'signer:buyer');
  expect((await hub.call('POST', `/api/sign/${buyerLink}`, { read: true }, people.sealKeeper.token)).body).toMatchObject({ status: 'signed' });
  const supplierLink = await linkFor(hub, id, supplierMobile);
  await readAll(hub, supplierLink);
  await signerCall(hub, supplierLink, '/otp', {});
  expect((await signerCall(hub, supplierLink, '', { read: true, otp: await codeFor(hub, id, supplierMobile) })).body.status).toBe('signed');
  return hub.waitFor(id, (c) => c.status === 'completed', 90_000);
}

/** A GET as the admin; once more if the kept-alive connection was closed by the server meanwhile (a long pyHanko run). */
export function adminGet(hub: TestHub, path: string): Promise<Response> {
  const call = () => fetch(hub.url + path, { headers: { authorization: `Bearer ${hub.adminToken}` } });
  return call().catch(call);
}

/** A file the hub serves (a document, an evidence report), as the admin; it must be there. */
export async function adminDownload(hub: TestHub, path: string): Promise<Buffer> {
  const response = await adminGet(hub, path);
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

/** Ends the workflows a test left running (a contract sleeping until its expiry reminder, a renewal), then the hub. */
export async function closeHub(hub: TestHub | undefined, workflowIds: readonly string[]): Promise<void> {
  for (const id of workflowIds) await hub?.client.workflow.getHandle(id).terminate('test over').catch(() => {});
  await hub?.close();
}
