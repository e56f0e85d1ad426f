import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config';
import { createDeliveryLog, createNotifier, createNotifierFromSettings, createOutboxNotifier, createWebhookSmsProvider, maskEmail, maskMobile, maskSecrets, type Message } from '../../notify';
import type { Store } from '../../store';
import { openTestStore } from '../support/databases';
import { readMail, startSmsGateway, startSmtpServer, type LocalSmsGateway, type LocalSmtpServer } from './support';

const email: Message = { channel: 'email', to: 'supplier@example.com', subject: '请签署合同', body: '打开 https://x/sign/abc', contractId: 'c-1' };
const sms: Message = { channel: 'sms', to: '+8613800138000', subject: '验证码', body: '验证码 123456', contractId: 'c-1' };
const inbox: Message = { channel: 'inbox', to: 'u_42', subject: '待审批: 采购合同', body: '请审批', contractId: 'c-1' };

describe('notifier and the dev outbox', () => {
  let store: Store;
  let smtp: LocalSmtpServer;
  let gateway: LocalSmsGateway;

  beforeAll(async () => {
    [smtp, gateway] = await Promise.all([startSmtpServer(), startSmsGateway()]);
  });
  afterAll(async () => {
    await Promise.all([smtp.stop(), gateway.close()]);
  });
  beforeEach(async () => {
    smtp.mails.length = 0;
    gateway.requests.length = 0;
    store = await openTestStore('sqlite');
  });
  afterEach(async () => {
    await store.close();
  });

  it('in the embedded default (outbox only) every channel lands in the outbox, once per key', async () => {
    const notifier = createOutboxNotifier(store);
    const attachment = { filename: 'contract.pdf', content: new Uint8Array([0x25, 0x50, 0x44, 0x46]), contentType: 'application/pdf' };
    await notifier.send({ ...email, attachments: [attachment, { ...attachment, filename: 'nda.pdf' }] }, 'k-email');
    await notifier.send(sms, 'k-sms');
    await notifier.send(inbox, 'k-inbox');
    await notifier.send({ ...inbox, subject: 'again' }, 'k-inbox');
    const outbox = await store.outbox.list();
    expect(outbox.map(({ channel, to, subject }) => ({ channel, to, subject }))).toEqual([
      { channel: 'inbox', to: 'u_42', subject: '待审批: 采购合同' },
      { channel: 'sms', to: '+8613800138000', subject: '验证码' },
      { channel: 'email', to: 'supplier@example.com', subject: '请签署合同' },
    ]);
    expect(outbox[2].body).toBe('打开 https://x/sign/abc\n\n附件: contract.pdf, nda.pdf');
  });

  it('with transports and the outbox, a message is both recorded and delivered', async () => {
    const notifier = createNotifier({ store, outbox: true, email: { url: smtp.url }, sms: null });
    await notifier.send(email, 'k-email');
    await notifier.send(sms, 'k-sms');
    expect(smtp.mails).toHaveLength(1);
    expect(await store.outbox.list()).toHaveLength(2);
  });

  it('with the outbox off, email and SMS only go out on their channel; in-app messages still live in the outbox', async () => {
    const notifier = createNotifier({ store, outbox: false, email: { url: smtp.url }, sms: createWebhookSmsProvider({ url: gateway.url }) });
    await notifier.send(email, 'k-email');
    await notifier.send(sms, 'k-sms');
    await notifier.send(inbox, 'k-inbox');
    expect(smtp.mails).toHaveLength(1);
    expect(gateway.requests).toHaveLength(1);
    expect((await store.outbox.list()).map((message) => message.channel)).toEqual(['inbox']);
  });

  it('refuses a message that would go nowhere (no transport, outbox off)', async () => {
    const notifier = createNotifier({ store, outbox: false });
    await expect(notifier.send(email, 'k')).rejects.toMatchObject({ code: 'no_transport', retryable: false, message: expect.stringMatching(/no SMTP server is configured/) });
    await expect(notifier.send(sms, 'k2')).rejects.toMatchObject({ code: 'no_transport', message: expect.stringMatching(/no SMS provider is configured/) });
  });

  it('shares one delivery log between notifiers, so a second notifier in the process does not resend', async () => {
    const deliveries = createDeliveryLog();
    await createNotifier({ store, outbox: false, email: { url: smtp.url }, deliveries }).send(email, 'shared');
    await createNotifier({ store, outbox: false, email: { url: smtp.url }, deliveries }).send(email, 'shared');
    expect(smtp.mails).toHaveLength(1);
    expect(await deliveries.has('email:shared')).toBe(true);
  });

  it('builds the configured notifier from SealflowConfig.notify', async () => {
    const config = loadConfig({ SEALFLOW_SMTP_URL: smtp.url, SEALFLOW_MAIL_FROM: '合同中心 <contracts@corp.example>', SEALFLOW_SMS_WEBHOOK_URL: gateway.url, SEALFLOW_SMS_WEBHOOK_TOKEN: 'tok' });
    const notifier = createNotifierFromSettings({ store, settings: config.notify, outbox: true });
    await notifier.send(email, 'k-email');
    await notifier.send(sms, 'k-sms');
    notifier.close();
    expect(smtp.mails[0].from).toBe('contracts@corp.example');
    expect(readMail(smtp.mails[0].raw).subject).toBe('请签署合同');
    expect(gateway.requests[0].headers.authorization).toBe('Bearer tok');
    expect(await store.outbox.list()).toHaveLength(2);
  });
});

describe('masking where a code went', () => {
  it('masks mobile numbers, keeping the head and the last four digits', () => {
    expect(maskMobile('13800138000')).toBe('138****8000');
    expect(maskMobile('138 0013 8000')).toBe('138****8000');
    expect(maskMobile('+8613800138000')).toBe('+86138****8000');
    expect(maskMobile('+14155550123')).toBe('+141****0123');
    expect(maskMobile('12345')).toBe('*****');
  });

  it('masks email addresses, keeping a third of the name at most and the domain', () => {
    expect(maskEmail('zhangsan@example.com')).toBe('zha***@example.com');
    expect(maskEmail('li@example.com')).toBe('l***@example.com');
    expect(maskEmail('a@example.com')).toBe('***@example.com');
    expect(maskEmail('not-an-address')).toBe('***');
  });

  it('masks the link tokens of emails (43 characters) and SMS (16) and the code in what the outbox keeps of a message that went out', () => {
    const text = '签署链接 https://s.example/sign/6fVv0YQ2m9x1Zr8y3tKpLq7wN4sB5cD2eF0gH1iJ2kA ；短信 https://s.example/sign/6fVv0YQ2m9x1Zr8y 验证码 482913';
    expect(maskSecrets(text)).toBe('签署链接 https://s.example/sign/6fVv****** ；短信 https://s.example/sign/6fVv****** 验证码 ******');
  });
});
