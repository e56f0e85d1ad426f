// Issue #14: a supplier's first contact with Sealflow reads like a product. A flow that sets no
// title still names its contract by flow and source key, in the invitation's subject, its HTML
// and text parts, the SMS and the signer's page; never by id. Links without a deadline live
// 30 days and the invitation says until when; a cancellation reaches the invited signer too.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FlowDefinition } from '../../flows';
import { readMail, type LocalSmsGateway, type LocalSmtpServer } from '../notify/support';
import { exampleFlow, exampleOrder, startDeliveringHub, type TestHub } from '../support/hub';
import { approvedContract, linkFor, linkIn, readAll, signerCall } from '../support/signing';

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

/** The example flow as a new user writes it: no titles anywhere, no deadline, both parties invited at once. */
function untitledFlow(): FlowDefinition {
  const { title: _title, signing: _signing, ...base } = exampleFlow();
  return {
    ...base,
    key: 'tech-service',
    name: '技术服务协议',
    documents: base.documents!.map(({ title: _docTitle, ...doc }) => doc),
    signers: base.signers!.map(({ seal: _seal, ...signer }) => ({ ...signer, order: 1 })),
  } as FlowDefinition;
}

const chinaDate = (ms: number) => {
  const d = new Date(ms + 8 * 3600_000);
  return `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日`;
};

it('names a contract without a title by its flow and source key in the invitation (HTML and text), the SMS and the signer page; its link lives 30 days and says so', { timeout: 180_000 }, async () => {
  await hub.publish(untitledFlow());
  const manager = await hub.user('王经理', ['dept-manager']);
  const finance = await hub.user('赵总监', ['finance-director']);
  const order = exampleOrder();
  const data = { ...order.data, supplier: { ...order.data.supplier, isNew: true } };
  const startedAt = Date.now();
  const id = await approvedContract(hub, { manager, finance }, { flow: 'tech-service', sourceKey: 'PO 4500000001', data });
  const name = '技术服务协议 · PO 4500000001';
  expect((await hub.call('GET', `/api/contracts/${id}`)).body.title).toBe(name);

  await expect.poll(() => smtp.mails.filter((m) => m.recipients.includes(data.supplier.email)).length, { timeout: 30_000 }).toBe(1);
  const mail = readMail(smtp.mails.find((m) => m.recipients.includes(data.supplier.email))!.raw);
  expect(mail.subject).toContain(name);
  expect(mail.subject).not.toContain('ct_');
  expect(mail.html).toBeTruthy();
  expect(mail.text).toBeTruthy();
  for (const part of [mail.text, mail.html!]) {
    expect(part).toContain(name);
    expect(part).not.toContain(id);
    expect(part).not.toContain('null');
    // the documents by their templates' names, with page counts
    expect(part).toContain('采购合同');
    expect(part).toContain('保密协议');
    expect(part).toMatch(/\d+ 页/);
    // who sends it: the other company
    expect(part).toContain(order.data.buyer.name);
  }
  // Without a deadline the link lives 30 days (not a year), and the invitation says until when.
  const linkToken = /\/sign\/([A-Za-z0-9_-]{43})/.exec(mail.text)![1];
  const link = (await hub.store.signerLinks.byToken(linkToken))!;
  const lifetimeDays = (Date.parse(link.expiresAt) - startedAt) / 86_400_000;
  expect(lifetimeDays).toBeGreaterThan(29.9);
  expect(lifetimeDays).toBeLessThan(30.1);
  expect(mail.text).toContain(chinaDate(Date.parse(link.expiresAt)));
  expect(mail.subject).toContain(`${new Date(Date.parse(link.expiresAt) + 8 * 3600_000).getUTCMonth() + 1}月`);

  // The SMS: one segment, the sender in 【】, a link that opens the same signer's page.
  await expect.poll(() => sms.requests.length, { timeout: 30_000 }).toBeGreaterThan(0);
  const texted = JSON.parse(sms.requests[0].body);
  expect(texted.to).toBe(data.supplier.mobile);
  expect([...texted.text].length).toBeLessThanOrEqual(70);
  expect(texted.text).toMatch(/^【[^】]+】/);
  expect(texted.text).not.toContain('ct_');
  const smsToken = /\/sign\/([A-Za-z0-9_-]+)$/.exec(texted.text)![1];
  for (const token of [linkToken, smsToken]) {
    const page = await hub.call('GET', `/api/sign/${token}`, undefined, null);
    expect(page.status).toBe(200);
    expect(page.body.signer.id).toBe('supplier');
    expect(page.body.contract.title).toBe(name);
    expect(page.body.documents.map((d: any) => d.title)).toEqual(['采购合同', '保密协议']);
  }

  // Cancelled while signing: the invited supplier hears it by email and SMS, by name.
  expect((await hub.call('POST', `/api/contracts/${id}/cancel`, { reason: '报价有误，重新下单' })).status).toBe(200);
  await expect.poll(() => smtp.mails.filter((m) => m.recipients.includes(data.supplier.email)).length, { timeout: 30_000 }).toBe(2);
  const notice = readMail(smtp.mails.filter((m) => m.recipients.includes(data.supplier.email))[1].raw);
  expect(notice.subject).toBe(`已取消：${name}`);
  expect(notice.text).toContain('报价有误，重新下单');
  expect(notice.html).toContain(name);
  await expect.poll(() => sms.requests.length, { timeout: 30_000 }).toBe(2);
  const cancelledSms = JSON.parse(sms.requests[1].body).text;
  expect(cancelledSms).toContain('已取消');
  expect([...cancelledSms].length).toBeLessThanOrEqual(70);
});

