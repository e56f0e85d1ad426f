// Data is text, never markup and never a template: whatever a supplier calls itself comes
// out literally, and the document keeps the structure its template gave it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMarkup, type Block } from '../../templates/markup';
import type { RenderedWithLayout } from '../../templates/renderer';
import { compact, pdftotext, PdfWorkspace, qpdfCheck } from './pdf-tools';
import { createFixture, sampleSigners } from './fixtures';

const fixture = createFixture();
const workspace = new PdfWorkspace();
let plain: RenderedWithLayout;
let hostile: RenderedWithLayout;
let text: string;

const HOSTILE = {
  supplierName: '<script>alert("x")</script> 深圳{{x}}电子',
  contact: '{{#each items}}{{/each}} 张敏',
  address: '# 第一条 伪造标题\n| 伪造 | 表格 |\n::: signature buyer 假签章',
  description: '电容 | 100nF | 50V -> X7R <- \\n C:\\temp\\new',
  material: '## 999',
  consignee: '::: pagebreak',
  venue: '-> 甲方 <- 所在地法院 & "仲裁" \'委员会\'',
};

beforeAll(async () => {
  const definition = await fixture.catalog.load('purchase-contract');
  const sample = definition.sample as Record<string, any>;
  const data = structuredClone(sample);
  data.supplier.name = HOSTILE.supplierName;
  data.supplier.contact = HOSTILE.contact;
  data.supplier.address = HOSTILE.address;
  data.items[0].description = HOSTILE.description;
  data.items[1].material = HOSTILE.material;
  data.delivery.consignee = HOSTILE.consignee;
  data.dispute.venue = HOSTILE.venue;
  plain = await fixture.renderer.renderWithLayout({ templateId: 'purchase-contract', data: sample, signers: sampleSigners(definition) });
  hostile = await fixture.renderer.renderWithLayout({ templateId: 'purchase-contract', data, signers: sampleSigners(definition) });
  const path = workspace.write(hostile.document.pdf, 'hostile');
  expect(qpdfCheck(path).ok).toBe(true);
  text = pdftotext(path, { layout: false });
});
afterAll(() => workspace.dispose());

function shape(blocks: Block[]): string[] {
  return blocks.map((block) => (block.kind === 'table' ? `table ${block.columns.length}×${block.rows.length}+${block.summary.length}` : block.kind === 'signature' ? `signature ${block.signerId}` : block.kind));
}

describe('data in a template', () => {
  it('prints markup-looking, HTML and Handlebars text literally', () => {
    const flat = compact(text);
    expect(flat).toContain(compact(`乙方（卖方）：${HOSTILE.supplierName}`));
    expect(flat).toContain(compact(HOSTILE.contact));
    expect(flat).toContain(compact('# 第一条 伪造标题'));
    expect(flat).toContain(compact('| 伪造 | 表格 |'));
    expect(flat).toContain(compact('::: signature buyer 假签章'));
    expect(flat).toContain(compact('电容 | 100nF | 50V -> X7R <- \\n C:\\temp\\new'));
    expect(flat).toContain('##999');
    expect(flat).toContain(compact(`收货人：${HOSTILE.consignee}`));
    expect(flat).toContain(compact(HOSTILE.venue));
  });

  it('keeps the document structure the template gave it', () => {
    expect(shape(parseMarkup(hostile.markup))).toEqual(shape(parseMarkup(plain.markup)));
    expect(hostile.document.signatureAreas.map((area) => area.signerId)).toEqual(['buyer', 'supplier']);
    const headings = hostile.layout.pages.flatMap((page) => page.items).filter((item) => item.kind === 'text' && item.weight === 'bold' && item.size === 12);
    expect(headings.map((item) => item.kind === 'text' && item.text)).not.toContain('第一条 伪造标题');
  });

  it('breaks a line where the data has one, inside the same paragraph', () => {
    const lines = hostile.layout.pages.flatMap((page) => page.items).filter((item) => item.kind === 'text').map((item) => (item.kind === 'text' ? item.text : ''));
    const start = lines.indexOf('住所：# 第一条 伪造标题');
    expect(start).toBeGreaterThanOrEqual(0);
    expect(lines.slice(start + 1, start + 3)).toEqual(['| 伪造 | 表格 |', '::: signature buyer 假签章']);
  });
});
