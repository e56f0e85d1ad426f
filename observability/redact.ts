// Log lines are read by more people than signing links and keys are meant for. Everything
// the hub writes to its logs passes through `redact()`: a signer's link (the link is the
// credential), bearer tokens, one-time codes, secrets in JSON or query strings.
import { format } from 'node:util';

const HIDDEN = '[redacted]';

const RULES: Array<[RegExp, string]> = [
  // /sign/<token> and /api/sign/<token>[/...]; "batch" is a route, not a token. A token never
  // holds a backslash: stopping there keeps an escaped quote (a link inside a JSON string that
  // is itself in a JSON line) whole, so a redacted JSON line is still JSON.
  [/(\/(?:api\/)?sign\/)(?!batch(?:[/?#\s"'\\]|$))[^/?#\s"'<>\\]+/g, `$1${HIDDEN}`],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${HIDDEN}`],
  // "otp": "123456", "token": "...", secret=..., in JSON, query strings and key=value text
  // (also JSON quoted inside a JSON string, where each quote has its backslash)
  [/(\\?["']?\b(?:otp|token|secret|password|passwd|apiKey|api_key|key|authorization|signature)\\?["']?\s*[:=]\s*\\?["']?)[^"'&,\s}\\]+/gi, `$1${HIDDEN}`],
  // a code is redacted when it looks like one (digits); error codes such as "source_failed" stay readable
  [/(\\?["']?\b(?:code|verificationCode)\\?["']?\s*[:=]\s*\\?["']?)\d{4,8}\b/gi, `$1${HIDDEN}`],
  // the SMS text itself: 验证码 123456
  [/(验证码\D{0,3})\d{4,8}/g, `$1${HIDDEN}`],
  [/\bsf_admin_[A-Za-z0-9_-]+/g, `sf_admin_${HIDDEN}`],
];

/** The text with signing-link tokens, bearer tokens, codes and secrets replaced by "[redacted]". */
export function redact(text: string): string {
  let out = text;
  for (const [pattern, replacement] of RULES) out = out.replace(pattern, replacement);
  return out;
}

/** A logger that redacts before it writes. */
export const redactingLog = (write: (line: string) => void) => (message: string) => write(redact(message));

/**
 * Routes every console line of this process through `redact()`, whatever module writes it
 * (the worker's logger, activities, notifiers): the start script calls this once.
 */
export function redactConsole(target: Pick<Console, 'log' | 'info' | 'warn' | 'error' | 'debug'> = console): void {
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const write = target[level].bind(target);
    target[level] = (...args: unknown[]) => write(redact(format(...args)));
  }
}
