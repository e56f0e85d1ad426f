// Notices to a contract's parties (invitations, reminders, nudges, and how the contract
// ended), in the signer's language, for email (HTML + text) and SMS (one segment).
export { renderNotice, shorten as shortenText, smsLength } from './render';
export { PARTY_NOTICE_KINDS, SIGNER_NOTICE_KINDS, SMS_SEGMENT, type Locale, type Notice, type NoticeDocument, type NoticeKind, type NoticeParty, type PartyNoticeKind, type RenderedNotice, type SignerNoticeKind } from './types';
