// A 200-line purchase order: the table runs over several pages, repeats its header row on
// each, and the totals and page numbers come out right.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amountInWords } from '../../templates/numerals';
import { formatMoney } from '../../templates/amounts';
import type { FontFace, FontWeight } from '../../templates/fonts';
import type { RenderedWithLayout } from '../../templates/renderer';
import { compact, inkReport, pdfinfo, pdftotext, PdfWorkspace, qpdfCheck, wordBoxes } from './pdf-tools';
import { createFixture, purchaseOrderWithLines, sampleSigners } from './fixtures';

const LINES = 200;
const fixture = createFixture();
const workspace = new PdfWorkspace();
let data: Record<string, unknown>;
let rendered: RenderedWithLayout;
let path: string;
let faces: Record<FontWeight, FontFace>;

beforeAll(async () => {
  faces = await fixture.faces();
  const definition = await fixture.catalog.load('purchase-contract');
  data = purchaseOrderWithLines(definition.sample, LINES);
  const started = performance.now();
  rendered = await fixture.renderer.renderWithLayout({ templateId: 'purchase-contract', data, signers: sampleSigners(definition) });
  console.log(`200-line PO: ${rendered.document.pages} pages, ${(rendered.document.pdf.length / 1024).toFixed(1)} KB, ${(performance.now() - started).toFixed(0)} ms`);
  path = workspace.write(rendered.document.pdf, 'po-200');
});
afterAll(() => workspace.dispose());

/** Expected total, computed independently: integer quantities × prices with two decimals, in fen. */
function expectedTotal(): string {
  let fen = 0;
  for (const item of data.items as { quantity: number; unitPrice: string }[]) fen += item.quantity * Math.round(Number(item.unitPrice) * 100);
  return (fen / 100).toFixed(2);
}

describe('a 200-line purchase order', () => {
  it('spreads the table over several pages, with the header row on each of them', () => {
    const pages = rendered.document.pages;
    expect(pages).toBeGreaterThanOrEqual(6);
    const seen = new Map<string, number>();
    let pagesWithRows = 0;
    for (let page = 1; page <= pages; page++) {
      const text = pdftotext(path, { page });
      const materials = text.match(/MAT-\d{4}/g) ?? [];
      if (materials.length === 0) continue;
      pagesWithRows++;
      const header = compact(text).indexOf(compact('序号 物料编码 物料描述 数量 单位 单价（元） 金额（元）'));
      expect(header, `page ${page} has rows but no header row`).toBeGreaterThanOrEqual(0);
      expect(header).toBeLessThan(compact(text).indexOf(materials[0]!));
      for (const material of materials) seen.set(material, (seen.get(material) ?? 0) + 1);
    }
    expect(pagesWithRows).toBeGreaterThanOrEqual(5);
    // Every line appears once, none lost or doubled at a page break.
    expect(seen.size).toBe(LINES);
    expect([...seen.values()].every((count) => count === 1)).toBe(true);
  });

  it('draws the header row again at the top of each continuation page', () => {
    const headerTops = rendered.layout.pages
      .map((page) => page.items.filter((item) => item.kind === 'text' && item.text === '物料编码'))
      .filter((items) => items.length > 0);
    expect(headerTops.length).toBeGreaterThanOrEqual(5);
    for (const items of headerTops.slice(1)) expect(items).toHaveLength(1);
  });

  it('totals the lines in figures and in capital numerals', () => {
    const total = expectedTotal();
    const text = compact(pdftotext(path));
    expect(text).toContain(compact(`合计 ${formatMoney(total)}`));
    expect(text).toContain(`合计金额（大写）：人民币${amountInWords(total)}`);
    expect(text).toContain(`本合同总金额为人民币${formatMoney(total)}元（大写：人民币${amountInWords(total)}）`);
  });

  it('numbers every page with the right total', () => {
    const info = pdfinfo(path);
    const pages = Number(info.Pages);
    expect(pages).toBe(rendered.document.pages);
    for (let page = 1; page <= pages; page++) expect(compact(pdftotext(path, { page }))).toContain(`第${page}页共${pages}页`);
  });

  it('keeps the text of every cell inside the page margins', () => {
    for (const word of wordBoxes(path)) {
      expect(word.xMin, word.text).toBeGreaterThanOrEqual(72 - 0.01);
      expect(word.xMax, word.text).toBeLessThanOrEqual(595.28 - 72 + 0.01);
    }
  });

  it('is a valid PDF whose every glyph is drawn', () => {
    expect(qpdfCheck(path).ok).toBe(true);
    const report = inkReport(workspace, path, rendered.layout, faces);
    expect(report.faintLines).toEqual([]);
    expect(report.blankGlyphs).toEqual([]);
  });
});
