// Line breaking for mixed Chinese and Latin text. A line may break between any two CJK
// characters and at spaces; a Latin word moves whole to the next line. Simple 禁则
// (kinsoku) rules keep closing punctuation off the start of a line and opening
// punctuation off its end. A word wider than the whole line is cut between characters,
// so no line ever runs past the margin.

export interface BrokenLine {
  text: string;
  /** drawn width in points (trailing spaces excluded) */
  width: number;
}

/** Width in points of one character at the size being set. */
export type CharWidth = (char: string) => number;

// Characters that must not begin a line (closing marks) / end a line (opening marks).
const NO_LINE_START = new Set([...'，。、；：？！）》」』】〉〕〗｝］’”…‥·・ー～%‰℃,.;:!?)]}%']);
const NO_LINE_END = new Set([...'（《「『【〈〔〖｛［‘“([{¥$£€']);

function isCjk(codePoint: number): boolean {
  return (
    (codePoint >= 0x2e80 && codePoint <= 0x9fff) || // radicals, CJK punctuation, kana, ideographs
    (codePoint >= 0xa960 && codePoint <= 0xa97f) ||
    (codePoint >= 0xac00 && codePoint <= 0xd7ff) || // hangul
    (codePoint >= 0xf900 && codePoint <= 0xfaff) || // compatibility ideographs
    (codePoint >= 0xfe30 && codePoint <= 0xfe4f) ||
    (codePoint >= 0xff00 && codePoint <= 0xffef) || // full-width forms
    (codePoint >= 0x20000 && codePoint <= 0x3ffff) // extension planes
  );
}

interface Atom {
  text: string;
  space: boolean;
}

/** Cuts text into pieces that are never broken inside (unless wider than a line). */
function atomsOf(text: string): Atom[] {
  const atoms: Atom[] = [];
  let word = '';
  const flushWord = () => {
    if (word) atoms.push({ text: word, space: false });
    word = '';
  };
  for (const char of text) {
    if (char === ' ') {
      flushWord();
      atoms.push({ text: char, space: true });
    } else if (isCjk(char.codePointAt(0)!)) {
      flushWord();
      atoms.push({ text: char, space: false });
    } else {
      // Latin letters, digits and ASCII punctuation form words: "123.45" and "Ltd.," never split.
      word += char;
    }
  }
  flushWord();

  // Glue a closing mark to the atom before it and an opening mark to the atom after it.
  const glued: Atom[] = [];
  let opening = '';
  for (const atom of atoms) {
    if (atom.space) {
      if (opening) glued.push({ text: opening, space: false });
      opening = '';
      glued.push(atom);
      continue;
    }
    const previous = glued[glued.length - 1];
    if (!opening && previous && !previous.space && NO_LINE_START.has(firstChar(atom.text))) {
      previous.text += atom.text;
      continue;
    }
    const joined = opening + atom.text;
    opening = '';
    if (NO_LINE_END.has(lastChar(joined))) opening = joined;
    else glued.push({ text: joined, space: false });
  }
  if (opening) glued.push({ text: opening, space: false });
  return glued;
}

function firstChar(text: string): string {
  return String.fromCodePoint(text.codePointAt(0)!);
}

function lastChar(text: string): string {
  const chars = [...text];
  return chars[chars.length - 1];
}

function widthOf(text: string, charWidth: CharWidth): number {
  let width = 0;
  for (const char of text) width += charWidth(char);
  return width;
}

function breakParagraph(text: string, maxWidth: number, charWidth: CharWidth): BrokenLine[] {
  const lines: BrokenLine[] = [];
  let line = '';
  let lineWidth = 0;
  // spaces seen after the last word: kept only if another word follows on this line
  let pending = '';
  let pendingWidth = 0;

  const flush = () => {
    lines.push({ text: line, width: lineWidth });
    line = '';
    lineWidth = 0;
    pending = '';
    pendingWidth = 0;
  };

  for (const atom of atomsOf(text)) {
    const atomWidth = widthOf(atom.text, charWidth);
    if (atom.space) {
      if (line) {
        pending += atom.text;
        pendingWidth += atomWidth;
      }
      continue;
    }
    if (line && lineWidth + pendingWidth + atomWidth <= maxWidth) {
      line += pending + atom.text;
      lineWidth += pendingWidth + atomWidth;
      pending = '';
      pendingWidth = 0;
      continue;
    }
    if (line) flush();
    if (atomWidth <= maxWidth) {
      line = atom.text;
      lineWidth = atomWidth;
      continue;
    }
    // A word longer than the line (an account number, a URL): cut it where it must be cut.
    for (const char of atom.text) {
      const width = charWidth(char);
      if (line && lineWidth + width > maxWidth) flush();
      line += char;
      lineWidth += width;
    }
  }
  if (line || lines.length === 0) flush();
  return lines;
}

/** Breaks text (which may hold hard line breaks) into lines no wider than maxWidth. */
export function breakLines(text: string, maxWidth: number, charWidth: CharWidth): BrokenLine[] {
  return text.split('\n').flatMap((paragraph) => breakParagraph(paragraph, maxWidth, charWidth));
}
