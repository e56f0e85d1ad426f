// Layout: markup blocks → positioned text, boxes and signature areas on A4 pages.
// Pure computation over font metrics; drawing the result is pdf.ts's job. Coordinates are
// PDF points with the origin at the bottom-left of the page; a text item's y is its
// baseline. Page numbers are placed last, once the page count is known.
import { breakLines, type BrokenLine } from './linebreak';
import type { Align, Block, FurniturePart, PageMargins, TableCell, TableColumn } from './markup';
import type { FontFace, FontWeight } from './fonts';
import type { ReservedArea, SignatureArea, SignerSlot } from './types';

/** A4 in points (210 × 297 mm). */
export const A4 = { width: 595.28, height: 841.89 } as const;
export const MARGINS: PageMargins = { top: 72, right: 72, bottom: 72, left: 72 };
/** baseline of the footer ("第 N 页 共 M 页") and of the running header, from the page edge, at most */
const FURNITURE_BASELINE = 40;
const DEFAULT_FOOTER: FurniturePart[] = ['第 ', { field: 'page' }, ' 页 共 ', { field: 'pages' }, ' 页'];

interface TextStyle {
  size: number;
  /** height of one line box */
  leading: number;
  weight: FontWeight;
}

// 五号 (10.5 pt) body text and 小二 (18 pt) title, the sizes Chinese contracts are set in.
const STYLES = {
  title: { size: 18, leading: 30, weight: 'bold' },
  heading2: { size: 12, leading: 21, weight: 'bold' },
  heading3: { size: 10.5, leading: 19, weight: 'bold' },
  body: { size: 10.5, leading: 18, weight: 'regular' },
  signatureLabel: { size: 10.5, leading: 18, weight: 'bold' },
  cell: { size: 9, leading: 13, weight: 'regular' },
  headerCell: { size: 9, leading: 13, weight: 'bold' },
  summaryCell: { size: 9, leading: 13, weight: 'bold' },
  footer: { size: 9, leading: 12, weight: 'regular' },
  banner: { size: 10.5, leading: 16, weight: 'bold' },
} satisfies Record<string, TextStyle>;

const SPACE = { afterTitle: 8, beforeHeading: 8, afterParagraph: 3, gap: 8, aroundTable: 6 } as const;
const CELL_PADDING = { x: 4, y: 3 } as const;
const TABLE_RULE = { width: 0.6, paint: 0.35 } as const;
const HEADER_FILL = 0.9;
// A company seal is 40–42 mm across (about 119 pt); a handwritten signature needs less.
const SIGNATURE_AREA = { width: 170, company: 125, person: 60 } as const;
const SIGNATURE_COLUMN_GAP = 24;
/** red of warnings (a broken hash chain): the banner's text and rule, and its light fill */
const ALARM: Rgb = [0.78, 0.08, 0.08];
const ALARM_FILL: Rgb = [1, 0.92, 0.92];
const BANNER_PADDING = 8;
/** space between a right-aligned reserved area and the text running beside it */
const FLOAT_GAP = 10;
const ELLIPSIS = '…';

/** A colour: a gray level 0 (black) … 1 (white), or red, green, blue 0 … 1. */
export type Rgb = [number, number, number];
export type Paint = number | Rgb;

export interface TextItem {
  kind: 'text';
  text: string;
  x: number;
  /** baseline */
  y: number;
  size: number;
  weight: FontWeight;
  /** measured advance width in points */
  width: number;
  /** black when absent */
  color?: Rgb;
}

export interface BoxItem {
  kind: 'box';
  x: number;
  y: number;
  width: number;
  height: number;
  fill?: Paint;
  stroke?: { width: number; paint: Paint; dash?: number[] };
}

export type PageItem = TextItem | BoxItem;

export interface LaidOutPage {
  items: PageItem[];
}

export interface LaidOutDocument {
  width: number;
  height: number;
  pages: LaidOutPage[];
  signatureAreas: SignatureArea[];
  reservedAreas: ReservedArea[];
}

