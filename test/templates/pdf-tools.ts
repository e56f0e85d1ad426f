// Real validators for rendered PDFs: poppler (pdftotext, pdffonts, pdfinfo, pdftoppm) and
// qpdf, plus an ink check on rendered page images. Text extraction alone proves nothing
// (a PDF can extract perfectly while its glyphs render blank), so every glyph the layout
// placed is looked for in the pixels.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FontFace, FontWeight } from '../../templates/fonts';
import type { LaidOutDocument } from '../../templates/layout';

export class PdfWorkspace {
  readonly dir = mkdtempSync(join(tmpdir(), 'sealflow-templates-'));
  private count = 0;

  write(pdf: Uint8Array, name = `doc-${++this.count}`): string {
    const path = join(this.dir, `${name}.pdf`);
    writeFileSync(path, pdf);
    return path;
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function run(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

export function pdftotext(path: string, options: { page?: number; layout?: boolean } = {}): string {
  const args = [...(options.layout === false ? [] : ['-layout']), '-enc', 'UTF-8'];
  if (options.page) args.push('-f', String(options.page), '-l', String(options.page));
  return run('pdftotext', [...args, path, '-']);
}

export interface WordBox {
  page: number;
  text: string;
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
}

/** Every word with the box poppler computes from the PDF's own font widths (top-left origin). */
export function wordBoxes(path: string): WordBox[] {
  const words: WordBox[] = [];
  let page = -1;
  for (const line of run('pdftotext', ['-bbox', '-enc', 'UTF-8', path, '-']).split('\n')) {
    if (line.includes('<page ')) page++;
    const match = /<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)<\/word>/.exec(line);
    if (match) words.push({ page, xMin: Number(match[1]), yMin: Number(match[2]), xMax: Number(match[3]), yMax: Number(match[4]), text: match[5] });
  }
  return words;
}

/** Text without any whitespace: pdftotext -layout pads CJK text with spaces as it sees fit. */
export function compact(text: string): string {
  return text.replace(/\s+/g, '');
}

export interface FontRow {
  name: string;
  type: string;
  embedded: boolean;
  subset: boolean;
  unicode: boolean;
}

export function pdffonts(path: string): FontRow[] {
  return run('pdffonts', [path])
    .split('\n')
    .slice(2)
    .filter((line) => line.trim())
    .map((line) => {
      const columns = line.trim().split(/\s+/);
      // name, type words…, encoding, emb, sub, uni, object, id
      const [emb, sub, uni] = columns.slice(-5, -2);
      return { name: columns[0], type: columns.slice(1, -6).join(' '), embedded: emb === 'yes', subset: sub === 'yes', unicode: uni === 'yes' };
    });
}

export function pdfinfo(path: string): Record<string, string> {
  const info: Record<string, string> = {};
  for (const line of run('pdfinfo', [path]).split('\n')) {
    const match = /^([^:]+):\s*(.*)$/.exec(line);
    if (match) info[match[1]] = match[2];
  }
  return info;
}

/** qpdf --check: exit code 0 and no warnings. */
export function qpdfCheck(path: string): { ok: boolean; output: string } {
  try {
    const output = run('qpdf', ['--check', path]);
    return { ok: !/WARNING/i.test(output), output };
  } catch (error) {
    return { ok: false, output: String((error as { stdout?: string }).stdout ?? error) };
  }
}

export interface GrayImage {
  width: number;
  height: number;
  pixels: Uint8Array;
  dpi: number;
}

function parsePgm(bytes: Buffer, dpi: number): GrayImage {
  let position = 0;
  const token = () => {
    while (/\s/.test(String.fromCharCode(bytes[position]))) position++;
    let text = '';
    while (!/\s/.test(String.fromCharCode(bytes[position]))) text += String.fromCharCode(bytes[position++]);
    return text;
  };
  if (token() !== 'P5') throw new Error('pdftoppm -gray did not write a binary PGM');
  const width = Number(token());
  const height = Number(token());
  if (Number(token()) !== 255) throw new Error('expected 8-bit gray');
  position++;
  return { width, height, pixels: bytes.subarray(position, position + width * height), dpi };
}

/** Renders one page (1-based) to gray pixels with pdftoppm. */
export function renderPage(workspace: PdfWorkspace, pdfPath: string, page: number, dpi = 50): GrayImage {
  const prefix = join(workspace.dir, `page-${page}-${Math.random().toString(36).slice(2)}`);
  run('pdftoppm', ['-r', String(dpi), '-gray', '-f', String(page), '-l', String(page), '-singlefile', pdfPath, prefix]);
  return parsePgm(readFileSync(`${prefix}.pgm`), dpi);
}

/** Dark pixels (gray below `threshold`) in a rectangle given in PDF points. */
export function inkIn(image: GrayImage, pageHeight: number, box: { x: number; y: number; width: number; height: number }, threshold = 200): number {
  const scale = image.dpi / 72;
  const x0 = Math.max(0, Math.round(box.x * scale));
  const x1 = Math.min(image.width, Math.round((box.x + box.width) * scale));
  const y0 = Math.max(0, Math.floor((pageHeight - (box.y + box.height)) * scale));
  const y1 = Math.min(image.height, Math.ceil((pageHeight - box.y) * scale));
  let ink = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (image.pixels[y * image.width + x] < threshold) ink++;
  return ink;
}

/** Characters that always leave ink: ideographs, letters, digits (not spaces or thin punctuation). */
const INKED = /[\p{Script=Han}\p{L}\p{N}]/u;

export interface InkReport {
  lines: number;
  glyphs: number;
  /** lines whose band holds less ink than one dark pixel per inked character */
  faintLines: { page: number; text: string; ink: number; glyphs: number }[];
  /** inked characters whose own box is blank */
  blankGlyphs: { page: number; char: string; line: string }[];
}

/**
 * Looks for every drawn line, and every glyph in it, in the rendered pages. The layout
 * says where each line's baseline is and (with the font's advances) where each character
 * is, so the check covers all of them, not a sample.
 */
export function inkReport(workspace: PdfWorkspace, pdfPath: string, layout: LaidOutDocument, faces: Record<FontWeight, FontFace>, dpi = 50): InkReport {
  const report: InkReport = { lines: 0, glyphs: 0, faintLines: [], blankGlyphs: [] };
  layout.pages.forEach((page, index) => {
    const image = renderPage(workspace, pdfPath, index + 1, dpi);
    for (const item of page.items) {
      if (item.kind !== 'text') continue;
      const chars = [...item.text];
      const inked = chars.filter((char) => INKED.test(char)).length;
      if (inked === 0) continue;
      report.lines++;
      // Ideographs sit between about -0.12 em and 0.88 em of the baseline.
      const band = { y: item.y - 0.15 * item.size, height: 1.05 * item.size };
      const lineInk = inkIn(image, layout.height, { x: item.x, width: item.width, ...band });
      if (lineInk < inked) report.faintLines.push({ page: index, text: item.text, ink: lineInk, glyphs: inked });
      let x = item.x;
      for (const char of chars) {
        const advance = faces[item.weight].advance(char) * item.size;
        if (INKED.test(char)) {
          report.glyphs++;
          if (inkIn(image, layout.height, { x, width: advance, ...band }) === 0) report.blankGlyphs.push({ page: index, char, line: item.text });
        }
        x += advance;
      }
    }
  });
  return report;
}
