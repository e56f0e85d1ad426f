// What a test needs to play the people around a contract: approvers who approve, signers
// who find their link and code in the dev outbox (as they would in their mail and SMS),
// and a signer's calls over their personal link.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { TestHub } from './hub';

/** A signing link's token in a message: 43 characters by email and in-app, 16 in an SMS. */
export const linkIn = (text: string) => /\/sign\/([A-Za-z0-9_-]{16,})/.exec(text)?.[1] ?? null;

/** The signing link sent to `to` (an email, a mobile, or signer:<id>) about this contract. */
export async function linkFor(hub: TestHub, contractId: string, to: string): Promise<string> {
  let token: string | null = null;
  await expect
    .poll(async () => {
      const { body } = await hub.call('GET', `/api/outbox?contractId=${contractId}&to=${encodeURIComponent(to)}`);
      token = body.items.map((m: any) => linkIn(m.body)).find(Boolean) ?? null;
      return token;
    }, { timeout: 30_000 })
    .toBeTruthy();
  return token!;
}

/** The newest signing code texted to this mobile about this contract. */
export async function codeFor(hub: TestHub, contractId: string, mobile: string): Promise<string> {
  const { body } = await hub.call('GET', `/api/outbox?contractId=${contractId}&to=${mobile}`);
  const sms = body.items.find((m: any) => m.subject === '签署验证码');
  return /验证码 (\d{6})/.exec(sms.body)![1];
}

/** A signer's call over their link (GET without a body), with a user's token when they sign with a seal. */
export const signerCall = (hub: TestHub, token: string, path = '', body?: unknown, userToken: string | null = null) =>
  hub.call(body === undefined && path === '' ? 'GET' : 'POST', `/api/sign/${token}${path}`, body, userToken);

/** Scrolls through every page of every document of the link, as the signer page reports it. */
export async function readAll(hub: TestHub, token: string) {
  const session = (await signerCall(hub, token)).body;
  let last: any;
  for (const doc of session.documents) for (let page = 1; page <= doc.pages; page++) last = (await signerCall(hub, token, '/read', { document: doc.id, page })).body;
  return last;
}

/** Starts the order and has the manager (and finance, for a second step) approve it; resolves once signing began. */
export async function approvedContract(hub: TestHub, approvers: { manager: { token: string }; finance: { token: string } }, order: { flow: string; sourceKey?: string; data: unknown }): Promise<string> {
  const started = await hub.call('POST', '/api/contracts', order);
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  const id = started.body.id;
  await hub.waitFor(id, (c) => c.steps[0].status === 'pending');
  await hub.call('POST', `/api/contracts/${id}/approvals`, { decision: 'approve' }, approvers.manager.token);
  if (started.body.steps.length > 1) {
    await hub.waitFor(id, (c) => c.steps[1].status === 'pending');
    await hub.call('POST', `/api/contracts/${id}/approvals`, { decision: 'approve' }, approvers.finance.token);
  }
  await hub.waitFor(id, (c) => c.status === 'signing', 60_000);
  return id;
}

/** How openssl prints a UTF-8 name by default: each byte above 0x7f as \XX. */
export const opensslEscaped = (text: string) => [...Buffer.from(text, 'utf8')].map((b) => `\\${b.toString(16).toUpperCase()}`).join('');

/** The subject lines of the certificates in a signed PDF's signatures, as openssl prints them. */
export function signerSubjects(pdf: Buffer): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'identity-cert-'));
  try {
    const subjects: string[] = [];
    for (const [index, [, hex]] of [...pdf.toString('latin1').matchAll(/\/Contents\s*<([0-9A-Fa-f]+)>/g)].entries()) {
      const der = Buffer.from(hex, 'hex');
      // A CMS SignedData (SEQUENCE, two length bytes); the padding after it is not DER.
      if (der[0] !== 0x30 || der[1] !== 0x82) continue;
      const file = join(dir, `${index}.p7`);
      writeFileSync(file, der.subarray(0, 4 + der.readUInt16BE(2)));
      const printed = execFileSync('openssl', ['pkcs7', '-inform', 'DER', '-in', file, '-print_certs', '-noout'], { encoding: 'utf8' });
      subjects.push(...printed.split('\n').filter((line) => line.startsWith('subject=')));
    }
    return subjects;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
