// The document markup a template produces: a small, line-oriented syntax (see README.md)
// that the layout engine turns into pages. Structure is decided by the first characters of
// a line and by `|` in table rows; data can never create structure because every value a
// template prints goes through escapeData, which backslash-escapes all ASCII punctuation
// (as CommonMark allows) and turns line breaks into `\n`. The parser decides structure on
// the escaped text, then unescapes what remains as literal text.

export type Align = 'left' | 'center' | 'right';

export interface TableColumn {
  /** share of the table width, from the number of dashes in the separator row */
  weight: number;
  align: Align;
  /** `---~2`: a cell of this column shows at most this many lines, the last cut with "…" */
  maxLines?: number;
}

/** Text of a running header or footer: literal parts and the page number / page count. */
export type FurniturePart = string | { field: 'page' | 'pages' };

export interface PageMargins {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

export interface TableCell {
  text: string;
  /** how many columns this cell covers (a following `<` cell merges into it) */
  span: number;
}

export type Block =
  | { kind: 'title'; text: string; line: number }
  | { kind: 'heading'; level: 2 | 3; text: string; line: number }
  | { kind: 'paragraph'; text: string; align: Align; line: number }
  | { kind: 'gap'; line: number }
  | { kind: 'pagebreak'; line: number }
  | { kind: 'table'; columns: TableColumn[]; header: TableCell[]; rows: TableCell[][]; summary: TableCell[][]; line: number; alarmRows?: number[] }
  | { kind: 'signature'; signerId: string; label: string | null; line: number }
  | { kind: 'signatures'; line: number }
  /** `!!! text` lines: a red warning box across the page */
  | { kind: 'banner'; lines: string[]; line: number }
  /** `::: area <id> <width> <height> [left|center|right]`: a blank area kept for a seal or stamp; a right one lets text run beside it */
  | { kind: 'area'; id: string; width: number; height: number; align: Align; line: number }
  /** `::: header …` (every page after the first) / `::: footer …` (every page), with `{page}` and `{pages}` */
  | { kind: 'furniture'; place: 'header' | 'footer'; parts: FurniturePart[]; line: number }
  /** `::: margins <top> <right> <bottom> <left>` in points */
  | { kind: 'margins'; margins: PageMargins; line: number };

export class MarkupError extends Error {
  constructor(
    message: string,
    /** line of the rendered markup (1-based) */
    readonly line: number,
  ) {
    super(message);
    this.name = 'MarkupError';
  }
}

const PUNCTUATION = /[!-/:-@[-`{-~]/g;
const SIGNER_ID = /^[A-Za-z0-9_-]+$/;

/** Makes a data value literal text in the markup, whatever characters it holds. */
export function escapeData(value: string): string {
  return value
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, ' ')
    // invisible characters (zero-width space, BOM, soft hyphen) copied in with data: nothing to draw
    .replace(/[\u00AD\u200B-\u200D\u2060\uFEFF]/g, '')
    .replace(PUNCTUATION, '\\$&')
    .replace(/\n/g, '\\n');
}

/** `\x` → x for ASCII punctuation, `\n` → line break; any other backslash stays as written. */
export function unescapeText(text: string): string {
  return text.replace(/\\([!-/:-@[-`{-~]|n)/g, (_, char: string) => (char === 'n' ? '\n' : char));
}

