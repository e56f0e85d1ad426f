// Handlebars source → a function from data to document markup.
//
// Handlebars escapes for HTML, and its strict mode checks only some lookups (not helper
// arguments, not `each`). So the parsed template is rewritten before it is compiled:
//   {{supplier.name}}     → {{_text (_variable supplier.name "/supplier/name" 0 "supplier.name") "…"}}
//   {{money total}}       → {{_text (money (_variable total "/total" 0 "total")) "…"}}
//   {{#each items}}       → {{#each (_variable items "/items" 0 "items")}}
// `_variable` refuses a value the data does not have, naming the variable, its JSON
// pointer (with the index of every enclosing `each`) and the template line; `_text`
// escapes for OUR markup (markup.ts), so that data can never become structure. Only
// `if` and `unless` may test a variable that is absent: that is what they are for.
// Triple-stash, partials and decorators are refused: each would let text bypass escaping
// or pull in code the template does not show.
import Handlebars from 'handlebars';
import { escapeData } from './markup';
import { HelperInputError, TEMPLATE_HELPERS } from './helpers';
import type { TemplateErrorCode, TemplateIssue } from './errors';

type Node = hbs.AST.Node;
type Program = hbs.AST.Program;
type Expression = hbs.AST.Expression;
type PathExpression = hbs.AST.PathExpression;
type SubExpression = hbs.AST.SubExpression;
type Hash = hbs.AST.Hash;
type Location = hbs.AST.SourceLocation;

const BLOCK_HELPERS = ['if', 'unless', 'each', 'with'] as const;
/** blocks whose condition may name a variable that is absent */
const LENIENT_BLOCKS = new Set<string>(['if', 'unless']);
const VARIABLE = '_variable';
const TEXT = '_text';

const KNOWN_HELPERS: Record<string, boolean> = Object.fromEntries(
  [...BLOCK_HELPERS, 'lookup', ...Object.keys(TEMPLATE_HELPERS), VARIABLE, TEXT].map((name) => [name, true]),
);

const COMPILE_OPTIONS = { knownHelpers: KNOWN_HELPERS, knownHelpersOnly: true, strict: false, data: true } as const;

/** A problem found while the template runs, at a template line. */
export class TemplateRunError extends Error {
  constructor(
    readonly code: TemplateErrorCode,
    readonly path: string,
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
    this.name = 'TemplateRunError';
  }
}

interface HelperOptions {
  loc?: { start: { line: number; column: number } };
  data?: DataFrame;
}

interface DataFrame {
  key?: string | number;
  _parent?: DataFrame;
}

function where(options: HelperOptions): { line?: number; column?: number } {
  return { line: options.loc?.start.line, column: options.loc?.start.column };
}

const environment = Handlebars.create();

for (const [name, helper] of Object.entries(TEMPLATE_HELPERS)) {
  environment.registerHelper(name, (...args: unknown[]) => {
    const options = args.pop() as HelperOptions;
    try {
      return (helper as (...values: unknown[]) => unknown)(...args);
    } catch (error) {
      if (!(error instanceof HelperInputError)) throw error;
      const { line, column } = where(options);
      throw new TemplateRunError('invalid_data', name, `${error.message} (line ${line})`, line, column);
    }
  });
}

/** `~*L` in a pointer pattern stands for the index of the `each` at nesting level L. */
function fillPointer(pattern: string, depth: number, data: DataFrame | undefined): string {
  return pattern.replace(/~\*(\d+)/g, (_, level: string) => {
    let frame = data;
    for (let up = depth - Number(level); up > 0 && frame; up--) frame = frame._parent;
    return frame?.key === undefined ? '*' : String(frame.key).replace(/~/g, '~0').replace(/\//g, '~1');
  });
}

environment.registerHelper(VARIABLE, (value: unknown, pattern: string, depth: number, written: string, options: HelperOptions) => {
  if (value !== undefined) return value;
  const { line, column } = where(options);
  const pointer = pattern ? fillPointer(pattern, depth, options.data) : '';
  const place = pointer && pointer !== written ? ` (${pointer})` : '';
  throw new TemplateRunError('missing_variable', pointer || written, `variable "${written}"${place} is not in the data (line ${line})`, line, column);
});

environment.registerHelper(TEXT, (value: unknown, written: string, options: HelperOptions) => {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') {
    const { line, column } = where(options);
    throw new TemplateRunError('template_compile', written, `${written} prints ${Array.isArray(value) ? 'a list' : 'an object'}; print one of its fields (line ${line})`, line, column);
  }
  return new environment.SafeString(escapeData(String(value)));
});

// --- the rewrite -----------------------------------------------------------------------

