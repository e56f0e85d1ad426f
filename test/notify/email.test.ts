import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createNotifier, messageIdFor, NotifyError, type Message } from '../../notify';
import type { Store } from '../../store';
import { openTestStore } from '../support/databases';
import { readMail, startSmtpServer, type LocalSmtpServer } from './support';

// Every byte value, so an encoding that loses or rewrites bytes shows.
const pdf = new Uint8Array([...Buffer.from('%PDF-1.7\n%âãÏÓ\n', 'latin1'), ...Array.from({ length: 256 }, (_, i) => i), ...Buffer.from('\n%%EOF\n')]);

const invitation: Message = {
  channel: 'email',
  to: 'supplier@example.com',
  subject: '请签署：供应商采购合同 PO-4500012345（第二版），截止日期二〇二五年十二月三十一日',
  body: '张三，您好：\n\n深圳市华强电子有限公司邀请您签署《供应商采购合同》。\n请打开 https://sealflow.example.com/sign/abc123 完成签署。\n\n— Sealflow',
  html: '<p>张三，您好：</p><p><a href="https://sealflow.example.com/sign/abc123">签署合同</a></p>',
  contractId: 'c-1',
  attachments: [{ filename: '采购合同.pdf', content: pdf, contentType: 'application/pdf' }],
};

