// Completion in a JSONata field: data fields from the flow's schema and the sample record,
// nested with dots, and $functions with their signatures; nothing inside strings or comments.
import { CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { EditorState } from '@codemirror/state';
import { describe, expect, it } from 'vitest';
import { functionOptions, jsonataCompletion } from './complete';
import { dataFields } from './fields';
import { insideLiteral } from './language';

const schema = {
  type: 'object',
  properties: {
    poNumber: { type: 'string', title: 'PO number' },
    supplier: { type: 'object', properties: { name: { type: 'string' }, mobile: { type: 'string' }, 'bank-name': { type: 'string' } } },
    items: { type: 'array', items: { type: 'object', properties: { quantity: { type: 'number' }, unitPrice: { type: 'string' } } } },
  },
};
const sample = { poNumber: '4500000001', supplier: { name: '深圳市华强电子有限公司', isNew: true }, items: [{ quantity: 2, unitPrice: '38.50', extra: { note: 'x' } }], 合同号: 'QM-1' };

function complete(doc: string, explicit = false): CompletionResult | null {
  const fields = dataFields(schema, sample);
  const pos = doc.indexOf('|');
  const text = doc.replace('|', '');
  const state = EditorState.create({ doc: text });
  return jsonataCompletion(() => fields)(new CompletionContext(state, pos < 0 ? text.length : pos, explicit)) as CompletionResult | null;
}
const labels = (result: CompletionResult | null) => result?.options.map((o) => o.label) ?? [];

describe('data fields', () => {
  it('lists schema paths first, then what only the sample has, nested with dots; arrays without an index', () => {
    const fields = dataFields(schema, sample);
    expect(fields.map((f) => f.path)).toEqual([
      'poNumber',
      'supplier',
      'supplier.name',
      'supplier.mobile',
      'supplier.`bank-name`',
      'items',
      'items.quantity',
      'items.unitPrice',
      'supplier.isNew',
      'items.extra',
      'items.extra.note',
      '合同号',
    ]);
    expect(fields.find((f) => f.path === 'poNumber')).toMatchObject({ type: 'string', info: 'PO number' });
    expect(fields.find((f) => f.path === 'supplier.isNew')).toMatchObject({ type: 'boolean' });
  });

  it('works with only a schema, only a sample, or neither', () => {
    expect(dataFields(undefined, undefined)).toEqual([]);
    expect(dataFields(undefined, { a: { b: 1 } }).map((f) => f.path)).toEqual(['a', 'a.b']);
    expect(dataFields({ type: 'object', properties: { x: { type: ['string', 'null'] } } }, undefined)).toEqual([{ path: 'x', type: 'string', info: undefined }]);
  });
});

describe('completion', () => {
  it('offers supplier.name and its siblings for "=sup", replacing the typed word', () => {
    const result = complete('=sup');
    expect(result?.from).toBe(1);
    expect(labels(result)).toContain('supplier.name');
    expect(labels(result)).toContain('supplier.isNew');
    expect(result?.options.find((o) => o.label === 'supplier.name')?.detail).toBe('string');
  });

  it('completes a dotted path as a whole, mid-expression', () => {
    const result = complete('=$sum(items.qu| * 2)');
    expect(result?.from).toBe('=$sum('.length);
    expect(labels(result)).toContain('items.quantity');
    expect(labels(result)).not.toContain('and');
  });

  it('offers $functions with their signatures after $, and the expression’s own variables first', () => {
    const result = complete('=($total := 1; $su');
    expect(result?.from).toBe('=($total := 1; '.length);
    const sum = result?.options.find((o) => o.label === '$sum');
    expect(sum?.detail).toBe('(array)');
    expect(result?.options.find((o) => o.label === '$substring')?.detail).toBe('(str, start[, length])');
    expect(result?.options[0]?.label).toBe('$total');
    expect(functionOptions.length).toBeGreaterThan(60);
  });

  it('offers nothing inside strings, quoted names and comments, nor in a literal value', () => {
    expect(complete('="sup|"')).toBeNull();
    expect(complete("='a' & 'sup|'")).toBeNull();
    expect(complete('=/* sup| */ 1')).toBeNull();
    expect(complete('supplier')).toBeNull();
    expect(complete('=amount / sup')).not.toBeNull(); // after a value, / divides
    expect(complete('=$match(x, /sup|/)')).toBeNull(); // a regex
  });

  it('lists everything on an explicit request with nothing typed', () => {
    const result = complete('=', true);
    expect(labels(result)).toContain('poNumber');
    expect(labels(result)).toContain('$map');
    expect(complete('=')).toBeNull();
  });

  it('knows where literals end', () => {
    expect(insideLiteral('="a" & b', 7)).toBe(false);
    expect(insideLiteral('="a\\"b', 6)).toBe(true);
    expect(insideLiteral('=`a b`.c', 4)).toBe(true);
    expect(insideLiteral('=`a b`.c', 8)).toBe(false);
  });
});
