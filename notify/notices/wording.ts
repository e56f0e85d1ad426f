// The shape of one language's notice texts. Each language (zh.ts, en.ts) fills it for every
// kind; render.ts lays the pieces out as email (HTML + text) and SMS.
import type { Notice, NoticeKind } from './types';

/** A notice's dates, already written in the notice's language and time zone. */
export interface NoticeDates {
  /** When signing closes (deadline) or, without one, until when the link works; full form. */
  due: string | null;
  /** The same, short (12月5日 / 5 Dec), for SMS. */
  dueShort: string | null;
  /** The signing deadline itself, full form, when the flow sets one. */
  deadline: string | null;
  /** Until when the notice's link works, full form. */
  linkExpires: string | null;
  /** When it happened (completed, declined, cancelled, expired). */
  at: string | null;
  atShort: string | null;
  /** expiry_reminder: the contract's end date. */
  endsOn: string | null;
  endsOnShort: string | null;
}

/** The pieces an SMS is made of; render.ts shortens title and sender (or drops the date) to fit one segment. */
export interface SmsPieces {
  sender: string;
  title: string;
  date: string | null;
  url: string | null;
}

export interface KindWording {
  subject(notice: Notice, dates: NoticeDates): string;
  /** Paragraphs under the greeting. */
  lead(notice: Notice, dates: NoticeDates): string[];
  /** The button's label, when the notice has a link. */
  action?: string;
  /** A line under the button, e.g. whose link it is and until when it works. */
  actionNote?(notice: Notice, dates: NoticeDates): string;
  sms(pieces: SmsPieces): string;
}

export interface Wording {
  /** BCP 47 tag of the HTML part. */
  htmlLang: string;
  greeting(recipient: string): string;
  /** Labels of the facts table. */
  labels: { contract: string; sender: string; deadline: string; linkValid: string; documents: string; parties: string };
  pages(count: number): string;
  partyStatus(party: { signed: boolean; declined?: boolean }): string;
  /** The full and the short form of a date in a time zone. */
  date(iso: string, timeZone: string): string;
  shortDate(iso: string, timeZone: string): string;
  /** A link that will not open as a button: where to copy it from. */
  copyLink: string;
  /** What to do when the notice reached the wrong person. */
  notForYou(notice: Notice): string;
  footer(notice: Notice): string;
  kinds: Record<NoticeKind, KindWording>;
}

// Building an Intl.DateTimeFormat costs ~40 µs and every notice reads several dates; a formatter
// is pure (no environment, no state), so one per time zone is kept. Bounded: a time zone comes
// from a party or tenant setting, and a long-running worker must not grow without limit.
const FORMATTERS_KEPT = 64;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' });
    if (formatters.size >= FORMATTERS_KEPT) formatters.delete(formatters.keys().next().value as string);
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Year, month, day, hour and minute of an instant in a time zone, as numbers. */
export function dateParts(iso: string, timeZone: string): { year: number; month: number; day: number; hour: number; minute: number } {
  const parts = formatterFor(timeZone).formatToParts(new Date(iso));
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { year: part('year'), month: part('month'), day: part('day'), hour: part('hour') % 24, minute: part('minute') };
}

/** A plain calendar date (2027-03-31) is the same day everywhere: it is not moved across time zones. */
export function isPlainDate(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(text);
}
