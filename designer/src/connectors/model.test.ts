import { describe, expect, it } from 'vitest';
import { byPath, instanceBody, lineAndColumn, type InstanceDraft } from './model';
import { lineOf, lineRange, parseObject } from '../templates/model';

const draft: InstanceDraft = {
  id: 'sap-prod', name: ' ', connector: 'sap_purchase_orders', flow: 'supplier-purchase', trigger: 'poll', everyMinutes: 15,
  webhookAuth: 'hmac-sha256', webhookSecret: '', enabled: false, orgUnit: '', settings: { username: 'u' }, mapping: '{}',
};

describe('connector instance bodies', () => {
  it('creates with id and connector; changes without them, and sends a webhook secret only when typed', () => {
    expect(instanceBody(draft, false)).toEqual({ id: 'sap-prod', connector: 'sap_purchase_orders', settings: { username: 'u' }, trigger: { kind: 'poll', everyMinutes: 15 }, flow: 'supplier-purchase', mapping: '{}', enabled: false, orgUnit: null });
    expect(instanceBody({ ...draft, trigger: 'webhook' }, true)).toEqual({ name: null, settings: { username: 'u' }, trigger: { kind: 'webhook' }, flow: 'supplier-purchase', mapping: '{}', enabled: false, orgUnit: null });
    expect(instanceBody({ ...draft, trigger: 'webhook', webhookAuth: 'bearer', webhookSecret: 's'.repeat(16) }, true).trigger).toEqual({ kind: 'webhook', auth: { kind: 'bearer', token: 's'.repeat(16) } });
  });

  it('finds the line and column of a mapping error and groups issues by path', () => {
    expect(lineAndColumn('{\n  "a": b\n}', 9)).toEqual({ line: 2, column: 8 });
    expect(lineAndColumn('x', 99)).toEqual({ line: 1, column: 2 });
    expect(byPath([{ path: '/settings/a', message: 'm1' }, { path: '/settings/a', message: 'm2' }, { path: '/flow', message: 'm3' }])).toEqual({ '/settings/a': ['m1', 'm2'], '/flow': ['m3'] });
  });
});

describe('template editor helpers', () => {
  it('reads the line a hub message names and selects it', () => {
    expect(lineOf('triple braces would print data unescaped; use {{…}} (line 3)')).toBe(3);
    expect(lineOf('no line here')).toBeNull();
    const text = 'a\nbb\nccc';
    expect(lineRange(text, 2)).toEqual({ start: 2, end: 4 });
    expect(text.slice(lineRange(text, 3).start, lineRange(text, 3).end)).toBe('ccc');
    expect(lineRange(text, 9)).toEqual({ start: text.length, end: text.length });
  });

  it('parses JSON objects only', () => {
    expect(parseObject('{"a":1}')).toEqual({ value: { a: 1 } });
    expect(parseObject('  ')).toEqual({});
    expect(parseObject('[1]').error).toBeDefined();
    expect(parseObject('{').error).toBeDefined();
  });
});