export type LayoutErrorCode = 'unknown_signer' | 'missing_glyph' | 'bad_margins';

export class LayoutError extends Error {
  constructor(
    readonly code: LayoutErrorCode,
    message: string,
    /** line of the markup that asked for it */
    readonly line?: number,
  ) {
    super(message);
    this.name = 'LayoutError';
  }
}

export interface LayoutOptions {
  faces: Record<FontWeight, FontFace>;
  signers: SignerSlot[];
}

interface MeasuredCell {
  x: number;
  width: number;
  align: Align;
  lines: BrokenLine[];
}

interface MeasuredRow {
  cells: MeasuredCell[];
  style: TextStyle;
  fill?: Paint;
  color?: Rgb;
}

type SignaturePlacement = { signer: SignerSlot; label: string };

function rowHeight(row: MeasuredRow): number {
  const lines = Math.max(1, ...row.cells.map((cell) => cell.lines.length));
  return lines * row.style.leading + 2 * CELL_PADDING.y;
}

/** Splits a row so that its first part has at most `lines` lines in every cell. */
function splitRow(row: MeasuredRow, lines: number): [MeasuredRow, MeasuredRow] {
  const head = { ...row, cells: row.cells.map((cell) => ({ ...cell, lines: cell.lines.slice(0, lines) })) };
  const tail = { ...row, cells: row.cells.map((cell) => ({ ...cell, lines: cell.lines.slice(lines) })) };
  return [head, tail];
}

class PageFlow {
  readonly pages: LaidOutPage[] = [];
  readonly signatureAreas: SignatureArea[] = [];
  readonly reservedAreas: ReservedArea[] = [];
  private y = 0;
  private readonly top: number;
  private readonly bottom: number;
  readonly left: number;
  readonly width: number;
  /** a right-aligned reserved area on this page: text beside it is narrower down to its bottom */
  private float: { bottom: number; width: number } | null = null;

  constructor(
    private readonly faces: Record<FontWeight, FontFace>,
    readonly margins: PageMargins,
  ) {
    this.top = A4.height - margins.top;
    this.bottom = margins.bottom;
    this.left = margins.left;
    this.width = A4.width - margins.left - margins.right;
    this.newPage();
  }

  /** Width for text starting at the cursor: the page width, less a reserved area beside it. */
  get textWidth(): number {
    return this.float && this.y > this.float.bottom ? this.width - this.float.width - FLOAT_GAP : this.width;
  }

  /** Moves below a reserved area beside the cursor (blocks that span the page: tables, banners, signatures). */
  clearFloat(): void {
    if (this.float && this.y > this.float.bottom) this.y = this.float.bottom;
    this.float = null;
  }

  reserve(id: string, width: number, height: number, align: Align): void {
    if (align !== 'right') this.clearFloat();
    this.ensure(height);
    const x = align === 'left' ? this.left : align === 'center' ? this.left + (this.width - width) / 2 : this.left + this.width - width;
    const area = { id, page: this.pages.length - 1, x, y: this.y - height, width, height };
    this.reservedAreas.push(area);
    if (align === 'right') this.float = { bottom: area.y, width };
    else this.y = area.y;
  }

  get page(): LaidOutPage {
    return this.pages[this.pages.length - 1];
  }

  get atPageTop(): boolean {
    return this.y === this.top;
  }

  get remaining(): number {
    return this.y - this.bottom;
  }

  get pageSpace(): number {
    return this.top - this.bottom;
  }

  newPage(): void {
    this.pages.push({ items: [] });
    this.y = this.top;
    this.float = null;
  }

  /** Starts a new page unless `height` still fits on this one (or this page is empty). */
  ensure(height: number): void {
    if (height > this.remaining && !this.atPageTop) this.newPage();
  }

  skip(height: number): void {
    if (!this.atPageTop) this.y = Math.max(this.bottom, this.y - height);
  }

  charWidth(style: TextStyle): (char: string) => number {
    const face = this.faces[style.weight];
    return (char) => face.advance(char) * style.size;
  }

