// Just enough page layout for the evidence report: text wrapped to a width, a cursor that
// moves down the page and opens a new A4 page when the next block does not fit, and
// tables whose rows never split across pages and whose header repeats on every page.
import { rgb, type Color, type PDFDocument, type PDFPage } from 'pdf-lib';
import { breakLines } from '../../templates';
import type { ReportFont } from './report-fonts';

export const A4 = { width: 595.28, height: 841.89 };
export const MARGIN = { left: 40, right: 40, top: 44, bottom: 52 };
export const CONTENT_WIDTH = A4.width - MARGIN.left - MARGIN.right;

export const INK = rgb(0.1, 0.1, 0.12);
export const MUTED = rgb(0.42, 0.42, 0.46);
export const RULE = rgb(0.8, 0.8, 0.83);
export const ALARM = rgb(0.78, 0.08, 0.08);

export interface Paragraph {
  text: string;
  font: ReportFont;
  size: number;
  color?: Color;
  /** Lines shown at most; the rest is cut with "…" (the full value is in the attached JSON). */
  maxLines?: number;
}

/** Line height as a multiple of the font size; the baseline sits 0.95 em below a line's top. */
const LEADING = 1.3;
const lineHeight = (p: Paragraph): number => p.size * LEADING;

// ------------------------------------------------------------------ wrapping

/**
 * Lines of `text` no wider than `width`: the document engine's line breaker (templates/),
 * so the report breaks Chinese, Latin words, hashes and user agents as contracts do.
 */
export function wrapText(text: string, width: number, measure: (text: string) => number): string[] {
  return breakLines(text, width, measure).map((line) => line.text);
}

export function paragraphLines(p: Paragraph, width: number): string[] {
  const text = p.text
    .split(/\r?\n/)
    .map((line) => p.font.printable(line))
    .join('\n');
  const lines = wrapText(text, width, (t) => p.font.width(t, p.size));
  if (p.maxLines === undefined || lines.length <= p.maxLines) return lines;
  const kept = lines.slice(0, p.maxLines);
  const last = Array.from(kept[kept.length - 1]);
  while (last.length > 0 && p.font.width(`${last.join('')}…`, p.size) > width) last.pop();
  kept[kept.length - 1] = `${last.join('')}…`;
  return kept;
}

// ------------------------------------------------------------------ the page cursor

export interface PageFlow {
  readonly pdf: PDFDocument;
  page: PDFPage;
  /** The top of the free space on the current page. */
  y: number;
}

export function createPageFlow(pdf: PDFDocument): PageFlow {
  const page = pdf.addPage([A4.width, A4.height]);
  return { pdf, page, y: A4.height - MARGIN.top };
}

export function newPage(flow: PageFlow): void {
  flow.page = flow.pdf.addPage([A4.width, A4.height]);
  flow.y = A4.height - MARGIN.top;
}

/** Opens a new page unless `height` points still fit above the bottom margin; true if it did. */
export function ensureRoom(flow: PageFlow, height: number): boolean {
  if (flow.y - height >= MARGIN.bottom) return false;
  newPage(flow);
  return true;
}

/** Draws wrapped lines with their top at `top`; returns the height used. */
export function drawLines(page: PDFPage, p: Paragraph, lines: string[], x: number, top: number): number {
  lines.forEach((line, i) => {
    if (line) page.drawText(line, { x, y: top - i * lineHeight(p) - p.size * 0.95, size: p.size, font: p.font.pdfFont, color: p.color ?? INK });
  });
  return lines.length * lineHeight(p);
}

/** Paragraphs one under the other at the cursor, moving to a new page between lines as needed. */
export function flowParagraphs(flow: PageFlow, paragraphs: Paragraph[], options: { x?: number; width?: number; gap?: number } = {}): void {
  const x = options.x ?? MARGIN.left;
  const width = options.width ?? CONTENT_WIDTH;
  for (const p of paragraphs) {
    for (const line of paragraphLines(p, width)) {
      ensureRoom(flow, lineHeight(p));
      flow.y -= drawLines(flow.page, p, [line], x, flow.y);
    }
    flow.y -= options.gap ?? 0;
  }
}

// ------------------------------------------------------------------ tables

export type Cell = Paragraph[];

export interface TableColumn {
  header?: Cell;
  width: number;
}

export interface TableRow {
  cells: Cell[];
  /** A background for rows that need attention (a broken chain link). */
  fill?: Color;
}

const PAD = { x: 3, y: 3 };

interface LaidOutRow {
  cells: { paragraph: Paragraph; lines: string[] }[][];
  height: number;
  fill?: Color;
}

function layoutRow(columns: TableColumn[], cells: Cell[], fill?: Color): LaidOutRow {
  const laidOut = columns.map((column, i) => (cells[i] ?? []).map((paragraph) => ({ paragraph, lines: paragraphLines(paragraph, column.width - 2 * PAD.x) })));
  const heights = laidOut.map((cell) => cell.reduce((sum, { paragraph, lines }) => sum + lines.length * lineHeight(paragraph), 0));
  return { cells: laidOut, height: Math.max(0, ...heights) + 2 * PAD.y, fill };
}

function drawRow(flow: PageFlow, columns: TableColumn[], row: LaidOutRow, background?: Color): void {
  const { page } = flow;
  const fill = row.fill ?? background;
  if (fill) page.drawRectangle({ x: MARGIN.left, y: flow.y - row.height, width: CONTENT_WIDTH, height: row.height, color: fill });
  let x = MARGIN.left;
  row.cells.forEach((cell, i) => {
    let top = flow.y - PAD.y;
    for (const { paragraph, lines } of cell) top -= drawLines(page, paragraph, lines, x + PAD.x, top);
    x += columns[i].width;
  });
  flow.y -= row.height;
  page.drawLine({ start: { x: MARGIN.left, y: flow.y }, end: { x: MARGIN.left + CONTENT_WIDTH, y: flow.y }, thickness: 0.4, color: RULE });
}

const HEADER_FILL = rgb(0.92, 0.93, 0.95);

/** A table at the cursor; rows stay whole, and the header (if any) is repeated on each new page. */
export function drawTable(flow: PageFlow, columns: TableColumn[], rows: TableRow[], options: { header?: boolean } = {}): void {
  const header = layoutRow(columns, columns.map((c) => c.header ?? []));
  let headerOnPage = options.header === false;
  for (const row of rows.map((r) => layoutRow(columns, r.cells, r.fill))) {
    if (ensureRoom(flow, row.height + (headerOnPage ? 0 : header.height))) headerOnPage = options.header === false;
    if (!headerOnPage) {
      drawRow(flow, columns, header, HEADER_FILL);
      headerOnPage = true;
    }
    drawRow(flow, columns, row);
  }
  if (rows.length === 0 && options.header !== false) drawRow(flow, columns, header, HEADER_FILL);
}
