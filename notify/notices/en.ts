// English notices, for signers whose flow sets `locale: "en"`.
import type { Notice } from './types';
import { dateParts, isPlainDate, type Wording } from './wording';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const pad = (n: number) => String(n).padStart(2, '0');

function fullDate(iso: string, timeZone: string): string {
  if (isPlainDate(iso)) {
    const [year, month, day] = iso.split('-').map(Number);
    return `${day} ${MONTHS[month - 1]} ${year}`;
  }
  const { year, month, day, hour, minute } = dateParts(iso, timeZone);
  const zone = timeZone === 'Asia/Shanghai' ? 'China time' : timeZone;
  return `${day} ${MONTHS[month - 1]} ${year}, ${pad(hour)}:${pad(minute)} (${zone})`;
}

function shortDate(iso: string, timeZone: string): string {
  const { month, day } = isPlainDate(iso) ? { month: Number(iso.slice(5, 7)), day: Number(iso.slice(8, 10)) } : dateParts(iso, timeZone);
  return `${day} ${MONTHS[month - 1].slice(0, 3)}`;
}

const quoted = (title: string) => `“${title}”`;
const documentsLine = (notice: Notice) => notice.documents.map((d) => `${quoted(d.title)} (${d.pages} ${d.pages === 1 ? 'page' : 'pages'})`).join(', ');

export const en: Wording = {
  htmlLang: 'en',
  greeting: (recipient) => `Dear ${recipient},`,
  labels: { contract: 'Contract', sender: 'From', deadline: 'Sign by', linkValid: 'Link valid until', documents: 'Documents', parties: 'Signers' },
  pages: (count) => `${count} ${count === 1 ? 'page' : 'pages'}`,
  partyStatus: (party) => (party.declined ? 'declined' : party.signed ? 'signed' : 'to sign'),
  date: fullDate,
  shortDate,
  copyLink: 'If the button does not open, copy this link into your browser:',
  notForYou: (notice) => `If you are not ${notice.recipient}, or do not know ${notice.sender}, please ignore and delete this email and do not forward its link.`,
  footer: (notice) => `Sent automatically by ${notice.sender} through Sealflow e-signature. Replies to this address are not read.`,
  kinds: {
    invitation: {
      subject: (n, d) => `Please sign by ${d.dueShort}: ${n.title}`,
      lead: (n, d) => [
        `${n.sender} invites you to sign ${quoted(n.title)}${n.documents.length > 1 ? `, ${n.documents.length} documents: ${documentsLine(n)}` : n.documents.length === 1 ? ` (${en.pages(n.documents[0].pages)})` : ''}.`,
        n.deadline ? `Please sign before ${d.deadline}.` : `Your signing link works until ${d.linkExpires}.`,
      ],
      action: 'Review and sign',
      actionNote: (n, d) => `This link is for ${n.recipient} only and works until ${d.linkExpires}.`,
      sms: (p) => `【${p.sender}】Sign ${quoted(p.title)}${p.date ? ` by ${p.date}` : ''}: ${p.url}`,
    },
    reminder: {
      subject: (n, d) => `Reminder: ${n.title} awaits your signature (due ${d.dueShort})`,
      lead: (n, d) => [`${quoted(n.title)} is still waiting for your signature.`, n.deadline ? `Signing closes on ${d.deadline}.` : `Your signing link works until ${d.linkExpires}.`],
      action: 'Review and sign',
      actionNote: (n, d) => `This link is for ${n.recipient} only and works until ${d.linkExpires}.`,
      sms: (p) => `【${p.sender}】Sign ${quoted(p.title)}${p.date ? ` by ${p.date}` : ''}: ${p.url}`,
    },
    nudge: {
      subject: (n, d) => `Please sign soon: ${n.title} (due ${d.dueShort})`,
      lead: (n, d) => [`${n.sender} asks you to sign ${quoted(n.title)} soon.`, n.deadline ? `Signing closes on ${d.deadline}.` : `Your signing link works until ${d.linkExpires}.`],
      action: 'Sign now',
      actionNote: (n, d) => `This link is for ${n.recipient} only and works until ${d.linkExpires}.`,
      sms: (p) => `【${p.sender}】Urgent: sign ${quoted(p.title)}${p.date ? ` by ${p.date}` : ''}: ${p.url}`,
    },
    completed: {
      subject: (n) => `Signed by all parties: ${n.title}`,
      lead: (n, d) => [`${quoted(n.title)} has been signed by every party${d.at ? ` (${d.at})` : ''}.`, 'The signed documents are attached; anyone can verify their signatures with sealflow verify or a PDF reader.'],
      action: 'Download your signed copy',
      actionNote: (_n, d) => `The download link works until ${d.linkExpires}.`,
      sms: (p) => `【${p.sender}】${quoted(p.title)} is signed by all${p.date ? ` on ${p.date}` : ''}; your copy is in your email.`,
    },
    declined: {
      subject: (n) => `Declined: ${n.title}`,
      lead: (n) => [`${n.by ?? 'A signer'} declined to sign ${quoted(n.title)}${n.reason ? `, saying: ${n.reason}` : ''}.`, 'Signing has ended; there is nothing more for you to do.'],
      sms: (p) => `【${p.sender}】${quoted(p.title)} was declined; signing has ended.`,
    },
    expired: {
      subject: (n) => `Signing deadline passed: ${n.title}`,
      lead: (n, d) => [`${quoted(n.title)} was not signed by every party before ${d.deadline ?? d.at ?? 'its deadline'}; signing is closed.`, `If it still needs signing, please ask ${n.sender} to send it again.`],
      sms: (p) => `【${p.sender}】${quoted(p.title)}: the signing deadline${p.date ? ` (${p.date})` : ''} passed; signing is closed.`,
    },
    cancelled: {
      subject: (n) => `Cancelled: ${n.title}`,
      lead: (n) => [`${n.sender} cancelled the signing of ${quoted(n.title)}${n.reason ? `, saying: ${n.reason}` : ''}.`, 'The signing link you received no longer works; there is nothing more for you to do.'],
      sms: (p) => `【${p.sender}】${quoted(p.title)} was cancelled; the link no longer works.`,
    },
    expiry_reminder: {
      subject: (n, d) => `Ending soon: ${n.title} (${d.endsOnShort})`,
      lead: (n, d) => [`${quoted(n.title)} ends on ${d.endsOn}.`, `To renew it, please contact ${n.sender}.`],
      sms: (p) => `【${p.sender}】${quoted(p.title)} ends${p.date ? ` on ${p.date}` : ' soon'}; contact us to renew it.`,
    },
  },
};