it('writes to an English signer in English: a nudge names the contract and its deadline, a decline reaches both parties by name', { timeout: 180_000 }, async () => {
  const base = untitledFlow();
  await hub.publish({
    ...base,
    key: 'tech-service-en',
    name: 'Technical services',
    signing: { deadline: 'P7D' },
    signers: base.signers!.map((signer) => (signer.id === 'supplier' ? { ...signer, locale: 'en' } : signer)),
  } as FlowDefinition);
  const manager = await hub.user('王经理', ['dept-manager']);
  const finance = await hub.user('赵总监', ['finance-director']);
  const order = exampleOrder();
  const data = { ...order.data, supplier: { ...order.data.supplier, email: 'en-supplier@example.com', mobile: '13900139000', isNew: false } };
  const id = await approvedContract(hub, { manager, finance }, { flow: 'tech-service-en', sourceKey: 'PO 7', data });
  const name = 'Technical services · PO 7';
  const contract = await hub.waitFor(id, (c) => c.signingDeadline !== null);
  const due = new Date(Date.parse(contract.signingDeadline) + 8 * 3600_000);
  const dueShort = `${due.getUTCDate()} ${['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][due.getUTCMonth()]}`;
  const mailsTo = () => smtp.mails.filter((m) => m.recipients.includes('en-supplier@example.com')).map((m) => readMail(m.raw));
  const textsTo = () => sms.requests.map((r) => JSON.parse(r.body)).filter((r) => r.to === '13900139000');

  await expect.poll(() => mailsTo().length, { timeout: 30_000 }).toBe(1);
  expect(mailsTo()[0].subject).toBe(`Please sign by ${dueShort}: ${name}`);
  expect((await hub.call('POST', `/api/contracts/${id}/nudge`, { signer: 'supplier' })).status).toBe(200);
  await expect.poll(() => mailsTo().length, { timeout: 30_000 }).toBe(2);
  const nudge = mailsTo()[1];
  expect(nudge.subject).toBe(`Please sign soon: ${name} (due ${dueShort})`);
  expect(nudge.text).toContain(`Dear ${data.supplier.name},`);
  expect(nudge.html).toContain('Sign now');
  await expect.poll(() => textsTo().length, { timeout: 30_000 }).toBe(2);
  for (const text of textsTo().map((t) => t.text as string)) {
    expect([...text].length).toBeLessThanOrEqual(70);
    expect(text).not.toContain('ct_');
  }

  const link = linkIn(mailsTo()[0].text)!;
  expect((await hub.call('POST', `/api/sign/${link}/decline`, { reason: 'wrong price' }, null)).status).toBe(200);
  await expect.poll(() => mailsTo().length, { timeout: 30_000 }).toBe(3);
  expect(mailsTo()[2].subject).toBe(`Declined: ${name}`);
  expect(mailsTo()[2].text).toContain('wrong price');
  // the buyer (no contact on record) reads it in Chinese in the hub
  let buyerNotice: any;
  await expect
    .poll(async () => (buyerNotice = (await hub.call('GET', `/api/outbox?contractId=${id}&to=signer:buyer`)).body.items.find((m: any) => m.subject.startsWith('已被拒签'))), { timeout: 30_000 })
    .toBeTruthy();
  expect(buyerNotice.subject).toBe(`已被拒签：${name}`);
  expect(buyerNotice.body).toContain('wrong price');
  expect(buyerNotice.body).not.toContain(id);
});