  wrap(text: string, width: number, style: TextStyle): BrokenLine[] {
    return breakLines(text, width, this.charWidth(style));
  }

  /** Baseline of a line whose box starts at `top`: the glyph box centred in the line box. */
  baseline(top: number, style: TextStyle): number {
    const face = this.faces[style.weight];
    const glyphHeight = (face.ascent + face.descent) * style.size;
    return top - (style.leading - glyphHeight) / 2 - face.ascent * style.size;
  }

  text(line: BrokenLine, x: number, top: number, style: TextStyle, align: Align, width: number, color?: Rgb): void {
    if (line.text.trim() === '') return;
    const offset = align === 'center' ? (width - line.width) / 2 : align === 'right' ? width - line.width : 0;
    this.page.items.push({ kind: 'text', text: line.text, x: x + offset, y: this.baseline(top, style), size: style.size, weight: style.weight, width: line.width, ...(color && { color }) });
  }

  /** At most `max` lines; the last one kept is cut to fit `width` with "…" when any were dropped. */
  truncate(lines: BrokenLine[], max: number, width: number, style: TextStyle): BrokenLine[] {
    if (lines.length <= max) return lines;
    const charWidth = this.charWidth(style);
    const chars = [...lines[max - 1].text.trimEnd()];
    const measure = (text: string) => [...text].reduce((sum, char) => sum + charWidth(char), 0);
    while (chars.length > 0 && measure(chars.join('') + ELLIPSIS) > width) chars.pop();
    const text = chars.join('') + ELLIPSIS;
    return [...lines.slice(0, max - 1), { text, width: measure(text) }];
  }

  /** Flows lines down the page, breaking pages as needed; keeps at least `keep` lines together at a page end. */
  lines(lines: BrokenLine[], style: TextStyle, align: Align, keep = 1, width = this.width): void {
    this.ensure(Math.min(keep, lines.length) * style.leading);
    for (const line of lines) {
      this.ensure(style.leading);
      this.text(line, this.left, this.y, style, align, this.y > (this.float?.bottom ?? Infinity) ? width : this.width);
      this.y -= style.leading;
    }
  }

  box(item: Omit<BoxItem, 'kind'>): void {
    this.page.items.push({ kind: 'box', ...item });
  }

  /** Draws a table row at the cursor; the caller has made sure it fits. */
  row(row: MeasuredRow): void {
    const height = rowHeight(row);
    const top = this.y;
    for (const cell of row.cells) {
      this.box({ x: cell.x, y: top - height, width: cell.width, height, fill: row.fill, stroke: TABLE_RULE });
      cell.lines.forEach((line, index) => {
        this.text(line, cell.x + CELL_PADDING.x, top - CELL_PADDING.y - index * row.style.leading, row.style, cell.align, cell.width - 2 * CELL_PADDING.x, row.color);
      });
    }
    this.y -= height;
  }

  moveTo(y: number): void {
    this.y = y;
  }

  get cursor(): number {
    return this.y;
  }
}

