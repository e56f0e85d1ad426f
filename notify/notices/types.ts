// What a notice to a contract's party says, independent of language and channel.

export type Locale = 'zh' | 'en';

/** Notices to a signer whose turn it is: each carries their personal signing link. */
export type SignerNoticeKind = 'invitation' | 'reminder' | 'nudge';
/** Notices to every party about how the contract stands or ended. */
export type PartyNoticeKind = 'completed' | 'declined' | 'expired' | 'cancelled' | 'expiry_reminder';
export type NoticeKind = SignerNoticeKind | PartyNoticeKind;

export const SIGNER_NOTICE_KINDS: readonly SignerNoticeKind[] = ['invitation', 'reminder', 'nudge'];
export const PARTY_NOTICE_KINDS: readonly PartyNoticeKind[] = ['completed', 'declined', 'expired', 'cancelled', 'expiry_reminder'];

export interface NoticeParty {
  name: string;
  /** Whether this party's signature is on the contract already. */
  signed: boolean;
  /** The party who declined, on a decline notice. */
  declined?: boolean;
}

export interface NoticeDocument {
  title: string;
  pages: number;
}

export interface Notice {
  kind: NoticeKind;
  locale: Locale;
  /** The person or company the notice is for, as the flow names them. */
  recipient: string;
  /** Who sends the contract (the hub's company, or the contract's first company signer). */
  sender: string;
  /** The contract's name, never its id. */
  title: string;
  /** ISO time signing closes, when the flow sets a deadline. */
  deadline: string | null;
  /**
   * The link the notice is about: the signing link (signer notices), the signed copy's download
   * link (completed); `expiresAt` is until when it works. `smsUrl`: a shorter form for SMS.
   */
  link: { url: string; smsUrl?: string; expiresAt: string } | null;
  documents: NoticeDocument[];
  parties: NoticeParty[];
  /** When it happened (completed, declined, cancelled, expired): ISO time. */
  at?: string | null;
  /** Who declined or cancelled, and why. */
  by?: string | null;
  reason?: string | null;
  /** expiry_reminder: the contract's end date (ISO date or time). */
  endsOn?: string | null;
  /** IANA time zone the dates are written in; default Asia/Shanghai. */
  timeZone?: string;
}

export interface RenderedNotice {
  subject: string;
  /** The plain-text part of the email, also what the outbox and in-app inbox keep. */
  text: string;
  /** The HTML part of the email. */
  html: string;
  /** One SMS segment: at most SMS_SEGMENT characters, the sender in 【】. */
  sms: string;
}

/** Characters in one SMS segment when the text is UCS-2 (any Chinese character or 【】 makes it so). */
export const SMS_SEGMENT = 70;