/** Splits on `|` that are not escaped; leading and trailing pipes are optional. */
function splitRow(line: string): string[] {
  const cells: string[] = [];
  let current = '';
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (char === '\\' && i + 1 < line.length) {
      current += char + line[i + 1];
      i++;
    } else if (char === '|') {
      cells.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  cells.push(current);
  if (cells[0].trim() === '') cells.shift();
  if (cells.length > 0 && cells[cells.length - 1].trim() === '') cells.pop();
  return cells.map((cell) => cell.trim());
}

const SEPARATOR_CELL = /^:?-+:?(?:~[1-9][0-9]?)?$/;

function isSeparatorRow(cells: string[]): boolean {
  return cells.length > 0 && cells.every((cell) => SEPARATOR_CELL.test(cell));
}

function columnOf(separator: string): TableColumn {
  const [cell, limit] = separator.split('~');
  const left = cell.startsWith(':');
  const right = cell.endsWith(':');
  const column: TableColumn = { weight: cell.replace(/:/g, '').length, align: left && right ? 'center' : right ? 'right' : 'left' };
  if (limit) column.maxLines = Number(limit);
  return column;
}

function rowCells(cells: string[], columns: number, line: number): TableCell[] {
  const row: TableCell[] = [];
  for (const raw of cells) {
    if (raw === '<') {
      if (row.length === 0) throw new MarkupError('a row cannot start with `<` (it merges a cell into the one on its left)', line);
      row[row.length - 1].span++;
    } else {
      row.push({ text: unescapeText(raw), span: 1 });
    }
  }
  const width = row.reduce((sum, cell) => sum + cell.span, 0);
  if (width !== columns) throw new MarkupError(`table row has ${width} cells, the header has ${columns}`, line);
  return row;
}

/** Leading spaces and tabs are template indentation, not text (a full-width 　 indent stays). */
function stripIndent(line: string): string {
  return line.replace(/^[ \t]+/, '').replace(/[ \t]+$/, '');
}

function parseTable(lines: string[], start: number): { block: Block; next: number } {
  const headerCells = splitRow(stripIndent(lines[start]));
  const separatorLine = start + 1 < lines.length ? stripIndent(lines[start + 1]) : '';
  const separator = separatorLine.startsWith('|') ? splitRow(separatorLine) : [];
  if (!isSeparatorRow(separator)) throw new MarkupError('a table needs a separator row such as |---|---:| under its header row', start + 2);
  const columns = separator.map(columnOf);
  const header = rowCells(headerCells, columns.length, start + 1);
  const rows: TableCell[][] = [];
  // `|!!! …|`: a body row that needs attention (red, like a banner). Data cannot start a
  // cell with `!!!`: escapeData writes its `!` as `\!`.
  const alarmRows: number[] = [];
  const summary: TableCell[][] = [];
  let target = rows;
  let index = start + 2;
  for (; index < lines.length; index++) {
    const line = stripIndent(lines[index]);
    if (!line.startsWith('|')) break;
    const cells = splitRow(line);
    if (isSeparatorRow(cells)) {
      if (target === summary) throw new MarkupError('a table has at most one summary separator', index + 1);
      target = summary;
      continue;
    }
    const alarm = target === rows && cells[0]?.startsWith('!!!');
    if (alarm) {
      cells[0] = cells[0].slice(3).trim();
      alarmRows.push(rows.length);
    }
    target.push(rowCells(cells, columns.length, index + 1));
  }
  return { block: { kind: 'table', columns, header, rows, summary, line: start + 1, ...(alarmRows.length && { alarmRows }) }, next: index };
}

const ALIGNS = new Set<string>(['left', 'center', 'right']);
/** Page number placeholders written in the template; data cannot make one, since escapeData turns its `{` into `\{`. */
const PAGE_FIELD = /(?<!\\)\{(pages?)\}/;

/** A number argument of a directive, in points. */
function points(raw: string | undefined, what: string, line: number): number {
  const value = Number(unescapeText(raw ?? ''));
  if (raw === undefined || !Number.isFinite(value) || value < 0 || value > 1000) throw new MarkupError(`${what} must be a number of points from 0 to 1000, not "${raw ?? ''}"`, line);
  return value;
}

function furnitureParts(raw: string): FurniturePart[] {
  return raw
    .split(PAGE_FIELD)
    .map((part, index): FurniturePart => (index % 2 === 1 ? { field: part as 'page' | 'pages' } : unescapeText(part)))
    .filter((part) => part !== '');
}

function parseDirective(body: string, line: number): Block {
  const [name, ...rest] = body.split(/\s+/).filter(Boolean);
  switch (name) {
    case 'area': {
      const [id, width, height, align = 'right'] = rest;
      if (!id || !SIGNER_ID.test(id)) throw new MarkupError('`::: area` needs an id of letters, digits, _ or -, e.g. `::: area platform 150 58 right`', line);
      if (!ALIGNS.has(align)) throw new MarkupError(`\`::: area\` aligns left, center or right, not "${align}"`, line);
      return { kind: 'area', id, width: points(width, 'the area width', line), height: points(height, 'the area height', line), align: align as Align, line };
    }
    case 'header':
    case 'footer':
      return { kind: 'furniture', place: name, parts: furnitureParts(body.replace(/^\S+\s*/, '')), line };
    case 'margins': {
      const [top, right, bottom, left] = ['top', 'right', 'bottom', 'left'].map((side, index) => points(rest[index], `the ${side} margin`, line));
      return { kind: 'margins', margins: { top, right, bottom, left }, line };
    }
    case 'signature': {
      const [signerId, ...label] = rest;
      if (!signerId) throw new MarkupError('`::: signature` needs a signer id, e.g. `::: signature buyer 甲方（盖章）`', line);
      return { kind: 'signature', signerId: unescapeText(signerId), label: label.length ? unescapeText(label.join(' ')) : null, line };
    }
    case 'signatures':
      return { kind: 'signatures', line };
    case 'pagebreak':
      return { kind: 'pagebreak', line };
    default:
      throw new MarkupError(`unknown directive \`::: ${name ?? ''}\` (known: signature, signatures, pagebreak, area, header, footer, margins)`, line);
  }
}

/** Parses rendered markup into blocks; MarkupError names the markup line at fault. */
export function parseMarkup(markup: string): Block[] {
  const lines = markup.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  for (let index = 0; index < lines.length; ) {
    const line = stripIndent(lines[index]);
    const lineNo = index + 1;
    if (line === '') {
      if (blocks.length > 0 && blocks[blocks.length - 1].kind !== 'gap') blocks.push({ kind: 'gap', line: lineNo });
      index++;
      continue;
    }
    if (line.startsWith('|')) {
      const { block, next } = parseTable(lines, index);
      blocks.push(block);
      index = next;
      continue;
    }
    let match: RegExpExecArray | null;
    if ((match = /^(#{1,3})\s+(.*)$/.exec(line))) {
      const level = match[1].length;
      const text = unescapeText(match[2]);
      blocks.push(level === 1 ? { kind: 'title', text, line: lineNo } : { kind: 'heading', level: level as 2 | 3, text, line: lineNo });
    } else if ((match = /^!!!\s*(.*)$/.exec(line))) {
      const text = unescapeText(match[1]);
      const previous = blocks[blocks.length - 1];
      if (previous?.kind === 'banner') previous.lines.push(text);
      else blocks.push({ kind: 'banner', lines: [text], line: lineNo });
    } else if ((match = /^:::\s*(.*)$/.exec(line))) {
      blocks.push(parseDirective(match[1], lineNo));
    } else if ((match = /^->\s*(.*?)\s*<-$/.exec(line))) {
      blocks.push({ kind: 'paragraph', text: unescapeText(match[1]), align: 'center', line: lineNo });
    } else if ((match = /^->\s*(.*)$/.exec(line))) {
      blocks.push({ kind: 'paragraph', text: unescapeText(match[1]), align: 'right', line: lineNo });
    } else {
      blocks.push({ kind: 'paragraph', text: unescapeText(line), align: 'left', line: lineNo });
    }
    index++;
  }
  while (blocks.length > 0 && blocks[blocks.length - 1].kind === 'gap') blocks.pop();
  return blocks;
}

/** The signer lines (`::: signature <id> <label>`) of a template source, in order: the roles its signers fill. */
export function signatureLines(source: string): { id: string; label: string }[] {
  return [...source.matchAll(/^:::\s*signature\s+([A-Za-z0-9_-]+)\s*(.*)$/gm)].map((m) => ({ id: m[1]!, label: m[2]!.trim() || m[1]! }));
}