export function layoutDocument(blocks: Block[], options: LayoutOptions): LaidOutDocument {
  const margins = blocks.find((block) => block.kind === 'margins')?.margins ?? MARGINS;
  if (margins.left + margins.right > A4.width - 144 || margins.top + margins.bottom > A4.height - 144) {
    const line = blocks.find((block) => block.kind === 'margins')?.line;
    throw new LayoutError('bad_margins', 'the margins leave less than 144 pt (2 inches) of page across or down', line);
  }
  const flow = new PageFlow(options.faces, margins);
  const signers = new Map(options.signers.map((signer) => [signer.id, signer]));

  const placedExplicitly = new Set<string>();
  for (const block of blocks) {
    if (block.kind !== 'signature') continue;
    if (!signers.has(block.signerId)) {
      const known = options.signers.map((signer) => signer.id).join(', ') || 'none';
      throw new LayoutError('unknown_signer', `the template places signer "${block.signerId}", who is not among the signers given (${known})`, block.line);
    }
    placedExplicitly.add(block.signerId);
  }
  const placedByList = new Set<string>();
  const unplaced = () => options.signers.filter((signer) => !placedExplicitly.has(signer.id) && !placedByList.has(signer.id));

  let pendingSignatures: SignaturePlacement[] = [];
  const flushSignatures = () => {
    if (pendingSignatures.length) signatureGroup(flow, pendingSignatures);
    pendingSignatures = [];
  };

  blocks.forEach((block, index) => {
    // Signature lines, even with blank lines between them, form one group laid out in two columns.
    if (block.kind === 'gap' && pendingSignatures.length) return;
    if (block.kind !== 'signature' && block.kind !== 'signatures') flushSignatures();
    switch (block.kind) {
      case 'title': {
        const width = flow.textWidth;
        flow.lines(flow.wrap(block.text, width, STYLES.title), STYLES.title, 'center', 1, width);
        flow.skip(SPACE.afterTitle);
        break;
      }
      case 'heading': {
        const style = block.level === 2 ? STYLES.heading2 : STYLES.heading3;
        const width = flow.textWidth;
        const lines = flow.wrap(block.text, width, style);
        flow.skip(SPACE.beforeHeading);
        // A heading never ends a page: it moves with the first two lines of what follows.
        const next = blocks[index + 1];
        const followHeight = next && next.kind !== 'pagebreak' ? 2 * STYLES.body.leading : 0;
        flow.ensure(lines.length * style.leading + followHeight);
        flow.lines(lines, style, 'left', 1, width);
        break;
      }
      case 'paragraph': {
        const width = flow.textWidth;
        flow.lines(flow.wrap(block.text, width, STYLES.body), STYLES.body, block.align, 2, width);
        flow.skip(SPACE.afterParagraph);
        break;
      }
      case 'banner':
        flow.clearFloat();
        flow.skip(SPACE.aroundTable);
        banner(flow, block.lines);
        flow.skip(SPACE.aroundTable);
        break;
      case 'area':
        flow.reserve(block.id, block.width, block.height, block.align);
        break;
      case 'furniture':
      case 'margins':
        break;
      case 'gap':
        flow.skip(SPACE.gap);
        break;
      case 'pagebreak':
        if (!flow.atPageTop) flow.newPage();
        break;
      case 'table':
        flow.clearFloat();
        flow.skip(SPACE.aroundTable);
        table(flow, block.columns, block.header, block.rows, block.summary, new Set(block.alarmRows));
        flow.skip(SPACE.aroundTable);
        break;
      case 'signature': {
        const signer = signers.get(block.signerId)!;
        pendingSignatures.push({ signer, label: block.label ?? defaultLabel(signer) });
        break;
      }
      case 'signatures':
        for (const signer of unplaced()) {
          placedByList.add(signer.id);
          pendingSignatures.push({ signer, label: defaultLabel(signer) });
        }
        break;
    }
  });
  flushSignatures();
  // Every signer gets an area, even where the template forgot to place one.
  const forgotten = unplaced();
  if (forgotten.length) {
    signatureGroup(flow, forgotten.map((signer) => ({ signer, label: defaultLabel(signer) })));
  }

  pageFurniture(flow, blocks);
  checkGlyphs(flow.pages, options.faces, blocks);
  return { width: A4.width, height: A4.height, pages: flow.pages, signatureAreas: flow.signatureAreas, reservedAreas: flow.reservedAreas };
}

