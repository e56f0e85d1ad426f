// A person's signature: their name, large, and the signing time under it, in China
// Standard Time unless told otherwise. The time changes per signature, so only the font
// is prepared ahead; the few hundred bytes of drawing are made per call.
import { deflateSync } from 'node:zlib';
import { fmt, type AppearanceBox, type SignatureAppearance } from './appearance';
import type { FontLibrary, FontSubset } from '../../templates';
import { appearanceFont, encodeText } from './cjk-font';

export interface PersonSignatureOptions {
  name: string;
  /** The process's font library (the document engine's): the name and time are cut from its regular weight. */
  fonts: FontLibrary;
  /** Offset from UTC in minutes for the shown time; China Standard Time (+480) by default. */
  utcOffsetMinutes?: number;
  /** Text before the time. */
  timeLabel?: string;
}

const DIGITS_AND_PUNCTUATION = '0123456789-:+ UTC';

export async function personSignatureAppearance(options: PersonSignatureOptions): Promise<SignatureAppearance> {
  const timeLabel = options.timeLabel ?? '签署时间 ';
  const offset = options.utcOffsetMinutes ?? 480;
  const font = await appearanceFont(options.fonts, options.name + timeLabel + DIGITS_AND_PUNCTUATION);
  return {
    font,
    content(box, signingTime) {
      return deflateSync(Buffer.from(drawPersonSignature(font, options.name, `${timeLabel}${formatLocalTime(signingTime, offset)}`, box), 'latin1'));
    },
  };
}

/** "2025-06-01 14:03:05 UTC+8" */
export function formatLocalTime(time: Date, utcOffsetMinutes: number): string {
  const local = new Date(time.getTime() + utcOffsetMinutes * 60_000).toISOString();
  const hours = utcOffsetMinutes / 60;
  const zone = utcOffsetMinutes === 0 ? 'UTC' : `UTC${hours > 0 ? '+' : '-'}${fmt(Math.abs(hours))}`;
  return `${local.slice(0, 10)} ${local.slice(11, 19)} ${zone}`;
}

export function drawPersonSignature(font: FontSubset, name: string, timeLine: string, box: AppearanceBox): string {
  const nameText = encodeText(font, name);
  const timeText = encodeText(font, timeLine);
  const nameSize = Math.min(box.height * 0.5, (box.width * 0.9 * 1000) / Math.max(nameText.width, 1));
  const timeSize = Math.min(box.height * 0.16, (box.width * 0.95 * 1000) / Math.max(timeText.width, 1));
  const nameX = (box.width - (nameText.width / 1000) * nameSize) / 2;
  const timeX = (box.width - (timeText.width / 1000) * timeSize) / 2;
  return [
    'q',
    '0.1 0.1 0.45 rg',
    'BT',
    `/F1 ${fmt(nameSize)} Tf`,
    `1 0 0 1 ${fmt(nameX)} ${fmt(box.height * 0.42)} Tm <${nameText.hex}> Tj`,
    '0.2 0.2 0.2 rg',
    `/F1 ${fmt(timeSize)} Tf`,
    `1 0 0 1 ${fmt(timeX)} ${fmt(box.height * 0.1)} Tm <${timeText.hex}> Tj`,
    'ET',
    'Q',
  ].join('\n');
}
