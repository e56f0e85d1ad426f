// A company seal as Chinese companies use it: red, round, a double ring, a five-pointed
// star in the middle, the company name set clockwise around the upper arc, and the
// seal's purpose (e.g. 合同专用章) in a straight line below the star. Pure vector drawing.
import { deflateSync } from 'node:zlib';
import { circlePath, fmt, starPath, type AppearanceBox, type SignatureAppearance } from './appearance';
import type { FontLibrary, FontSubset } from '../../templates';
import { appearanceFont, encodeText } from './cjk-font';

export interface CompanySealOptions {
  companyName: string;
  /** The seal's purpose under the star; '' for none. */
  label?: string;
  /** The process's font library (the document engine's): the seal's characters are cut from its regular weight. */
  fonts: FontLibrary;
}

const SEAL_RED = '0.89 0.09 0.1';

export async function companySealAppearance(options: CompanySealOptions): Promise<SignatureAppearance> {
  const label = options.label ?? '合同专用章';
  const font = await appearanceFont(options.fonts, options.companyName + label);
  // The seal only depends on the box size: draw and compress it once per size.
  const drawn = new Map<string, Buffer>();
  return {
    font,
    content(box) {
      const key = `${box.width}x${box.height}`;
      let content = drawn.get(key);
      if (!content) {
        content = deflateSync(Buffer.from(drawSeal(font, options.companyName, label, box), 'latin1'));
        drawn.set(key, content);
      }
      return content;
    },
  };
}

export function drawSeal(font: FontSubset, companyName: string, label: string, box: AppearanceBox): string {
  const diameter = Math.min(box.width, box.height);
  const cx = box.width / 2;
  const cy = box.height / 2;
  const outerStroke = diameter * 0.035;
  const radius = diameter / 2 - outerStroke / 2;
  const innerRadius = radius * 0.92;
  const ops: string[] = ['q', `${SEAL_RED} RG`, `${SEAL_RED} rg`];

  ops.push(`${fmt(outerStroke)} w`, circlePath(cx, cy, radius), 'S');
  ops.push(`${fmt(diameter * 0.008)} w`, circlePath(cx, cy, innerRadius), 'S');
  ops.push(starPath(cx, cy, radius * 0.3), 'f');

  // Company name: each character stands upright towards the rim, its baseline centre on
  // an arc inside the inner ring, read clockwise from lower left to lower right.
  const characters = [...companyName];
  const fontSize = Math.min(radius * 0.24, (Math.PI * radius * 1.1) / Math.max(characters.length, 1));
  // CJK glyphs reach about 0.88 em above the baseline; keep a clear gap to the inner ring.
  const baselineRadius = innerRadius - diameter * 0.045 - fontSize * 0.88;
  const span = Math.min((240 * Math.PI) / 180, (characters.length * fontSize * 1.1) / baselineRadius);
  const step = characters.length > 1 ? span / (characters.length - 1) : 0;
  const start = Math.PI / 2 + span / 2;
  ops.push('BT', `/F1 ${fmt(fontSize)} Tf`);
  characters.forEach((character, i) => {
    const angle = start - i * step;
    const rotation = angle - Math.PI / 2;
    const cos = Math.cos(rotation);
    const sin = Math.sin(rotation);
    const { hex, width } = encodeText(font, character);
    const half = (width / 1000) * fontSize * 0.5;
    // Baseline centre on the arc, then back half a glyph along the tangent to the glyph origin.
    const x = cx + baselineRadius * Math.cos(angle) - half * cos;
    const y = cy + baselineRadius * Math.sin(angle) - half * sin;
    ops.push(`${fmt(cos)} ${fmt(sin)} ${fmt(-sin)} ${fmt(cos)} ${fmt(x)} ${fmt(y)} Tm <${hex}> Tj`);
  });
  if (label) {
    const labelSize = radius * 0.17;
    const { hex, width } = encodeText(font, label);
    const labelWidth = (width / 1000) * labelSize;
    ops.push(`/F1 ${fmt(labelSize)} Tf`, `1 0 0 1 ${fmt(cx - labelWidth / 2)} ${fmt(cy - radius * 0.55)} Tm <${hex}> Tj`);
  }
  ops.push('ET', 'Q');
  return ops.join('\n');
}