interface Scope {
  /** JSON pointer segments of this context in the data, or null where it cannot be known */
  pointer: string[] | null;
  /** how many `each` blocks enclose this context */
  eachDepth: number;
  /** block parameters (`as |item index|`) introduced here */
  params: Map<string, { pointer: string[] | null; eachDepth: number }>;
}

function escapeSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

const path = (name: string, loc: Location): PathExpression => ({ type: 'PathExpression', data: false, depth: 0, parts: [name], original: name, loc }) as PathExpression;
const text = (value: string, loc: Location): Expression => ({ type: 'StringLiteral', value, original: value, loc }) as Expression;
const number = (value: number, loc: Location): Expression => ({ type: 'NumberLiteral', value, original: value, loc }) as Expression;
const call = (name: string, params: Expression[], loc: Location): SubExpression =>
  ({ type: 'SubExpression', path: path(name, loc), params, loc }) as SubExpression;

class TemplateRewriter {
  readonly issues: TemplateIssue[] = [];
  private readonly sourceLines: string[];

  constructor(source: string) {
    this.sourceLines = source.split('\n');
  }

  /** The template text of a node, for messages. */
  private written(node: Node): string {
    const { start, end } = node.loc;
    if (start.line !== end.line) return this.sourceLines[start.line - 1]?.slice(start.column).trim() ?? '';
    return this.sourceLines[start.line - 1]?.slice(start.column, end.column) ?? '';
  }

  private refuse(node: Node, message: string): void {
    this.issues.push({ code: 'template_compile', path: this.written(node), message: `${message} (line ${node.loc.start.line})`, line: node.loc.start.line, column: node.loc.start.column });
  }

  private resolve(expression: PathExpression, scopes: Scope[]): { pointer: string[] | null; eachDepth: number } {
    if (expression.data) {
      return expression.parts[0] === 'root' ? { pointer: expression.parts.slice(1), eachDepth: 0 } : { pointer: null, eachDepth: 0 };
    }
    if (expression.depth === 0 && expression.parts.length > 0) {
      for (let i = scopes.length - 1; i >= 0; i--) {
        const param = scopes[i].params.get(expression.parts[0]);
        if (param) return { pointer: param.pointer && [...param.pointer, ...expression.parts.slice(1)], eachDepth: param.eachDepth };
      }
    }
    const scope = scopes[scopes.length - 1 - expression.depth];
    if (!scope) return { pointer: null, eachDepth: 0 };
    return { pointer: scope.pointer && [...scope.pointer, ...expression.parts], eachDepth: scope.eachDepth };
  }

  /** A variable passed on: checked by `_variable`, which knows where it should be in the data. */
  private variable(expression: PathExpression, scopes: Scope[]): SubExpression {
    const { pointer } = this.resolve(expression, scopes);
    const pattern = pointer ? '/' + pointer.map((segment) => (segment.startsWith('~*') ? segment : escapeSegment(segment))).join('/') : '';
    const depth = scopes[scopes.length - 1].eachDepth;
    return call(VARIABLE, [expression, text(pattern, expression.loc), number(depth, expression.loc), text(expression.original, expression.loc)], expression.loc);
  }

  private argument(expression: Expression, scopes: Scope[]): Expression {
    if (expression.type === 'PathExpression') return this.variable(expression as PathExpression, scopes);
    if (expression.type === 'SubExpression') return this.helperCall(expression as SubExpression, scopes);
    return expression;
  }

  private hash(hash: Hash | undefined, scopes: Scope[]): Hash | undefined {
    if (!hash) return hash;
    return { ...hash, pairs: hash.pairs.map((pair) => ({ ...pair, value: this.argument(pair.value, scopes) })) };
  }

  private helperCall(expression: SubExpression, scopes: Scope[]): SubExpression {
    return { ...expression, params: expression.params.map((param) => this.argument(param, scopes)), hash: this.hash(expression.hash, scopes)! };
  }

  private isHelperName(expression: Node): boolean {
    const candidate = expression as PathExpression;
    return expression.type === 'PathExpression' && !candidate.data && candidate.depth === 0 && candidate.parts.length === 1 && KNOWN_HELPERS[candidate.parts[0]] === true;
  }

