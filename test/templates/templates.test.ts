// Every shipped template, rendered from its sample data and checked with real tools:
// poppler for text, fonts, page size and pixels, qpdf for structure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FontFace, FontWeight } from '../../templates/fonts';
import type { TemplateDefinition } from '../../templates/catalog';
import type { RenderedWithLayout } from '../../templates/renderer';
import { compact, inkIn, inkReport, pdffonts, pdfinfo, pdftotext, PdfWorkspace, qpdfCheck, renderPage, wordBoxes } from './pdf-tools';
import { createFixture, sampleSigners, SHIPPED } from './fixtures';

const EXPECTED_TEXT: Record<(typeof SHIPPED)[number], string[]> = {
  'purchase-contract': [
    '采购合同', '合同编号：QM-CG-2025-0318', '甲方（买方）：上海启明智能制造有限公司', '乙方（卖方）：深圳市华强电子有限公司',
    '第一条合同标的', '第二条合同价款及支付方式', '第三条交货', '第四条验收', '第五条质量保证', '第七条违约责任', '第八条不可抗力',
    '第九条保密', '第十条争议解决', '第十二条合同生效及其他', 'STM32F407VGT6', '0.0035', '77,000.00', '118,460.00',
    '合计金额（大写）：人民币壹拾壹万捌仟肆佰陆拾元整', '即人民币35,538.00元', '向甲方住所地有管辖权的人民法院提起诉讼', '2025年4月15日前',
  ],
  'labour-contract': [
    '劳动合同', '乙方（劳动者）：赵思远', '第一条劳动合同期限', '期限自2025年4月14日起至2028年4月13日止', '试用期为三个月',
    '第三条工作时间和休息休假', '标准工时制度', '第四条劳动报酬', '人民币22,000.00元（大写：贰万贰仟元整）', '人民币18,000.00元（大写：壹万捌仟元整）',
    '第十条劳动争议处理', '上海市浦东新区劳动人事争议仲裁委员会申请仲裁',
  ],
  nda: [
    '保密协议', '甲方（披露方）：上海启明智能制造有限公司', '乙方（接收方）：深圳市华强电子有限公司', '第一条保密信息的定义', '第四条保密信息的返还和销毁',
    '有效期为三年', '继续有效五年', '违约金人民币500,000.00元（大写：伍拾万元整）', '上海国际经济贸易仲裁委员会（上海国际仲裁中心）',
  ],
  'supplier-framework': [
    '供应商框架协议', '乙方（供应商）：苏州恒远精密五金有限公司', '第一条协议范围', 'CNC精密加工件', '随行就市', '人民币3,600,000.00元（大写：叁佰陆拾万元整）',
    '第六条结算与付款', '收到发票后60日内', '第九条廉洁条款', '第十三条其他',
  ],
  'onboarding-acknowledgement': [
    '入职确认单', '一、入职信息', '320582199608213517', '二、已签收的文件', '员工手册', 'QM-NDA-E-2025-0412', '三、入职声明',
    '原用人单位：苏州汇川联合动力系统有限公司', '四、人力资源部确认', '经办人：林晓岚',
  ],
};

const fixture = createFixture();
const workspace = new PdfWorkspace();
let faces: Record<FontWeight, FontFace>;

beforeAll(async () => {
  faces = await fixture.faces();
});
afterAll(() => workspace.dispose());

