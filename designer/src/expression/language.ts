// JSONata for CodeMirror 6: a stream tokenizer (no Lezer grammar), written for this editor.
// It knows what highlighting and completion need: comments, strings, `quoted names`,
// numbers, $variables and $functions, keywords, operators and regular expressions (a `/`
// where a value may start begins a regex; after a value it divides).
import { StreamLanguage, type StreamParser } from '@codemirror/language';

export interface JsonataState {
  /** Inside a block comment that started on an earlier line. */
  comment: boolean;
  /** The last token ended a value (a name, a number, `)`…): a `/` after it divides. */
  afterValue: boolean;
  /** Past the first token (where a flow value's `=` stands). */
  started: boolean;
}

const KEYWORDS = new Set(['and', 'or', 'in']);
const ATOMS = new Set(['true', 'false', 'null']);

function readString(stream: Parameters<StreamParser<JsonataState>['token']>[0], quote: string) {
  let escaped = false;
  let ch: string | void;
  while ((ch = stream.next()) != null) {
    if (ch === quote && !escaped) return;
    escaped = !escaped && ch === '\\';
  }
}

export const jsonataParser: StreamParser<JsonataState> = {
  name: 'jsonata',
  startState: () => ({ comment: false, afterValue: false, started: false }),
  copyState: (s) => ({ ...s }),
  token(stream, state) {
    if (state.comment) {
      if (stream.skipTo('*/')) {
        stream.pos += 2;
        state.comment = false;
      } else stream.skipToEnd();
      return 'comment';
    }
    if (!state.started) {
      state.started = true;
      // The leading `=` of a flow value is not part of the expression.
      if (stream.eat('=')) return 'meta';
    }
    if (stream.eatSpace()) return null;
    if (stream.match('/*')) {
      state.comment = true;
      if (stream.skipTo('*/')) {
        stream.pos += 2;
        state.comment = false;
      } else stream.skipToEnd();
      return 'comment';
    }
    const ch = stream.peek()!;
    if (ch === '"' || ch === "'") {
      stream.next();
      readString(stream, ch);
      state.afterValue = true;
      return 'string';
    }
    if (ch === '`') {
      stream.next();
      stream.skipTo('`') ? stream.next() : stream.skipToEnd();
      state.afterValue = true;
      return 'propertyName';
    }
    if (stream.match(/^-?\d+(\.\d+)?([eE][-+]?\d+)?/) && !(ch === '-' && state.afterValue)) {
      state.afterValue = true;
      return 'number';
    }
    if (ch === '$') {
      stream.next();
      stream.match(/^\$/) || stream.match(/^[\p{L}\p{N}_]*/u);
      const call = stream.match(/^\s*\(/, false);
      state.afterValue = true;
      return call ? 'variableName.function' : 'variableName';
    }
    if (ch === '/' && !state.afterValue) {
      stream.next();
      let escaped = false;
      let c: string | void;
      while ((c = stream.next()) != null) {
        if (c === '/' && !escaped) break;
        escaped = !escaped && c === '\\';
      }
      stream.match(/^[im]*/);
      state.afterValue = true;
      return 'regexp';
    }
    const word = stream.match(/^[\p{L}_][\p{L}\p{N}_]*/u) as RegExpMatchArray | null;
    if (word) {
      const w = word[0];
      if (KEYWORDS.has(w)) {
        state.afterValue = false;
        return 'operatorKeyword';
      }
      if (w === 'function' || w === 'λ') {
        state.afterValue = false;
        return 'keyword';
      }
      state.afterValue = true;
      if (ATOMS.has(w)) return w === 'null' ? 'null' : 'bool';
      return 'propertyName';
    }
    if (stream.match(/^(:=|~>|!=|<=|>=|\.\.|\?\?|\?:|\*\*)/) || stream.match(/^[-+*/%&=<>!?:^~@#|.,;]/)) {
      state.afterValue = false;
      return 'operator';
    }
    if (stream.match(/^[)\]}]/)) {
      state.afterValue = true;
      return 'bracket';
    }
    if (stream.match(/^[([{]/)) {
      state.afterValue = false;
      return 'bracket';
    }
    stream.next();
    state.afterValue = false;
    return null;
  },
  blockCommentStart: '/*',
  blockCommentEnd: '*/',
  languageData: { commentTokens: { block: { open: '/*', close: '*/' } }, closeBrackets: { brackets: ['(', '[', '{', '"', "'"] } },
} as StreamParser<JsonataState>;

export const jsonataLanguage = StreamLanguage.define(jsonataParser);

/**
 * Whether `pos` in `text` (a flow value, with its `=`) is inside a string, a `quoted name`,
 * a comment or a regex: no completion there.
 */
export function insideLiteral(text: string, pos: number): boolean {
  let i = text.startsWith('=') ? 1 : 0;
  let afterValue = false;
  while (i < pos) {
    const ch = text[i]!;
    if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      if (end < 0 || end + 2 > pos) return true;
      i = end + 2;
      continue;
    }
    if (ch === '"' || ch === "'" || ch === '`' || (ch === '/' && !afterValue)) {
      let j = i + 1;
      let escaped = false;
      while (j < text.length && !(text[j] === ch && !escaped)) {
        escaped = !escaped && text[j] === '\\' && ch !== '`';
        j++;
      }
      if (j >= text.length || j >= pos) return true;
      i = j + 1;
      afterValue = true;
      continue;
    }
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    afterValue = /[\p{L}\p{N}_$)\]}]/u.test(ch);
    i++;
  }
  return false;
}
