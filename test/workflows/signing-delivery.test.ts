// Invitations, codes and signed copies as the parties really get them: over SMTP to a
// mail server and through the SMS webhook to a gateway, both real servers on loopback.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FlowDefinition } from '../../flows';
import { readMail, type LocalSmsGateway, type LocalSmtpServer } from '../notify/support';
import { exampleFlow, exampleOrder, startDeliveringHub, type TestHub } from '../support/hub';
import { approvedContract, linkFor, linkIn } from '../support/signing';

let hub: TestHub;
let smtp: LocalSmtpServer;
let sms: LocalSmsGateway;
let delivering: Awaited<ReturnType<typeof startDeliveringHub>> | undefined;

beforeAll(async () => {
  delivering = await startDeliveringHub();
  ({ hub, smtp, sms } = delivering);
});
afterAll(async () => {
  await delivering?.close();
});


it('mails the supplier their link, texts them the code, and mails every party the signed copies', { timeout: 180_000 }, async () => {
  const base = exampleFlow();
  await hub.publish({ ...base, signers: base.signers!.map(({ seal: _seal, ...signer }) => signer) } as FlowDefinition);
  const manager = await hub.user('王经理', ['dept-manager']);
  const finance = await hub.user('赵总监', ['finance-director']);
  const order = exampleOrder();
  const data = { ...order.data, supplier: { ...order.data.supplier, isNew: false } };
  const started = { id: await approvedContract(hub, { manager, finance }, { ...order, data }) };

  const buyerLink = await linkFor(hub, started.id, 'signer:buyer');
  await hub.call('POST', `/api/sign/${buyerLink}`, { read: true }, null);

  // the invitation, by mail and by SMS, with the same personal link
  await expect.poll(() => smtp.mails.length, { timeout: 30_000 }).toBeGreaterThan(0);
  const invitation = smtp.mails.find((m) => m.recipients.includes(data.supplier.email))!;
  const mail = readMail(invitation.raw);
  // the title and the deadline (7 days on), as an HTML email with a plain-text part
  expect(mail.subject).toMatch(/^请于\d{1,2}月\d{1,2}日前签署：采购合同 4500000001$/);
  expect(mail.html).toContain('采购合同 4500000001');
  const link = linkIn(mail.text)!;
  expect(link).toBeTruthy();
  await expect.poll(() => sms.requests.length).toBeGreaterThan(0);
  const texted = JSON.parse(sms.requests[0].body);
  expect(texted.to).toBe(data.supplier.mobile);
  expect([...texted.text].length).toBeLessThanOrEqual(70);
  // the SMS carries a shorter link to the same signer's page
  const textedLink = linkIn(texted.text)!;
  expect((await hub.call('GET', `/api/sign/${textedLink}`, undefined, null)).body.signer.id).toBe('supplier');

  const session = (await hub.call('GET', `/api/sign/${link}`, undefined, null)).body;
  for (const doc of session.documents) for (let page = 1; page <= doc.pages; page++) await hub.call('POST', `/api/sign/${link}/read`, { document: doc.id, page }, null);
  await hub.call('POST', `/api/sign/${link}/otp`, {}, null);
  await expect.poll(() => sms.requests.length).toBe(2);
  const code = /验证码 (\d{6})/.exec(JSON.parse(sms.requests[1].body).text)![1];
  expect((await hub.call('POST', `/api/sign/${link}`, { read: true, otp: code }, null)).status).toBe(200);

  const done = await hub.waitFor(started.id, (c) => c.status === 'completed', 60_000);
  await expect.poll(() => smtp.mails.filter((m) => readMail(m.raw).subject.includes('已完成签署')).length, { timeout: 30_000 }).toBe(1);
  const copies = readMail(smtp.mails.find((m) => readMail(m.raw).subject.includes('已完成签署'))!.raw);
  expect(copies.attachments).toHaveLength(1);
  const finalPdf = Buffer.from(await (await fetch(`${hub.url}/api/contracts/${done.id}/documents/contract.pdf`, { headers: { authorization: `Bearer ${hub.adminToken}` } })).arrayBuffer());
  expect(copies.attachments[0].content.equals(finalPdf)).toBe(true);
});
