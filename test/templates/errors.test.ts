// A template that does not compile, refers to a variable the data lacks, or gets data
// that breaks its schema is refused with an error naming the template, the line and the
// variable or JSON path.
import { describe, expect, it } from 'vitest';
import { TemplateError } from '../../templates/errors';
import type { TemplateSource } from '../../templates/types';
import { createFixture, sampleSigners } from './fixtures';

const { renderer, catalog } = createFixture();
const SIGNERS = [{ id: 'buyer', name: '上海启明智能制造有限公司', party: 'company' as const }];
const OPEN_SCHEMA = { type: 'object' };

function source(hbs: string, schema: Record<string, unknown> = OPEN_SCHEMA): TemplateSource {
  return { id: 'upload', hbs, schema };
}

async function refusal(promise: Promise<unknown>): Promise<TemplateError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TemplateError);
  return error as TemplateError;
}

function render(template: TemplateSource, data: Record<string, unknown> = {}) {
  return renderer.renderTemplate({ templateId: template.id, source: template, data, signers: SIGNERS });
}

describe('a template that does not compile', () => {
  it('is refused with the line of a mismatched block', async () => {
    const error = await refusal(render(source('# 合同\n甲方：{{buyer}}\n{{#each items}}\n{{name}}\n{{/if}}\n')));
    expect(error).toMatchObject({ code: 'template_compile', template: 'upload' });
    expect(error.details[0]).toMatchObject({ line: 3 });
    expect(error.message).toMatch(/^upload: .*each doesn't match if.*line 3/);
  });

  it('is refused with the line where a block is left open', async () => {
    const error = await refusal(render(source('# 合同\n{{#if x}}\n正文\n')));
    expect(error.code).toBe('template_compile');
    expect(error.message).toMatch(/\{\{\/…\}\} is missing \(line \d\)/);
  });

  it('names an unknown helper and its line', async () => {
    const error = await refusal(render(source('# 合同\n\n金额：{{rmb total}}')));
    expect(error.details[0]).toMatchObject({ path: 'rmb', line: 3 });
    expect(error.message).toMatch(/"rmb" is not a helper/);
  });

  it('refuses triple braces, partials and unknown blocks, each with its line', () => {
    const issues = renderer.checkTemplateSource(source('正文\n{{{raw}}}\n{{> clause}}\n{{#repeat 3}}x{{/repeat}}'));
    expect(issues.map((issue) => [issue.code, issue.line])).toEqual([
      ['template_compile', 2],
      ['template_compile', 3],
      ['template_compile', 4],
    ]);
  });

  it('refuses a variables schema that is not a schema', () => {
    const issues = renderer.checkTemplateSource(source('正文', { type: 'objekt' }));
    expect(issues[0]).toMatchObject({ code: 'template_compile', path: '/schema' });
  });
});

describe('a variable the data does not have', () => {
  it('is named, with its JSON path and template line', async () => {
    const error = await refusal(render(source('# 合同\n\n甲方：{{buyer.name}}\n传真：{{buyer.fax}}'), { buyer: { name: '启明' } }));
    expect(error).toMatchObject({ code: 'missing_variable', template: 'upload' });
    expect(error.details).toEqual([expect.objectContaining({ path: '/buyer/fax', line: 4 })]);
    expect(error.message).toMatch(/"buyer\.fax".*line 4/);
  });

  it('is located inside loops by its index', async () => {
    const template = source('| 物料 | 单价 |\n|---|---|\n{{#each items}}\n| {{material}} | {{price unitPrice}} |\n{{/each}}');
    const error = await refusal(render(template, { items: [{ material: 'A', unitPrice: 1 }, { material: 'B' }] }));
    expect(error.details[0]).toMatchObject({ path: '/items/1/unitPrice', line: 4 });
  });

  it('may be tested with if, which is what if is for', async () => {
    const document = await render(source('甲方：{{buyer.name}}\n{{#if buyer.fax}}传真：{{buyer.fax}}{{/if}}'), { buyer: { name: '启明' } });
    expect(document.pages).toBe(1);
  });

  it('is caught in a shipped template too', async () => {
    const definition = await catalog.load('purchase-contract');
    const data = structuredClone(definition.sample) as Record<string, any>;
    delete data.delivery.consignee;
    const error = await refusal(
      renderer.renderTemplate({ templateId: 'purchase-contract', data, signers: sampleSigners(definition), source: { id: 'purchase-contract', hbs: definition.hbs, schema: OPEN_SCHEMA } }),
    );
    expect(error.code).toBe('missing_variable');
    expect(error.details[0].path).toBe('/delivery/consignee');
    expect(definition.hbs.split('\n')[error.details[0].line! - 1]).toContain('{{delivery.consignee}}');
  });
});

describe('data that breaks the schema', () => {
  it('is refused with the JSON path of every problem', async () => {
    const definition = await catalog.load('purchase-contract');
    const data = structuredClone(definition.sample) as Record<string, any>;
    delete data.buyer.creditCode;
    data.items[2].quantity = 'two thousand';
    data.dispute.method = 'mediation';
    const error = await refusal(renderer.renderTemplate({ templateId: 'purchase-contract', data, signers: sampleSigners(definition) }));
    expect(error.code).toBe('invalid_data');
    expect(error.message).toMatch(/^purchase-contract: the data breaks the template's schema/);
    const paths = error.details.map((detail) => detail.path);
    expect(paths).toEqual(expect.arrayContaining(['/buyer/creditCode', '/items/2/quantity', '/dispute/method']));
  });

  it('names a value a helper cannot use, with the line', async () => {
    const error = await refusal(render(source('# 合同\n金额：{{money amount}}'), { amount: '一百元' }));
    expect(error).toMatchObject({ code: 'invalid_data' });
    expect(error.details[0]).toMatchObject({ path: 'money', line: 2 });
  });

  it('refuses characters the contract font cannot draw, at their JSON path', async () => {
    const error = await refusal(render(source('乙方：{{supplier.name}}'), { supplier: { name: '𠮷野家餐饮🍜' } }));
    expect(error.code).toBe('invalid_data');
    expect(error.details[0].path).toBe('/supplier/name');
    expect(error.details[0].message).toMatch(/U\+20BB7.*U\+1F35C/);
  });

  it('refuses them again after drawing the same name without them (drawable characters are remembered, missing ones never)', async () => {
    // The font face remembers characters it found; a name it drew once must not make a missing one pass.
    const template = source('乙方：{{supplier.name}}');
    expect((await render(template, { supplier: { name: '吉野家餐饮' } })).pdf.length).toBeGreaterThan(1000);
    for (let i = 0; i < 2; i++) {
      const error = await refusal(render(template, { supplier: { name: '𠮷野家餐饮' } }));
      expect(error.details[0]).toMatchObject({ path: '/supplier/name' });
      expect(error.details[0].message).toMatch(/U\+20BB7/);
      expect(error.details[0].message).not.toMatch(/U\+5409/);
    }
  });
});

describe('other refusals', () => {
  it('names a template that does not exist', async () => {
    const error = await refusal(renderer.renderTemplate({ templateId: 'sales-contract', data: {}, signers: SIGNERS }));
    expect(error).toMatchObject({ code: 'template_not_found', template: 'sales-contract' });
    expect(error.message).toMatch(/have: labour-contract, nda/);
    await expect(renderer.previewTemplate('../package')).rejects.toMatchObject({ code: 'template_not_found' });
  });

  it('names a signer the template places but nobody gave', async () => {
    const error = await refusal(render(source('正文\n::: signature supplier 乙方（盖章）')));
    expect(error.code).toBe('invalid_signers');
    expect(error.message).toMatch(/"supplier"/);
  });

  it('still reserves an area for a signer the template forgot', async () => {
    const document = await renderer.renderTemplate({
      templateId: 'upload',
      source: source('正文'),
      data: {},
      signers: [...SIGNERS, { id: 'witness', name: '见证人 王五', party: 'person' }],
    });
    expect(document.signatureAreas.map((area) => area.signerId)).toEqual(['buyer', 'witness']);
  });

  it('names a malformed table row by its line in the rendered markup', async () => {
    const error = await refusal(render(source('前言\n| a | b |\n|---|---|\n| 1 | 2 | 3 |')));
    expect(error.code).toBe('template_markup');
    expect(error.details[0].line).toBe(4);
  });

  it('checks an upload against its sample without throwing', () => {
    const upload = { ...source('# 合同\n甲方：{{buyer}}\n乙方：{{supplier}}', { type: 'object', required: ['buyer'], properties: { buyer: { type: 'string' } } }) };
    expect(renderer.checkTemplateSource({ ...upload, sample: { buyer: '启明', supplier: '华强' } })).toEqual([]);
    expect(renderer.checkTemplateSource({ ...upload, sample: { buyer: '启明' } })).toEqual([expect.objectContaining({ code: 'missing_variable', path: '/supplier', line: 3 })]);
    expect(renderer.checkTemplateSource({ ...upload, sample: { buyer: 7 } })).toEqual([expect.objectContaining({ code: 'invalid_data', path: '/sample/buyer' })]);
  });
});
