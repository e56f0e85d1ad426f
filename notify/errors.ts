// One error type for everything notify/ refuses or fails to deliver. The caller is usually
// a Temporal activity: `retryable: false` means the same message will fail the same way
// again (a bad address, a permanent 5xx from the mail server), so the activity can end it
// with a non-retryable failure instead of retrying until its deadline.

export type NotifyErrorCode =
  /** The recipient is not an email address / mobile number we can send to. */
  | 'invalid_recipient'
  /** A transport setting (SMTP URL, webhook URL) is unusable. */
  | 'invalid_settings'
  /** The message's channel has no transport and the outbox is off: it would go nowhere. */
  | 'no_transport'
  /** The SMTP server could not be reached, timed out or refused the message. */
  | 'email_failed'
  /** The SMS webhook could not be reached, timed out or answered non-2xx. */
  | 'sms_failed';

export class NotifyError extends Error {
  override readonly name = 'NotifyError';
  readonly code: NotifyErrorCode;
  readonly retryable: boolean;
  /** HTTP status (SMS webhook) or SMTP reply code, when the other side answered. */
  readonly status: number | null;

  constructor(code: NotifyErrorCode, message: string, options: { retryable: boolean; status?: number | null; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable;
    this.status = options.status ?? null;
  }
}
