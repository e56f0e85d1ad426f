// A contract carried through signing over HTTP by tests whose hub runs as processes
// (`npm start`, `sealflow server|worker`): the example flow with link-only signers, its two
// approvers, each step waited for and taken, each signer's link read from the dev outbox and
// used, and the signed PDF read by pdfsig. The waits are long: after a kill -9, an activity the
// dead worker had started is retried only once its start-to-close timeout (a minute) has passed.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { FlowDefinition } from '../../flows';
import { exampleFlow } from './hub';
import type { httpClient } from './hub-process';
import { linkIn } from './signing';

/** JSON over HTTP to one server of the hub, as the admin unless a token is given (see httpClient). */
export type Call = ReturnType<typeof httpClient>;

export interface Patience {
  /** How long a wait may take; default 90 s. */
  timeoutMs?: number;
  /** What a timed-out wait adds to its message, e.g. the processes' output. */
  detail?: () => string;
}

/** The example flow, its one contract signed by each signer over their link (no seal, SMS code, reading rule or contact): the shortest complete path. */
export function linkOnlyFlow(): FlowDefinition {
  const base = exampleFlow();
  return {
    ...base,
    documents: [base.documents![0]],
    signers: base.signers!.map(({ seal: _seal, verify: _verify, mustRead: _mustRead, contact: _contact, ...signer }) => ({ ...signer, documents: ['contract'] })),
  };
}

export interface Approvers {
  manager: { token: string };
  finance: { token: string };
}

/** Creates linkOnlyFlow and its manager at `first`, publishes it and creates the finance director at `second` (the same server or another). */
export async function publishLinkOnlyFlow(first: Call, second: Call = first): Promise<Approvers> {
  const flow = linkOnlyFlow();
  expect((await first('POST', '/api/flows', flow)).status).toBe(201);
  expect((await second('POST', `/api/flows/${flow.key}/publish`)).status).toBe(200);
  const manager = (await first('POST', '/api/users', { name: '王经理', roles: ['dept-manager'] })).body;
  const finance = (await second('POST', '/api/users', { name: '赵总监', roles: ['finance-director'] })).body;
  return { manager, finance };
}

/** Reads until `ok` holds, every 200 ms; throws naming `what` (and the last value read) when it never does. */
export async function until<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, patience: Patience = {}): Promise<T> {
  const timeoutMs = patience.timeoutMs ?? 90_000;
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} never happened in ${timeoutMs / 1000} s; last: ${JSON.stringify(last)}${patience.detail ? `\n${patience.detail()}` : ''}`);
}

/** The contract as this server reads it, once `ok` holds. */
export const contractWhen = (call: Call, id: string, ok: (contract: any) => boolean, what: string, patience?: Patience) =>
  until(`contract ${id}: ${what}`, async () => (await call('GET', `/api/contracts/${id}`)).body, ok, patience);

/** The approver approves the contract's pending step at this server. */
export async function approve(call: Call, id: string, approver: { token: string }): Promise<void> {
  expect((await call('POST', `/api/contracts/${id}/approvals`, { decision: 'approve' }, approver.token)).status).toBe(200);
}

/** Waits at this server for approval step `step` (from 0) to be pending, then the approver approves it there. */
export async function approveStep(call: Call, id: string, step: number, approver: { token: string }, patience?: Patience): Promise<void> {
  await contractWhen(call, id, (c) => c.steps?.[step]?.status === 'pending', `approval step ${step + 1} pending`, patience);
  await approve(call, id, approver);
}

/** The signing link the hub sent this signer (signer:<id> in the dev outbox), as the signer finds it in their mail. */
export const signingLink = (call: Call, id: string, signer: string, patience?: Patience): Promise<string> =>
  until(`contract ${id}: ${signer}'s link`, async () => (await call('GET', `/api/outbox?contractId=${id}&to=signer:${signer}`)).body.items.map((m: any) => linkIn(m.body)).find(Boolean) as string | undefined, Boolean, patience) as Promise<string>;

/** The signer signs over their link at this server; answers the link, to try again later. */
export async function signByLink(call: Call, id: string, signer: string, patience?: Patience): Promise<string> {
  const link = await signingLink(call, id, signer, patience);
  expect((await call('POST', `/api/sign/${link}`, { read: true }, null)).status).toBe(200);
  return link;
}

/**
 * The whole way of one contract through linkOnlyFlow: started at `here`, each later step at the
 * other server in turn (pass one server twice for a single hub), until the contract is completed.
 */
export async function carryContract([here, there]: [Call, Call], order: { flow: string; sourceKey: string; data: unknown }, approvers: Approvers, patience?: Patience): Promise<string> {
  const response = await here('POST', '/api/contracts', order);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  const id: string = response.body.id;
  await approveStep(there, id, 0, approvers.manager, patience);
  await approveStep(here, id, 1, approvers.finance, patience);
  await signByLink(there, id, 'buyer', patience);
  await signByLink(here, id, 'supplier', patience);
  await contractWhen(there, id, (c) => c.status === 'completed', 'completed', patience);
  return id;
}

/** The signature fields pdfsig finds in a signed PDF (written to `dir`), and how many of its signatures it finds valid. */
export function pdfsigReport(pdf: Buffer, dir: string): { fields: string[]; valid: number } {
  const file = join(dir, 'signed.pdf');
  writeFileSync(file, pdf);
  let report = '';
  try {
    report = execFileSync('pdfsig', ['-nocert', file], { encoding: 'utf8' });
  } catch (error) {
    // pdfsig exits non-zero when a signature does not check out; its report says which.
    report = String((error as { stdout?: string }).stdout);
  }
  return { fields: [...report.matchAll(/Signature Field Name: (\S+)/g)].map((m) => m[1]), valid: report.match(/Signature is Valid/g)?.length ?? 0 };
}
