// Email over SMTP with nodemailer. One transport per notifier; each send opens a
// connection (no pool), so a worker holds no socket between messages.
import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { NotifyError } from './errors';
import { maskEmail } from './recipients';

export const DEFAULT_MAIL_FROM = 'Sealflow <no-reply@sealflow.local>';
const DEFAULT_TIMEOUT_MS = 10_000;

export interface EmailTransportOptions {
  /**
   * `smtp://[user:pass@]host[:port]` (port 587 by default; upgrades with STARTTLS when the
   * server offers it) or `smtps://[user:pass@]host[:port]` (TLS from the start, 465 by
   * default). User and password are percent-decoded.
   */
  url: string;
  /** Sender, `Name <address>` or a bare address; default `Sealflow <no-reply@sealflow.local>`. */
  from?: string;
  /** Connection, greeting and socket timeout each; default 10 s. */
  timeoutMs?: number;
}

export interface EmailAttachment {
  filename: string;
  content: Uint8Array;
  contentType: string;
}

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  attachments?: EmailAttachment[];
  idempotencyKey: string;
}

export interface EmailTransport {
  /** Resolves with the Message-ID once the server accepted the message; throws NotifyError. */
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
  close(): void;
}

/**
 * The Message-ID of the email sent under this idempotency key: the same key always gives
 * the same id, so a duplicate sent after a crash is recognisable (and dropped by clients
 * that dedupe on Message-ID). The key itself is not revealed.
 */
export function messageIdFor(idempotencyKey: string): string {
  return `<${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}@sealflow>`;
}

interface SmtpEndpoint {
  options: SMTPTransport.Options;
  /** host:port, for messages; never the credentials. */
  label: string;
}

function smtpEndpoint(url: string, timeoutMs: number): SmtpEndpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new NotifyError('invalid_settings', 'SMTP URL is not a URL (expected smtp://user:pass@host:587 or smtps://host:465)', { retryable: false });
  }
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') {
    throw new NotifyError('invalid_settings', `SMTP URL must start with smtp:// or smtps://, got "${parsed.protocol}//"`, { retryable: false });
  }
  const secure = parsed.protocol === 'smtps:';
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw new NotifyError('invalid_settings', 'SMTP URL has no host', { retryable: false });
  const port = parsed.port ? Number(parsed.port) : secure ? 465 : 587;
  const user = decodeURIComponent(parsed.username);
  const pass = decodeURIComponent(parsed.password);
  return {
    label: `${parsed.hostname}:${port}`,
    options: {
      host,
      port,
      secure,
      ...(user ? { auth: { user, pass } } : {}),
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      // Message content is given as bytes; never let a message make the transport read files or URLs.
      disableFileAccess: true,
      disableUrlAccess: true,
    },
  };
}

interface SmtpFailure {
  code?: string;
  responseCode?: number;
  command?: string;
  message?: string;
}

export function createEmailTransport(options: EmailTransportOptions): EmailTransport {
  const endpoint = smtpEndpoint(options.url, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const from = options.from ?? DEFAULT_MAIL_FROM;
  const transporter = nodemailer.createTransport(endpoint.options);

  return {
    async send(email) {
      const messageId = messageIdFor(email.idempotencyKey);
      try {
        await transporter.sendMail({
          from,
          to: email.to,
          subject: email.subject,
          text: email.text,
          ...(email.html === undefined ? {} : { html: email.html }),
          attachments: (email.attachments ?? []).map((attachment) => ({
            filename: attachment.filename,
            content: Buffer.from(attachment.content.buffer, attachment.content.byteOffset, attachment.content.byteLength),
            contentType: attachment.contentType,
          })),
          messageId,
          disableFileAccess: true,
          disableUrlAccess: true,
        });
      } catch (error) {
        const failure = (error ?? {}) as SmtpFailure;
        const reply = failure.responseCode;
        // 5xx is the server's final word on this message (bad mailbox, too big, policy);
        // everything else (no connection, timeout, 4xx, failed login) may pass on a retry.
        const permanent = typeof reply === 'number' && reply >= 500 && failure.code !== 'EAUTH';
        // Servers echo the address in their reply; errors end up in workflow history and logs.
        const detail = [failure.code, reply, failure.message]
          .filter((part) => part !== undefined && part !== '')
          .join(' ')
          .split(email.to)
          .join(maskEmail(email.to));
        throw new NotifyError('email_failed', `sending email to ${maskEmail(email.to)} through SMTP ${endpoint.label} failed: ${detail || String(error)}`, {
          retryable: !permanent,
          status: typeof reply === 'number' ? reply : null,
          cause: error,
        });
      }
      return { messageId };
    },
    close() {
      transporter.close();
    },
  };
}