describe.each(SHIPPED)('template %s', (id) => {
  let definition: TemplateDefinition;
  let rendered: RenderedWithLayout;
  let path: string;

  beforeAll(async () => {
    definition = await fixture.catalog.load(id);
    rendered = await fixture.renderer.renderWithLayout({ templateId: id, data: definition.sample, signers: sampleSigners(definition) });
    path = workspace.write(rendered.document.pdf, id);
    console.log(`${id}: ${rendered.document.pages} page(s), ${(rendered.document.pdf.length / 1024).toFixed(1)} KB`);
  });

  it('extracts the clauses, parties and amounts as text', () => {
    const text = compact(pdftotext(path));
    for (const expected of EXPECTED_TEXT[id]) expect(text).toContain(compact(expected));
  });

  it('embeds Noto Sans SC subsets with a Unicode map', () => {
    const fonts = pdffonts(path);
    expect(fonts.length).toBeGreaterThan(0);
    for (const font of fonts) {
      expect(font.name).toMatch(/^[A-Z]{6}\+NotoSansSC-(Regular|Bold)$/);
      expect(font).toMatchObject({ type: 'CID TrueType', embedded: true, subset: true, unicode: true });
    }
  });

  it('passes qpdf --check and has A4 pages', () => {
    const check = qpdfCheck(path);
    expect(check.ok, check.output).toBe(true);
    const info = pdfinfo(path);
    expect(info['Page size']).toBe('595.28 x 841.89 pts (A4)');
    expect(Number(info.Pages)).toBe(rendered.document.pages);
  });

  it('numbers every page "第 N 页 共 M 页"', () => {
    const pages = rendered.document.pages;
    for (let page = 1; page <= pages; page++) expect(compact(pdftotext(path, { page }))).toContain(`第${page}页共${pages}页`);
  });

  it('draws every line and every glyph (checked in the rendered pixels)', () => {
    const report = inkReport(workspace, path, rendered.layout, faces);
    expect(report.lines).toBeGreaterThan(20);
    expect(report.faintLines).toEqual([]);
    expect(report.blankGlyphs).toEqual([]);
  });

  it('keeps every line inside the margins, where the PDF font widths place it', () => {
    const words = wordBoxes(path);
    expect(words.length).toBeGreaterThan(50);
    for (const word of words) {
      expect(word.xMin, word.text).toBeGreaterThanOrEqual(72 - 0.01);
      expect(word.xMax, word.text).toBeLessThanOrEqual(595.28 - 72 + 0.01);
    }
    for (const page of rendered.layout.pages) {
      for (const item of page.items) {
        if (item.kind !== 'text') continue;
        expect(item.x).toBeGreaterThanOrEqual(72 - 0.01);
        expect(item.x + item.width).toBeLessThanOrEqual(595.28 - 72 + 0.01);
      }
    }
  });

  it('reserves an empty signature area for every signer', () => {
    const areas = rendered.document.signatureAreas;
    expect(areas.map((area) => area.signerId).sort()).toEqual(definition.signers.map((role) => role.id).sort());
    for (const area of areas) {
      expect(area.page).toBeGreaterThanOrEqual(0);
      expect(area.page).toBeLessThan(rendered.document.pages);
      expect(area.x).toBeGreaterThanOrEqual(72);
      expect(area.x + area.width).toBeLessThanOrEqual(595.28 - 72);
      expect(area.y).toBeGreaterThanOrEqual(72);
      expect(area.y + area.height).toBeLessThanOrEqual(841.89 - 72);
      expect(area.height).toBeGreaterThanOrEqual(definition.signers.find((role) => role.id === area.signerId)!.party === 'company' ? 119 : 50);
      // No text on the area, and nothing drawn inside its dashed border.
      for (const item of rendered.layout.pages[area.page].items) {
        if (item.kind !== 'text') continue;
        const overlaps = item.x < area.x + area.width && item.x + item.width > area.x && item.y < area.y + area.height && item.y + item.size > area.y;
        expect(overlaps, `"${item.text}" overlaps ${area.signerId}'s area`).toBe(false);
      }
      const image = renderPage(workspace, path, area.page + 1, 50);
      expect(inkIn(image, 841.89, { x: area.x + 3, y: area.y + 3, width: area.width - 6, height: area.height - 6 })).toBe(0);
    }
  });

  it('stays small', () => {
    expect(rendered.document.pdf.length).toBeLessThan(200 * 1024);
  });

  it('renders the same bytes for the same input', async () => {
    const again = await fixture.renderer.renderTemplate({ templateId: id, data: definition.sample, signers: sampleSigners(definition) });
    expect(again.sha256).toBe(rendered.document.sha256);
    expect(Buffer.from(again.pdf).equals(Buffer.from(rendered.document.pdf))).toBe(true);
  });

  it('previews with its sample data', async () => {
    const preview = await fixture.renderer.previewTemplate(id);
    expect(preview.pages).toBe(rendered.document.pages);
    expect(pdfinfo(workspace.write(preview.pdf, `${id}-preview`)).Title).toBe(`${definition.title}（预览）`);
  });
});