  program(program: Program | undefined, scopes: Scope[]): Program | undefined {
    if (!program) return program;
    const body: hbs.AST.Statement[] = [];
    for (const statement of program.body) {
      switch (statement.type) {
        case 'ContentStatement':
        case 'CommentStatement':
          body.push(statement);
          break;
        case 'MustacheStatement': {
          const mustache = statement as hbs.AST.MustacheStatement;
          if (!mustache.escaped) {
            this.refuse(mustache, 'triple braces would print data unescaped; use {{…}}');
            break;
          }
          if (mustache.path.type !== 'PathExpression') {
            this.refuse(mustache, 'print a variable or a helper, not a literal');
            break;
          }
          const hasArguments = mustache.params.length > 0 || (mustache.hash?.pairs.length ?? 0) > 0;
          const value: Expression =
            hasArguments || this.isHelperName(mustache.path)
              ? this.helperCall({ type: 'SubExpression', path: mustache.path, params: mustache.params, hash: mustache.hash, loc: mustache.loc } as SubExpression, scopes)
              : this.variable(mustache.path as PathExpression, scopes);
          body.push({ ...mustache, path: path(TEXT, mustache.loc), params: [value, text(this.written(mustache), mustache.loc)], hash: undefined } as unknown as hbs.AST.MustacheStatement);
          break;
        }
        case 'BlockStatement': {
          const block = statement as hbs.AST.BlockStatement;
          const name = block.path.original;
          if (!(BLOCK_HELPERS as readonly string[]).includes(name)) {
            this.refuse(block, `{{#${name}}} is not a block this renderer knows (use ${BLOCK_HELPERS.join(', ')})`);
            break;
          }
          const params = LENIENT_BLOCKS.has(name)
            ? block.params.map((param) => (param.type === 'SubExpression' ? this.helperCall(param as SubExpression, scopes) : param))
            : block.params.map((param) => this.argument(param, scopes));
          const outer = scopes[scopes.length - 1];
          let inner = scopes;
          if (name === 'each' || name === 'with') {
            const subject = block.params[0];
            const resolved = subject?.type === 'PathExpression' ? this.resolve(subject as PathExpression, scopes) : { pointer: null };
            const eachDepth = outer.eachDepth + (name === 'each' ? 1 : 0);
            const pointer = resolved.pointer && (name === 'each' ? [...resolved.pointer, `~*${eachDepth}`] : resolved.pointer);
            const blockParams = new Map<string, { pointer: string[] | null; eachDepth: number }>();
            const [itemName, indexName] = block.program?.blockParams ?? [];
            if (itemName) blockParams.set(itemName, { pointer, eachDepth });
            if (indexName) blockParams.set(indexName, { pointer: null, eachDepth });
            inner = [...scopes, { pointer, eachDepth, params: blockParams }];
          }
          body.push({
            ...block,
            params,
            hash: this.hash(block.hash, scopes)!,
            program: this.program(block.program, inner)!,
            inverse: this.program(block.inverse, scopes)!,
          } as hbs.AST.BlockStatement);
          break;
        }
        case 'PartialStatement':
        case 'PartialBlockStatement':
          this.refuse(statement, 'partials are not supported: keep the whole contract in one template');
          break;
        default:
          this.refuse(statement, `${statement.type} is not supported`);
      }
    }
    return { ...program, body };
  }
}

export interface CompiledTemplate {
  /** data → document markup; throws TemplateRunError */
  (data: Record<string, unknown>): string;
}

export type CompileResult = { ok: true; template: CompiledTemplate } | { ok: false; issues: TemplateIssue[] };

function parseErrorIssue(error: unknown): TemplateIssue {
  const message = error instanceof Error ? error.message : String(error);
  const exception = error as { lineNumber?: number; column?: number };
  const line = exception.lineNumber ?? Number(/on line (\d+)/.exec(message)?.[1] ?? NaN);
  const unknownHelper = /unknown helper (\S+)/.exec(message)?.[1];
  const reason = unknownHelper
    ? `"${unknownHelper}" is not a helper (helpers: ${Object.keys(TEMPLATE_HELPERS).join(', ')})`
    : message.includes("got 'EOF'")
      ? 'the template ends inside a block: a {{/…}} is missing'
      : message.split('\n').pop()!.replace(/ - \d+:\d+$/, '');
  return {
    code: 'template_compile',
    path: unknownHelper ?? '',
    message: Number.isNaN(line) ? reason : `${reason} (line ${line})`,
    ...(Number.isNaN(line) ? {} : { line }),
    ...(exception.column === undefined ? {} : { column: exception.column }),
  };
}

/** Parses, checks and compiles a template; every problem comes back with its line. */
export function compileTemplate(source: string): CompileResult {
  let ast: Program;
  try {
    ast = environment.parseWithoutProcessing(source);
  } catch (error) {
    return { ok: false, issues: [parseErrorIssue(error)] };
  }
  const rewriter = new TemplateRewriter(source);
  const rewritten = rewriter.program(ast, [{ pointer: [], eachDepth: 0, params: new Map() }])!;
  if (rewriter.issues.length) return { ok: false, issues: rewriter.issues };
  try {
    // precompile runs the whole compiler now, so that an unknown helper is reported here
    // rather than on first render.
    environment.precompile(rewritten, COMPILE_OPTIONS);
  } catch (error) {
    return { ok: false, issues: [parseErrorIssue(error)] };
  }
  const template = environment.compile(rewritten, COMPILE_OPTIONS);
  return { ok: true, template: (data) => template(data) };
}
