// Notifications: in-app messages, email over SMTP and SMS through a provider. In the
// embedded default every message also lands in the dev outbox (a table an admin reads at
// GET /api/outbox), so a person or a test can follow a signing link without a mail server.
// When a message really goes out by SMTP or SMS, the outbox keeps it with its secrets
// (link tokens, codes) masked: live credentials are never readable there.
import type { OutboxMessage, Store } from '../store';
import { createDeliveryLog, createStoredDeliveryLog, type DeliveryLog } from './deliveries';
import { createEmailTransport, DEFAULT_MAIL_FROM, type EmailAttachment, type EmailTransport, type EmailTransportOptions } from './email';
import { NotifyError } from './errors';
import { maskSecrets } from './masking';
import { normalizeEmail, normalizeMobile } from './recipients';
import { createWebhookSmsProvider, type SmsProvider } from './sms';

export { createDeliveryLog, createStoredDeliveryLog, DEFAULT_LEASE_MS, type DeliveryLog, type StoredDeliveryLogOptions } from './deliveries';
export { DEFAULT_MAIL_FROM, messageIdFor, type EmailAttachment, type EmailTransportOptions } from './email';
export { NotifyError, type NotifyErrorCode } from './errors';
export * from './notices';
export { MASK, maskSecrets } from './masking';
export { maskEmail, maskMobile, normalizeEmail, normalizeMobile } from './recipients';
export { createWebhookSmsProvider, type SmsProvider, type SmsRequest, type WebhookSmsProviderOptions } from './sms';

/**
 * One notification. `channel`: 'inbox' is in-app only (the outbox), 'email' goes over SMTP
 * to the address in `to`, 'sms' through the SMS provider to the mobile number in `to`.
 */
export interface Message extends Omit<OutboxMessage, 'id' | 'createdAt'> {
  /** Email only. The outbox records only their file names, never the bytes. */
  attachments?: EmailAttachment[];
  /** Email only: an HTML alternative to `body` (which stays the plain-text part). */
  html?: string;
  /** Live secrets in the text (a one-time code): masked in the outbox when the message goes out for real. */
  secrets?: string[];
}

export interface Notifier {
  /**
   * Records and delivers the message. The same idempotency key again sends nothing new
   * (see deliveries.ts for how far that holds). Throws NotifyError: `retryable` says
   * whether trying again can help.
   */
  send(message: Message, idempotencyKey: string): Promise<void>;
}

export interface NotifierOptions {
  /** With `notificationDeliveries` (a whole Store), what was delivered is recorded there, shared by every worker. */
  store: Pick<Store, 'outbox'> & Partial<Pick<Store, 'notificationDeliveries'>>;
  /** SMTP for 'email' messages; null/absent: email only reaches the outbox. */
  email?: EmailTransportOptions | null;
  /** Provider for 'sms' messages; null/absent: SMS only reaches the outbox. */
  sms?: SmsProvider | null;
  /**
   * Also add every email and SMS to the dev outbox (the embedded default). 'inbox'
   * messages always go there: it is where they live. A message that goes out over SMTP or
   * the SMS provider is recorded with its link tokens and codes masked; only one whose sole
   * delivery is the outbox (no transport for its channel) is kept as sent.
   */
  outbox: boolean;
  /** Where delivered keys are remembered; default the store's table, else a fresh in-memory log per notifier. */
  deliveries?: DeliveryLog;
}

/** The notify settings of SealflowConfig (config/), by shape. */
export interface NotifySettings {
  smtpUrl: string | null;
  mailFrom: string;
  smsWebhookUrl: string | null;
  smsWebhookToken: string | null;
}

/** The outbox line that stands for attachments, e.g. `附件: contract.pdf, nda.pdf`. */
function outboxBody(message: Message): string {
  const names = (message.attachments ?? []).map((attachment) => attachment.filename);
  return names.length === 0 ? message.body : `${message.body}\n\n附件: ${names.join(', ')}`;
}

function checkedRecipient(message: Message): string {
  switch (message.channel) {
    case 'email':
      return normalizeEmail(message.to);
    case 'sms':
      return normalizeMobile(message.to);
    case 'inbox':
      return message.to;
  }
}

export function createNotifier(options: NotifierOptions): Notifier & { close(): void } {
  const { store, sms = null, outbox } = options;
  const email: EmailTransport | null = options.email ? createEmailTransport(options.email) : null;
  const deliveries = options.deliveries ?? (store.notificationDeliveries ? createStoredDeliveryLog(store.notificationDeliveries) : createDeliveryLog());

  return {
    async send(message, idempotencyKey) {
      // A recipient we cannot send to fails the same way in the embedded default as with
      // real transports, before anything is recorded.
      const to = checkedRecipient(message);
      const transport = message.channel === 'email' ? email : message.channel === 'sms' ? sms : null;
      if (outbox || message.channel === 'inbox') {
        const body = transport === null ? outboxBody(message) : maskSecrets(outboxBody(message), message.secrets);
        await store.outbox.add({ channel: message.channel, to: message.to, subject: message.subject, body, contractId: message.contractId }, idempotencyKey);
      }
      if (message.channel === 'inbox') return;

      if (transport === null) {
        if (outbox) return;
        throw new NotifyError('no_transport', `no ${message.channel === 'email' ? 'SMTP server' : 'SMS provider'} is configured and the outbox is off: the message would go nowhere`, {
          retryable: false,
        });
      }
      await deliveries.once(`${message.channel}:${idempotencyKey}`, async () => {
        if (message.channel === 'email') {
          await email!.send({ to, subject: message.subject, text: message.body, html: message.html, attachments: message.attachments, idempotencyKey });
        } else {
          await sms!.send({ to, text: message.body, idempotencyKey });
        }
      });
    },
    close() {
      email?.close();
    },
  };
}

/**
 * The notifier that configuration asks for: SMTP when SEALFLOW_SMTP_URL is set, the SMS
 * webhook when SEALFLOW_SMS_WEBHOOK_URL is set, and the dev outbox when `outbox` is true.
 */
export function createNotifierFromSettings(options: { store: NotifierOptions['store']; settings: NotifySettings; outbox: boolean }): Notifier & { close(): void } {
  const { settings } = options;
  return createNotifier({
    store: options.store,
    outbox: options.outbox,
    email: settings.smtpUrl === null ? null : { url: settings.smtpUrl, from: settings.mailFrom || DEFAULT_MAIL_FROM },
    sms: settings.smsWebhookUrl === null ? null : createWebhookSmsProvider({ url: settings.smsWebhookUrl, token: settings.smsWebhookToken }),
  });
}

/** Only the outbox: every message lands there and nowhere else (tests, the embedded default without SMTP). */
export function createOutboxNotifier(store: Pick<Store, 'outbox'>): Notifier {
  return createNotifier({ store, outbox: true });
}