describe('email over SMTP', () => {
  let smtp: LocalSmtpServer;
  let store: Store;

  beforeAll(async () => {
    smtp = await startSmtpServer({ unknownMailboxes: ['nobody@example.com'] });
  });
  afterAll(async () => {
    await smtp.stop();
  });
  beforeEach(async () => {
    smtp.mails.length = 0;
    store = await openTestStore('sqlite');
  });
  afterEach(async () => {
    await store.close();
  });

  it('delivers a Chinese subject and body, the HTML part and a PDF attachment intact', async () => {
    const notifier = createNotifier({ store, outbox: true, email: { url: smtp.url, from: 'Sealflow 合同 <contracts@sealflow.example.com>' } });
    await notifier.send(invitation, 'c-1:invite:supplier');

    expect(smtp.mails).toHaveLength(1);
    const [received] = smtp.mails;
    expect(received.recipients).toEqual(['supplier@example.com']);
    expect(received.from).toBe('contracts@sealflow.example.com');
    // Nothing but 7-bit ASCII on the wire: the Chinese text travels encoded.
    expect(received.raw.every((byte) => byte < 0x80)).toBe(true);

    const mail = readMail(received.raw);
    expect(mail.subject).toBe(invitation.subject);
    expect(mail.text.replace(/\r\n/g, '\n')).toBe(invitation.body);
    expect(mail.html).toBe(invitation.html);
    expect(mail.headers.get('to')).toBe('supplier@example.com');
    expect(mail.headers.get('message-id')).toBe(messageIdFor('c-1:invite:supplier'));
    expect(mail.headers.get('message-id')).toMatch(/^<[0-9a-f]{32}@sealflow>$/);
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0].filename).toBe('采购合同.pdf');
    expect(mail.attachments[0].contentType).toBe('application/pdf');
    expect(new Uint8Array(mail.attachments[0].content)).toEqual(pdf);

    // The outbox keeps the message and the attachment's name, never its bytes.
    const [row] = await store.outbox.list();
    expect(row).toMatchObject({ channel: 'email', to: 'supplier@example.com', subject: invitation.subject, contractId: 'c-1' });
    expect(row.body).toBe(`${invitation.body}\n\n附件: 采购合同.pdf`);
  });

  it('sends one email for the same idempotency key, also when the sends overlap', async () => {
    const notifier = createNotifier({ store, outbox: true, email: { url: smtp.url } });
    await notifier.send(invitation, 'key-1');
    await notifier.send({ ...invitation, subject: 'retry' }, 'key-1');
    await Promise.all([1, 2, 3].map(() => notifier.send(invitation, 'key-2')));
    expect(smtp.mails).toHaveLength(2);
    expect(smtp.mails.map((mail) => readMail(mail.raw).headers.get('message-id'))).toEqual([messageIdFor('key-1'), messageIdFor('key-2')]);
    expect(readMail(smtp.mails[0].raw).headers.get('from')).toBe('Sealflow <no-reply@sealflow.local>');
    expect(await store.outbox.list()).toHaveLength(2);
  });

  it('rejects with a clear, retryable error while the SMTP server is down, and delivers once on the retry after it is back', async () => {
    const notifier = createNotifier({ store, outbox: true, email: { url: smtp.url } });
    await smtp.stop();
    try {
      const failure = await notifier.send(invitation, 'c-1:invite:down').then(() => null, (error: unknown) => error);
      expect(failure).toBeInstanceOf(NotifyError);
      expect(failure).toMatchObject({ code: 'email_failed', retryable: true });
      expect((failure as Error).message).toMatch(new RegExp(`^sending email to sup\\*\\*\\*@example\\.com through SMTP 127\\.0\\.0\\.1:${smtp.port} failed: .*ECONNREFUSED`));
    } finally {
      await smtp.start();
    }
    await notifier.send(invitation, 'c-1:invite:down');
    await notifier.send(invitation, 'c-1:invite:down');
    expect(smtp.mails).toHaveLength(1);
    expect(await store.outbox.list()).toHaveLength(1);
  });

  it('gives up at once on a permanent 5xx answer and names the reply code', async () => {
    const notifier = createNotifier({ store, outbox: false, email: { url: smtp.url } });
    const failure = await notifier.send({ ...invitation, to: 'nobody@example.com' }, 'k').then(() => null, (error: unknown) => error);
    expect(failure).toMatchObject({ name: 'NotifyError', code: 'email_failed', retryable: false, status: 550 });
    expect((failure as Error).message).toMatch(/^sending email to no\*\*\*@example\.com through SMTP .* failed: EENVELOPE 550 /);
    expect((failure as Error).message).not.toContain('nobody@example.com');
    expect(smtp.mails).toHaveLength(0);
  });

  it('times out against a server that accepts the connection but never greets', async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as AddressInfo).port;
      const notifier = createNotifier({ store, outbox: false, email: { url: `smtp://127.0.0.1:${port}`, timeoutMs: 300 } });
      const started = Date.now();
      await expect(notifier.send(invitation, 'k')).rejects.toMatchObject({ code: 'email_failed', retryable: true, message: expect.stringMatching(/ETIMEDOUT|[Tt]imeout/) });
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('logs in with the credentials of the SMTP URL, percent-decoded, and never shows the password in errors', async () => {
    const guarded = await startSmtpServer({ auth: { user: 'mailer@corp', pass: 'p:ss/w@rd 密码' } });
    try {
      const good = createNotifier({ store, outbox: false, email: { url: `smtp://${encodeURIComponent('mailer@corp')}:${encodeURIComponent('p:ss/w@rd 密码')}@127.0.0.1:${guarded.port}` } });
      await good.send(invitation, 'auth-ok');
      expect(guarded.mails).toHaveLength(1);

      const bad = createNotifier({ store, outbox: false, email: { url: `smtp://mailer%40corp:wrong-secret@127.0.0.1:${guarded.port}` } });
      const failure = (await bad.send(invitation, 'auth-bad').then(() => null, (error: unknown) => error)) as NotifyError;
      expect(failure).toMatchObject({ code: 'email_failed', retryable: true, status: 535 });
      expect(failure.message).toMatch(/EAUTH/);
      expect(failure.message).not.toContain('wrong-secret');
    } finally {
      await guarded.stop();
    }
  });

  it('refuses a recipient that is not one email address before recording or sending anything', async () => {
    const notifier = createNotifier({ store, outbox: true, email: { url: smtp.url } });
    for (const to of ['not-an-address', 'a@example.com, b@example.com', 'a@example.com\r\nBcc: x@example.com', '']) {
      await expect(notifier.send({ ...invitation, to }, `bad:${to}`)).rejects.toMatchObject({ code: 'invalid_recipient', retryable: false });
    }
    expect(smtp.mails).toHaveLength(0);
    expect(await store.outbox.list()).toHaveLength(0);
  });

  it('refuses an SMTP URL that is not smtp:// or smtps://', () => {
    expect(() => createNotifier({ store, outbox: true, email: { url: 'http://mail.example.com' } })).toThrow(/SMTP URL must start with smtp:\/\/ or smtps:\/\//);
  });
});