/** The footer (default "第 N 页 共 M 页") on every page and the running header from page 2: placed once the page count is known. */
function pageFurniture(flow: PageFlow, blocks: Block[]): void {
  const furniture = (place: 'header' | 'footer') =>
    [...blocks].reverse().find((block): block is Extract<Block, { kind: 'furniture' }> => block.kind === 'furniture' && block.place === place);
  const footer = furniture('footer')?.parts ?? DEFAULT_FOOTER;
  const header = furniture('header')?.parts;
  const style = STYLES.footer;
  const total = flow.pages.length;
  const place = (page: LaidOutPage, parts: FurniturePart[], number: number, baseline: number, align: Align) => {
    const text = parts.map((part) => (typeof part === 'string' ? part : String(part.field === 'page' ? number : total))).join('');
    const [line] = flow.truncate(flow.wrap(text.replace(/\n/g, ' '), flow.width, style), 1, flow.width, style);
    if (!line) return;
    const x = flow.left + (align === 'center' ? (flow.width - line.width) / 2 : 0);
    page.items.push({ kind: 'text', text: line.text, x, y: baseline, size: style.size, weight: style.weight, width: line.width });
  };
  flow.pages.forEach((page, index) => {
    place(page, footer, index + 1, Math.min(FURNITURE_BASELINE, flow.margins.bottom - style.leading), 'center');
    if (header && index > 0) place(page, header, index + 1, A4.height - Math.min(FURNITURE_BASELINE, flow.margins.top - style.leading), 'left');
  });
}

/** A red box across the page holding warning lines, kept on one page. */
function banner(flow: PageFlow, texts: string[]): void {
  const style = STYLES.banner;
  const inner = flow.width - 2 * BANNER_PADDING;
  const lines = texts.flatMap((text) => flow.wrap(text, inner, style));
  const height = lines.length * style.leading + 2 * BANNER_PADDING;
  flow.ensure(height);
  const top = flow.cursor;
  flow.box({ x: flow.left, y: top - height, width: flow.width, height, fill: ALARM_FILL, stroke: { width: 1, paint: ALARM } });
  lines.forEach((line, index) => flow.text(line, flow.left + BANNER_PADDING, top - BANNER_PADDING - index * style.leading, style, 'left', inner, ALARM));
  flow.moveTo(top - height);
}

function defaultLabel(signer: SignerSlot): string {
  return signer.party === 'company' ? '签章（盖章）' : '签字';
}

function table(flow: PageFlow, columns: TableColumn[], header: TableCell[], rows: TableCell[][], summary: TableCell[][], alarmRows: Set<number>): void {
  const totalWeight = columns.reduce((sum, column) => sum + column.weight, 0);
  const edges: number[] = [flow.left];
  for (const column of columns) edges.push(edges[edges.length - 1] + (flow.width * column.weight) / totalWeight);

  const measure = (cells: TableCell[], style: TextStyle, fill: Paint | undefined, headerRow: boolean): MeasuredRow => {
    let column = 0;
    const measured = cells.map((cell) => {
      const x = edges[column];
      const width = edges[column + cell.span] - x;
      const align = headerRow ? 'center' : columns[column].align;
      column += cell.span;
      const maxLines = headerRow ? undefined : columns[column - cell.span].maxLines;
      const inner = Math.max(1, width - 2 * CELL_PADDING.x);
      const lines = flow.wrap(cell.text, inner, style);
      return { x, width, align, lines: maxLines ? flow.truncate(lines, maxLines, inner, style) : lines };
    });
    return { cells: measured, style, fill };
  };

  // A header row of empty cells (`| | |`) is not drawn: a table of labels and values needs none.
  const hasHeader = header.some((cell) => cell.text.trim() !== '');
  const headerRow = measure(header, STYLES.headerCell, HEADER_FILL, true);
  const headerHeight = hasHeader ? rowHeight(headerRow) : 0;
  const body = [
    ...rows.map((cells, index) => (alarmRows.has(index) ? { ...measure(cells, STYLES.cell, ALARM_FILL, false), color: ALARM } : measure(cells, STYLES.cell, undefined, false))),
    ...summary.map((cells) => measure(cells, STYLES.summaryCell, undefined, false)),
  ];

  // The header never stands alone at the foot of a page.
  flow.ensure(headerHeight + (body.length ? rowHeight(body[0]) : 0));
  if (hasHeader) flow.row(headerRow);
  for (let row of body) {
    while (rowHeight(row) > flow.remaining) {
      // A row taller than a whole page (below its header) is split between lines;
      // any other row moves whole to the next page, under a repeated header.
      if (rowHeight(row) > flow.pageSpace - headerHeight) {
        const fitting = Math.floor((flow.remaining - 2 * CELL_PADDING.y) / row.style.leading);
        if (fitting >= 1) {
          const [head, tail] = splitRow(row, fitting);
          flow.row(head);
          row = tail;
        }
      }
      flow.newPage();
      if (hasHeader) flow.row(headerRow);
    }
    flow.row(row);
  }
}

