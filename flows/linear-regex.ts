// The regular expressions of flow and mapping expressions run on RE2's linear-time engine
// (re2js: the pure-JavaScript port of RE2, so it runs in the server, in activities and in the
// designer's Web Worker alike). A JavaScript RegExp backtracks: /(a+)+$/ on 5,000 letters and a
// "!" takes longer than the universe, inside one JSONata step, where no step budget or clock
// check can stop it. RE2 matches in time linear in the input, and refuses what needs
// backtracking (back-references, look-arounds) when the expression runs, with a message saying so.
import { RE2JS } from 're2js';

/**
 * What JSONata's evaluator needs of its `RegexEngine` (jsonata 2.x `evaluateRegex`): built from the
 * parsed RegExp literal (flags i, m and the g JSONata adds), `exec` from `lastIndex`, `source`.
 */
/**
 * Matches one regex may find in one evaluation: $match and $replace loop over them inside one step
 * (a million one-letter matches took 1.3 s). As many as EXPRESSION_LIMITS.items allows in an array.
 */
export const MAX_REGEX_MATCHES = 100_000;

export class LinearRegExp {
  lastIndex = 0;
  private matches = 0;
  readonly source: string;
  readonly flags: string;
  private readonly pattern: RE2JS;

  constructor(literal: RegExp | string) {
    const regex = typeof literal === 'string' ? new RegExp(literal) : literal;
    this.source = regex.source;
    this.flags = regex.flags;
    try {
      this.pattern = RE2JS.compile(RE2JS.translateRegExp(regex), (regex.ignoreCase ? RE2JS.CASE_INSENSITIVE : 0) | (regex.multiline ? RE2JS.MULTILINE : 0));
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      const hint = /\\[1-9]|\(\?[=!<]|\\k</.test(regex.source)
        ? 'back-references and look-arounds are not supported, as no linear-time match exists for them'
        : 'it is not a supported regular expression';
      throw new Error(`regular expression /${regex.source}/: ${hint} (${why})`);
    }
  }

  /** Like RegExp#exec of a global regex: the next match at or after lastIndex, which moves past it. */
  exec(input: string): RegExpExecArray | null {
    if (++this.matches > MAX_REGEX_MATCHES) throw new Error(`regular expression /${this.source}/ matched more than ${MAX_REGEX_MATCHES} times in one evaluation`);
    const matcher = this.pattern.matcher(input);
    if (this.lastIndex > input.length || !matcher.find(this.lastIndex)) {
      this.lastIndex = 0;
      return null;
    }
    const groups: Array<string | undefined> = [];
    for (let i = 0; i <= matcher.groupCount(); i++) groups.push(matcher.group(i) ?? undefined);
    const match = Object.assign(groups as unknown as RegExpExecArray, { index: matcher.start(), input });
    this.lastIndex = matcher.end();
    return match;
  }
}
