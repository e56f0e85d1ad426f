// What a signature looks like on the page: a form XObject drawn in the signature area.
import type { FontSubset } from '../../templates';

export interface AppearanceBox {
  width: number;
  height: number;
}

export interface SignatureAppearance {
  /** The glyphs the drawing uses, embedded with the appearance as font resource /F1. */
  readonly font: FontSubset;
  /** Flate-compressed content stream for a box of this size (in points). */
  content(box: AppearanceBox, signingTime: Date): Buffer;
}

// ------------------------------------------------------------------ drawing helpers

export const fmt = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(3).replace(/\.?0+$/, ''));

/** A circle as four Bézier curves (the standard 0.5523 control-point factor). */
export function circlePath(cx: number, cy: number, r: number): string {
  const k = 0.5523 * r;
  return [
    `${fmt(cx + r)} ${fmt(cy)} m`,
    `${fmt(cx + r)} ${fmt(cy + k)} ${fmt(cx + k)} ${fmt(cy + r)} ${fmt(cx)} ${fmt(cy + r)} c`,
    `${fmt(cx - k)} ${fmt(cy + r)} ${fmt(cx - r)} ${fmt(cy + k)} ${fmt(cx - r)} ${fmt(cy)} c`,
    `${fmt(cx - r)} ${fmt(cy - k)} ${fmt(cx - k)} ${fmt(cy - r)} ${fmt(cx)} ${fmt(cy - r)} c`,
    `${fmt(cx + k)} ${fmt(cy - r)} ${fmt(cx + r)} ${fmt(cy - k)} ${fmt(cx + r)} ${fmt(cy)} c`,
  ].join('\n');
}

/** A five-pointed star, point up, as a closed path. */
export function starPath(cx: number, cy: number, outer: number): string {
  const inner = outer * 0.382; // the golden-ratio star
  const points: string[] = [];
  for (let i = 0; i < 10; i++) {
    const radius = i % 2 === 0 ? outer : inner;
    const angle = Math.PI / 2 + (i * Math.PI) / 5;
    points.push(`${fmt(cx + radius * Math.cos(angle))} ${fmt(cy + radius * Math.sin(angle))} ${i === 0 ? 'm' : 'l'}`);
  }
  return `${points.join('\n')}\nh`;
}
