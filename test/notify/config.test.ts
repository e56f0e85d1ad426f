import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config';

describe('notify settings in loadConfig', () => {
  it('defaults to no SMTP and no SMS, with the Sealflow sender', () => {
    expect(loadConfig({}).notify).toEqual({ smtpUrl: null, mailFrom: 'Sealflow <no-reply@sealflow.local>', smsWebhookUrl: null, smsWebhookToken: null });
  });

  it('reads SMTP, sender and SMS webhook settings', () => {
    const config = loadConfig({
      SEALFLOW_SMTP_URL: 'smtps://mailer:s3cret@mail.example.com:465',
      SEALFLOW_MAIL_FROM: '合同中心 <contracts@example.com>',
      SEALFLOW_SMS_WEBHOOK_URL: 'https://sms.example.com/send',
      SEALFLOW_SMS_WEBHOOK_TOKEN: 'abc123',
    });
    expect(config.notify).toEqual({
      smtpUrl: 'smtps://mailer:s3cret@mail.example.com:465',
      mailFrom: '合同中心 <contracts@example.com>',
      smsWebhookUrl: 'https://sms.example.com/send',
      smsWebhookToken: 'abc123',
    });
    expect(loadConfig({ SEALFLOW_SMTP_URL: 'smtp://localhost', SEALFLOW_MAIL_FROM: 'ops@example.com' }).notify).toMatchObject({ smtpUrl: 'smtp://localhost', mailFrom: 'ops@example.com' });
  });

  it('stops on a bad setting with a message that names it, never echoing an SMTP password', () => {
    const smtpFailure = (() => {
      try {
        loadConfig({ SEALFLOW_SMTP_URL: 'http://mailer:s3cret@mail.example.com' });
      } catch (error) {
        return error;
      }
    })();
    expect(smtpFailure).toBeInstanceOf(ConfigError);
    expect(smtpFailure).toMatchObject({ setting: 'SEALFLOW_SMTP_URL', message: expect.stringMatching(/^SEALFLOW_SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL/) });
    expect((smtpFailure as Error).message).not.toContain('s3cret');
    expect(() => loadConfig({ SEALFLOW_SMTP_URL: 'mail.example.com:587' })).toThrow(/^SEALFLOW_SMTP_URL: /);
    expect(() => loadConfig({ SEALFLOW_SMTP_URL: 'smtp://mail.example.com:99999' })).toThrow(/^SEALFLOW_SMTP_URL: /);
    expect(() => loadConfig({ SEALFLOW_MAIL_FROM: 'Sealflow' })).toThrow(/^SEALFLOW_MAIL_FROM: must be an address or "Name <address>"/);
    expect(() => loadConfig({ SEALFLOW_SMS_WEBHOOK_URL: 'sms.example.com/send' })).toThrow(/^SEALFLOW_SMS_WEBHOOK_URL: must be an http\(s\) URL/);
    expect(() => loadConfig({ SEALFLOW_SMS_WEBHOOK_TOKEN: 'abc' })).toThrow(new ConfigError('SEALFLOW_SMS_WEBHOOK_TOKEN', 'is set but SEALFLOW_SMS_WEBHOOK_URL is not'));
    expect(() => loadConfig({ SEALFLOW_SMS_WEBHOOK_URL: 'https://sms.example.com', SEALFLOW_SMS_WEBHOOK_TOKEN: 'a b' })).toThrow(/^SEALFLOW_SMS_WEBHOOK_TOKEN: must not contain whitespace/);
  });
});
