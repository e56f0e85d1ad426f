// Lays a notice out for its channels: an HTML email with a plain-text twin carrying the same
// facts, and one SMS segment. The words come from the notice's language (zh.ts, en.ts).
import { en } from './en';
import { SIGNER_NOTICE_KINDS, SMS_SEGMENT, type Notice, type NoticeKind, type RenderedNotice, type SignerNoticeKind } from './types';
import type { NoticeDates, SmsPieces, Wording } from './wording';
import { zh } from './zh';

const WORDINGS: Record<Notice['locale'], Wording> = { zh, en };
const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

const isSignerNotice = (kind: NoticeKind): kind is SignerNoticeKind => (SIGNER_NOTICE_KINDS as readonly string[]).includes(kind);

/** Characters as an SMS gateway counts them in UCS-2 (one per code point; our texts have no astral characters to split). */
export function smsLength(text: string): number {
  return [...text].length;
}

/** The text cut to `max` characters, its last one an ellipsis when something was cut. */
export function shorten(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, Math.max(1, max - 1)).join('')}…`;
}

/** Line breaks and control characters out of a value that ends up in a subject line or an SMS. */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
}

function datesOf(notice: Notice, wording: Wording): NoticeDates {
  const zone = notice.timeZone ?? DEFAULT_TIME_ZONE;
  const full = (iso: string | null | undefined) => (iso ? wording.date(iso, zone) : null);
  const short = (iso: string | null | undefined) => (iso ? wording.shortDate(iso, zone) : null);
  const due = notice.deadline ?? notice.link?.expiresAt ?? null;
  return {
    due: full(due),
    dueShort: short(due),
    deadline: full(notice.deadline),
    linkExpires: full(notice.link?.expiresAt),
    at: full(notice.at),
    atShort: short(notice.at),
    endsOn: full(notice.endsOn),
    endsOnShort: short(notice.endsOn),
  };
}

/** The date an SMS of this kind mentions, short form. */
function smsDate(kind: NoticeKind, dates: NoticeDates, notice: Notice, wording: Wording): string | null {
  if (isSignerNotice(kind)) return dates.dueShort;
  if (kind === 'completed') return dates.atShort;
  if (kind === 'expired') return notice.deadline ? wording.shortDate(notice.deadline, notice.timeZone ?? DEFAULT_TIME_ZONE) : dates.atShort;
  if (kind === 'expiry_reminder') return dates.endsOnShort;
  return null;
}

/**
 * One segment: the sender's name in 【】 and the link always; the title and the sender's name
 * shortened in turns, the date dropped last but one, until it fits.
 */
function fitSms(sms: (pieces: SmsPieces) => string, pieces: SmsPieces): string {
  const fits = (p: SmsPieces) => smsLength(sms(p)) <= SMS_SEGMENT;
  let p = { ...pieces };
  if (fits(p)) return sms(p);
  const over = () => smsLength(sms(p)) - SMS_SEGMENT;
  const titleTo = (min: number) => (q: SmsPieces) => ({ ...q, title: shorten(q.title, Math.max(min, smsLength(q.title) - over())) });
  const senderTo = (min: number) => (q: SmsPieces) => ({ ...q, sender: shorten(q.sender, Math.max(min, smsLength(q.sender) - over())) });
  const steps: ((q: SmsPieces) => SmsPieces)[] = [titleTo(10), senderTo(6), titleTo(6), senderTo(4), titleTo(4), (q) => ({ ...q, date: null }), titleTo(1), senderTo(2)];
  for (const step of steps) {
    p = step(p);
    if (fits(p)) break;
  }
  return sms(p);
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

interface Fact {
  label: string;
  lines: string[];
}

function factsOf(notice: Notice, wording: Wording, dates: NoticeDates): Fact[] {
  const facts: Fact[] = [
    { label: wording.labels.contract, lines: [notice.title] },
    { label: wording.labels.sender, lines: [notice.sender] },
  ];
  if (dates.deadline) facts.push({ label: wording.labels.deadline, lines: [dates.deadline] });
  else if (isSignerNotice(notice.kind) && dates.linkExpires) facts.push({ label: wording.labels.linkValid, lines: [dates.linkExpires] });
  if (notice.documents.length) facts.push({ label: wording.labels.documents, lines: notice.documents.map((d) => `${d.title} · ${wording.pages(d.pages)}`) });
  if (notice.parties.length) facts.push({ label: wording.labels.parties, lines: notice.parties.map((p) => `${p.name} · ${wording.partyStatus(p)}`) });
  return facts;
}

function textPart(notice: Notice, wording: Wording, dates: NoticeDates, facts: Fact[]): string {
  const kind = wording.kinds[notice.kind];
  const sep = notice.locale === 'zh' ? '：' : ': ';
  const blocks: string[] = [wording.greeting(notice.recipient), kind.lead(notice, dates).join('\n')];
  if (notice.link && kind.action) blocks.push([`${kind.action}${sep}${notice.link.url}`, kind.actionNote?.(notice, dates)].filter(Boolean).join('\n'));
  blocks.push(facts.map((f) => (f.lines.length === 1 ? `${f.label}${sep}${f.lines[0]}` : `${f.label}${sep}\n${f.lines.map((l) => `  · ${l}`).join('\n')}`)).join('\n'));
  blocks.push(`${wording.notForYou(notice)}\n${wording.footer(notice)}`);
  return `${blocks.join('\n\n')}\n`;
}

function htmlPart(notice: Notice, wording: Wording, dates: NoticeDates, facts: Fact[], subject: string): string {
  const kind = wording.kinds[notice.kind];
  const e = escapeHtml;
  const font = "font-family:-apple-system,BlinkMacSystemFont,'PingFang SC','Microsoft YaHei','Segoe UI',Arial,sans-serif";
  const lead = kind.lead(notice, dates).map((line) => `<p style="margin:0 0 12px;font-size:15px;line-height:1.6;color:#1f2937">${e(line)}</p>`).join('');
  const button =
    notice.link && kind.action
      ? `<table role="presentation" cellspacing="0" cellpadding="0" style="margin:20px 0 8px"><tr><td style="border-radius:6px;background:#1d4ed8"><a href="${e(notice.link.url)}" style="display:inline-block;padding:12px 28px;font-size:16px;font-weight:600;color:#ffffff;text-decoration:none;border-radius:6px">${e(kind.action)}</a></td></tr></table>` +
        (kind.actionNote ? `<p style="margin:0 0 8px;font-size:13px;color:#4b5563">${e(kind.actionNote(notice, dates))}</p>` : '') +
        `<p style="margin:0 0 20px;font-size:12px;color:#6b7280;word-break:break-all">${e(wording.copyLink)}<br>${e(notice.link.url)}</p>`
      : '';
  const rows = facts
    .map(
      (f) =>
        `<tr><td style="padding:6px 12px 6px 0;font-size:13px;color:#6b7280;vertical-align:top;white-space:nowrap">${e(f.label)}</td><td style="padding:6px 0;font-size:14px;color:#111827">${f.lines.map(e).join('<br>')}</td></tr>`,
    )
    .join('');
  return [
    `<!doctype html><html lang="${wording.htmlLang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${e(subject)}</title></head>`,
    `<body style="margin:0;padding:0;background:#f3f4f6;${font}">`,
    `<table role="presentation" width="100%" cellspacing="0" cellpadding="0" style="background:#f3f4f6"><tr><td align="center" style="padding:24px 12px">`,
    `<table role="presentation" width="100%" cellspacing="0" cellpadding="0" style="max-width:560px;background:#ffffff;border-radius:8px;${font}">`,
    `<tr><td style="padding:24px 28px 0;font-size:13px;color:#6b7280">${e(notice.sender)}</td></tr>`,
    `<tr><td style="padding:8px 28px 0"><h1 style="margin:0 0 16px;font-size:20px;line-height:1.4;color:#111827">${e(notice.title)}</h1>`,
    `<p style="margin:0 0 12px;font-size:15px;color:#1f2937">${e(wording.greeting(notice.recipient))}</p>${lead}${button}`,
    `<table role="presentation" cellspacing="0" cellpadding="0" style="width:100%;border-top:1px solid #e5e7eb;margin-top:8px;padding-top:8px">${rows}</table></td></tr>`,
    `<tr><td style="padding:20px 28px 24px;font-size:12px;line-height:1.6;color:#9ca3af">${e(wording.notForYou(notice))}<br>${e(wording.footer(notice))}</td></tr>`,
    `</table></td></tr></table></body></html>`,
  ].join('\n');
}

/** A notice in its language, as email subject, text and HTML parts, and one SMS segment. */
export function renderNotice(notice: Notice): RenderedNotice {
  const wording = WORDINGS[notice.locale] ?? zh;
  const clean: Notice = { ...notice, title: oneLine(notice.title), sender: oneLine(notice.sender), recipient: oneLine(notice.recipient) };
  const dates = datesOf(clean, wording);
  const kind = wording.kinds[clean.kind];
  const subject = oneLine(kind.subject(clean, dates));
  const facts = factsOf(clean, wording, dates);
  const url = isSignerNotice(clean.kind) ? (clean.link?.smsUrl ?? clean.link?.url ?? null) : null;
  return {
    subject,
    text: textPart(clean, wording, dates, facts),
    html: htmlPart(clean, wording, dates, facts, subject),
    sms: fitSms(kind.sms, { sender: clean.sender, title: clean.title, date: smsDate(clean.kind, dates, clean, wording), url }),
  };
}