it('completes an untitled contract under its name: the completion notice, the copies and the evidence report name it and its documents', { timeout: 180_000 }, async () => {
  await hub.publish({ ...untitledFlow(), key: 'tech-service-done', name: '华东区域二〇二六年度办公设备及耗材集中采购框架协议' } as FlowDefinition);
  const manager = await hub.user('王经理', ['dept-manager']);
  const finance = await hub.user('赵总监', ['finance-director']);
  const order = exampleOrder();
  const data = { ...order.data, supplier: { ...order.data.supplier, email: 'done-supplier@example.com', mobile: '13700137000', isNew: false } };
  const id = await approvedContract(hub, { manager, finance }, { flow: 'tech-service-done', sourceKey: 'PO 9', data });
  const name = '华东区域二〇二六年度办公设备及耗材集中采购框架协议 · PO 9';

  await signerCall(hub, await linkFor(hub, id, 'signer:buyer'), '', { read: true });
  // Mail and SMS really go out here, so the outbox keeps their links masked: the supplier reads their mailbox.
  const mailsTo = () => smtp.mails.filter((m) => m.recipients.includes(data.supplier.email)).map((m) => readMail(m.raw));
  const textsTo = () => sms.requests.map((r) => JSON.parse(r.body)).filter((r) => r.to === data.supplier.mobile);
  await expect.poll(() => mailsTo().length, { timeout: 30_000 }).toBe(1);
  const link = linkIn(mailsTo()[0].text)!;
  await readAll(hub, link);
  await signerCall(hub, link, '/otp', {});
  await expect.poll(() => textsTo().length, { timeout: 30_000 }).toBe(2);
  // the code's SMS too: one segment, signed by the sender, the long title shortened
  const codeSms: string = textsTo()[1].text;
  expect([...codeSms].length).toBeLessThanOrEqual(70);
  expect(codeSms).toMatch(/^【上海启明智能制造有限公司】您正在签署《华东区域.*…》，验证码 \d{6}，/);
  const code = /验证码 (\d{6})/.exec(codeSms)![1];
  expect((await signerCall(hub, link, '', { read: true, otp: code })).body.status).toBe('signed');
  await hub.waitFor(id, (c) => c.status === 'completed', 60_000);

  await expect.poll(() => mailsTo().length, { timeout: 30_000 }).toBe(2);
  const done = mailsTo()[1];
  expect(done.subject).toBe(`已完成签署：${name}`);
  expect(done.html).toContain('下载签署副本');
  expect(done.attachments.map((a) => a.filename)).toEqual(['采购合同.pdf']);

  const response = await fetch(`${hub.url}/api/contracts/${id}/evidence.pdf`, { headers: { authorization: `Bearer ${hub.adminToken}` } });
  expect(response.status).toBe(200);
  const folder = mkdtempSync(join(tmpdir(), 'sealflow-evidence-'));
  try {
    const path = join(folder, 'evidence.pdf');
    writeFileSync(path, Buffer.from(await response.arrayBuffer()));
    const run = spawnSync('pdftotext', ['-enc', 'UTF-8', path, '-'], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const text = run.stdout.replace(/\s+/g, ' ');
    expect(text).toContain(name);
    expect(text).toContain('采购合同');
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