describe('catalog', () => {
  it('lists the shipped templates with title, schema and signer roles', async () => {
    const templates = await fixture.renderer.listTemplates();
    expect(templates.map((template) => template.id)).toEqual([...SHIPPED]);
    for (const template of templates) {
      expect(template.title).toMatch(/[\u4e00-\u9fff]/);
      expect(template.schema).toMatchObject({ type: 'object' });
      expect(template.signers.length).toBeGreaterThanOrEqual(2);
    }
  });
});

describe('documents', () => {
  it('carries a fixed date only when given one, and stays deterministic with it', async () => {
    const definition = await fixture.catalog.load('nda');
    const options = { templateId: 'nda', data: definition.sample, signers: sampleSigners(definition) };
    const date = new Date('2025-03-10T08:00:00Z');
    const undated = await fixture.renderer.renderTemplate(options);
    const dated = await fixture.renderer.renderTemplate({ ...options, date });
    const datedAgain = await createFixture().renderer.renderTemplate({ ...options, date });
    expect(dated.sha256).toBe(datedAgain.sha256);
    expect(dated.sha256).not.toBe(undated.sha256);
    expect(pdfinfo(workspace.write(dated.pdf)).CreationDate).toMatch(/2025/);
    expect(pdfinfo(workspace.write(undated.pdf)).CreationDate).toBeUndefined();
  });

  it('keeps a one-page contract in tens of kilobytes', async () => {
    const source = {
      id: 'order-confirmation',
      title: '订货确认书',
      schema: { type: 'object', required: ['buyer', 'supplier', 'amount'], properties: { buyer: { type: 'string' }, supplier: { type: 'string' }, amount: { type: 'number' } } },
      hbs: [
        '# 订货确认书',
        '甲方（买方）：{{buyer}}',
        '乙方（卖方）：{{supplier}}',
        '## 第一条　标的与价款',
        '乙方向甲方供应工业控制器主板，合同总价为人民币 {{money amount}} 元（大写：{{amountInWords amount}}），含 13% 增值税。',
        '| 项目 | 约定 |',
        '|----|--------|',
        '| 交货 | 2025年4月15日前送达甲方仓库 |',
        '| 付款 | 验收合格并收到发票后 30 日内 |',
        '## 第二条　争议解决',
        '协商不成的，向甲方住所地有管辖权的人民法院提起诉讼。',
        '::: signatures',
      ].join('\n'),
    };
    const document = await fixture.renderer.renderTemplate({
      templateId: source.id,
      source,
      data: { buyer: '上海启明智能制造有限公司', supplier: '深圳市华强电子有限公司', amount: 123456.78 },
      signers: [
        { id: 'buyer', name: '上海启明智能制造有限公司', party: 'company' },
        { id: 'supplier', name: '深圳市华强电子有限公司', party: 'company' },
      ],
    });
    console.log(`one-page contract: ${(document.pdf.length / 1024).toFixed(1)} KB`);
    expect(document.pages).toBe(1);
    expect(document.pdf.length).toBeLessThan(60 * 1024);
    const path = workspace.write(document.pdf, 'one-page');
    expect(qpdfCheck(path).ok).toBe(true);
    expect(compact(pdftotext(path))).toContain('壹拾贰万叁仟肆佰伍拾陆元柒角捌分');
  });
});