function signatureGroup(flow: PageFlow, placements: SignaturePlacement[]): void {
  flow.clearFloat();
  const columnWidth = (flow.width - SIGNATURE_COLUMN_GAP) / 2;
  const label = STYLES.signatureLabel;
  const body = STYLES.body;
  const measured = placements.map(({ signer, label: text }) => {
    const labelLines = flow.wrap(text, columnWidth, label);
    const nameLines = flow.wrap(signer.name, columnWidth, body);
    const dateLines = flow.wrap('日期：　　　　年　　月　　日', columnWidth, body);
    const areaHeight = signer.party === 'company' ? SIGNATURE_AREA.company : SIGNATURE_AREA.person;
    const height = labelLines.length * label.leading + nameLines.length * body.leading + areaHeight + 6 + dateLines.length * body.leading;
    return { signer, labelLines, nameLines, dateLines, areaHeight, height };
  });
  const rows: (typeof measured)[] = [];
  for (let i = 0; i < measured.length; i += 2) rows.push(measured.slice(i, i + 2));
  const rowGap = SPACE.gap * 2;
  flow.skip(SPACE.gap);
  const groupHeight = rows.reduce((sum, row) => sum + Math.max(...row.map((block) => block.height)), 0) + rowGap * (rows.length - 1);
  // The signature blocks stay together on one page when they can.
  flow.ensure(Math.min(groupHeight, flow.pageSpace));

  rows.forEach((row, rowIndex) => {
    const height = Math.max(...row.map((block) => block.height));
    if (rowIndex > 0) flow.skip(rowGap);
    flow.ensure(height);
    const top = flow.cursor;
    row.forEach((block, columnIndex) => {
      const x = flow.left + columnIndex * (columnWidth + SIGNATURE_COLUMN_GAP);
      let y = top;
      for (const line of block.labelLines) {
        flow.text(line, x, y, label, 'left', columnWidth);
        y -= label.leading;
      }
      for (const line of block.nameLines) {
        flow.text(line, x, y, body, 'left', columnWidth);
        y -= body.leading;
      }
      const area = { x, y: y - 3 - block.areaHeight, width: Math.min(SIGNATURE_AREA.width, columnWidth), height: block.areaHeight };
      flow.box({ ...area, stroke: { width: 0.5, paint: 0.6, dash: [3, 2] } });
      flow.signatureAreas.push({ signerId: block.signer.id, page: flow.pages.length - 1, ...area });
      y = area.y - 3;
      for (const line of block.dateLines) {
        flow.text(line, x, y, body, 'left', columnWidth);
        y -= body.leading;
      }
    });
    flow.moveTo(top - height);
  });
}

/** A character the font cannot draw would print as an empty box: refuse it instead. */
function checkGlyphs(pages: LaidOutPage[], faces: Record<FontWeight, FontFace>, blocks: Block[]): void {
  const missing = new Set<string>();
  for (const page of pages) {
    for (const item of page.items) {
      if (item.kind !== 'text') continue;
      for (const char of item.text) if (!faces[item.weight].has(char)) missing.add(char);
    }
  }
  if (missing.size === 0) return;
  const chars = [...missing];
  const list = chars.map((char) => `"${char}" (U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`).join(', ');
  const line = blocks.find((block) => 'text' in block && chars.some((char) => block.text.includes(char)))?.line;
  throw new LayoutError('missing_glyph', `the contract font has no glyph for ${list}`, line);
}
