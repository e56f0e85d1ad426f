// Pure helpers of the templates screen (unit-tested in model.test.ts).

/** The line a hub message names, from its "(line 12)" ending; null when it names none. */
export function lineOf(message: string): number | null {
  const match = /\(line (\d+)\)\s*$/.exec(message) ?? /\bline (\d+)\b/i.exec(message);
  return match ? Number(match[1]) : null;
}

/** Character offsets of the start and end of a line (from 1) in a text, to select it in a textarea. */
export function lineRange(text: string, line: number): { start: number; end: number } {
  let start = 0;
  for (let n = 1; n < line; n++) {
    const next = text.indexOf('\n', start);
    if (next === -1) return { start: text.length, end: text.length };
    start = next + 1;
  }
  const end = text.indexOf('\n', start);
  return { start, end: end === -1 ? text.length : end };
}

/** A JSON text as an object, or the parser's message. */
export function parseObject(text: string): { value?: Record<string, unknown>; error?: string } {
  if (!text.trim()) return {};
  try {
    const value = JSON.parse(text) as unknown;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return { error: 'not a JSON object' };
    return { value: value as Record<string, unknown> };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

export const TEMPLATE_ID = /^[a-z0-9][a-z0-9-]{1,62}$/;
