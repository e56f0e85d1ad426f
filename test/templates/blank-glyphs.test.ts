// The ink check must catch the failure it exists for: pdf-lib's own font subsetting
// (`subset: true` with @pdf-lib/fontkit) of Noto Sans SC yields a PDF whose text extracts
// perfectly while Chinese glyphs render blank. Drawing our layout that way must fail the
// check that our own output passes.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PDFDocument } from 'pdf-lib';
import { DEFAULT_FONT_FILES, fontkit, type FontFace, type FontWeight } from '../../templates/fonts';
import type { RenderedWithLayout } from '../../templates/renderer';
import { compact, inkReport, pdftotext, PdfWorkspace } from './pdf-tools';
import { createFixture, sampleSigners } from './fixtures';

const fixture = createFixture();
const workspace = new PdfWorkspace();
let faces: Record<FontWeight, FontFace>;
let rendered: RenderedWithLayout;

beforeAll(async () => {
  faces = await fixture.faces();
  const definition = await fixture.catalog.load('purchase-contract');
  rendered = await fixture.renderer.renderWithLayout({ templateId: 'purchase-contract', data: definition.sample, signers: sampleSigners(definition) });
});
afterAll(() => workspace.dispose());

async function drawWithPdfLibSubsetting(): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.registerFontkit(fontkit);
  const fonts = {
    regular: await pdf.embedFont(readFileSync(DEFAULT_FONT_FILES.regular), { subset: true }),
    bold: await pdf.embedFont(readFileSync(DEFAULT_FONT_FILES.bold), { subset: true }),
  };
  for (const page of rendered.layout.pages) {
    const target = pdf.addPage([rendered.layout.width, rendered.layout.height]);
    for (const item of page.items) if (item.kind === 'text') target.drawText(item.text, { x: item.x, y: item.y, size: item.size, font: fonts[item.weight] });
  }
  return pdf.save();
}

describe('the ink check', () => {
  it('flags blank glyphs in a PDF that pdf-lib subset, although its text extracts perfectly', async () => {
    const broken = workspace.write(await drawWithPdfLibSubsetting(), 'pdf-lib-subset');
    const ours = workspace.write(rendered.document.pdf, 'harfbuzz-subset');
    // Text extraction cannot tell the two apart…
    expect(compact(pdftotext(broken))).toContain(compact('合计金额（大写）：人民币壹拾壹万捌仟肆佰陆拾元整'));
    expect(compact(pdftotext(broken, { layout: false }))).toBe(compact(pdftotext(ours, { layout: false })));
    // …the pixels can.
    const brokenReport = inkReport(workspace, broken, rendered.layout, faces);
    const oursReport = inkReport(workspace, ours, rendered.layout, faces);
    console.log(`pdf-lib subset: ${brokenReport.blankGlyphs.length} of ${brokenReport.glyphs} glyphs blank; ours: ${oursReport.blankGlyphs.length}`);
    expect(brokenReport.blankGlyphs.length).toBeGreaterThan(0);
    expect(oursReport.blankGlyphs).toEqual([]);
  });
});
