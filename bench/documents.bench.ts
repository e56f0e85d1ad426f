// Contracts rendered per second on one core (template → Handlebars → layout → font subsets
// → PDF), beside two baselines measured in the same run so that the figures mean
// something on any machine:
//   (a) pdf-lib alone: a blank 3-page document embedding the same font subset, saved;
//   (b) HarfBuzz alone: subset-font cutting the document's characters out of Noto Sans SC.
// "cold" renders make their font subsets every time, as a stream of different contracts
// does; "warm" renders find them in the renderer's subset cache (the same characters).
// Run: npm run bench documents   (BENCH_SECONDS=… to measure longer than 5 s per figure)
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { PDFDocument } from 'pdf-lib';
import { createDocumentRenderer, FontLibrary, type RenderedDocument } from '../templates';
import { TemplateCatalog, type TemplateDefinition } from '../templates/catalog';
import { DEFAULT_FONT_FILES, fontkit } from '../templates/fonts';
import type { RenderOptions } from '../templates/types';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WARM_UP_SECONDS = 1;

interface Figure {
  label: string;
  perSecond: number;
  pages?: number;
  bytes?: number;
}

async function measure(run: () => Promise<unknown>): Promise<number> {
  const warmUntil = performance.now() + WARM_UP_SECONDS * 1000;
  while (performance.now() < warmUntil) await run();
  let count = 0;
  const start = performance.now();
  const until = start + SECONDS * 1000;
  while (performance.now() < until) {
    await run();
    count++;
  }
  return (count * 1000) / (performance.now() - start);
}

const figures: Figure[] = [];
async function figure(label: string, run: () => Promise<RenderedDocument | unknown>): Promise<Figure> {
  const sample = await run();
  const document = sample && typeof sample === 'object' && 'pdf' in sample ? (sample as RenderedDocument) : undefined;
  const result: Figure = { label, perSecond: await measure(run), pages: document?.pages, bytes: document?.pdf.length };
  figures.push(result);
  console.log(`  ${label}: ${result.perSecond.toFixed(1)}/s`);
  return result;
}

function signersOf(definition: TemplateDefinition): RenderOptions['signers'] {
  return definition.signers.map((role) => ({ id: role.id, name: role.sampleName, party: role.party }));
}

function withLines(sample: Record<string, unknown>, count: number): Record<string, unknown> {
  const items = Array.from({ length: count }, (_, index) => ({
    material: `MAT-${String(index + 1).padStart(4, '0')}`,
    description: ['贴片电阻 0603 1kΩ ±1%', '铝电解电容 470µF 35V', 'Connector 2.54mm 2×20 pin header', '散热器 AL6063 40×40×11mm'][index % 4],
    quantity: 10 * ((index % 13) + 1),
    unit: '个',
    unitPrice: `${(index % 50) + 1}.${String((index * 37) % 100).padStart(2, '0')}`,
  }));
  return { ...sample, items };
}

const catalog = new TemplateCatalog();
const nda = await catalog.load('nda');
const purchase = await catalog.load('purchase-contract');
const cold = createDocumentRenderer({ fonts: new FontLibrary({ subsetCacheSize: 0 }) });
const warm = createDocumentRenderer();

const ndaOptions: RenderOptions = { templateId: 'nda', data: nda.sample, signers: signersOf(nda) };
const purchaseOptions: RenderOptions = { templateId: 'purchase-contract', data: purchase.sample, signers: signersOf(purchase) };
const longPurchaseOptions: RenderOptions = { ...purchaseOptions, data: withLines(purchase.sample, 200) };

console.log(`Node ${process.version}, one core, ${SECONDS}s per figure after ${WARM_UP_SECONDS}s warm-up`);
const ndaCold = await figure('nda (sample data), cold subsets', () => cold.renderTemplate(ndaOptions));
await figure('nda (sample data), warm subset cache', () => warm.renderTemplate(ndaOptions));
await figure('purchase-contract (7 PO lines), cold subsets', () => cold.renderTemplate(purchaseOptions));
await figure('purchase-contract (7 PO lines), warm subset cache', () => warm.renderTemplate(purchaseOptions));
await figure('purchase-contract (200 PO lines), cold subsets', () => cold.renderTemplate(longPurchaseOptions));

// Baselines, on the 3-page NDA's own characters.
const { layout } = await warm.renderWithLayout(ndaOptions);
const characters = new Set<string>();
for (const page of layout.pages) for (const item of page.items) if (item.kind === 'text' && item.weight === 'regular') for (const char of item.text) characters.add(char);
const fonts = new FontLibrary({ subsetCacheSize: 0 });
const regular = await fonts.subset('regular', characters);
const pdfLib = await figure(`(a) pdf-lib alone: blank ${ndaCold.pages}-page PDF embedding the same ${(regular.bytes.length / 1024).toFixed(0)} KB subset`, async () => {
  const pdf = await PDFDocument.create();
  pdf.registerFontkit(fontkit);
  await pdf.embedFont(regular.bytes, { subset: false });
  for (let page = 0; page < (ndaCold.pages ?? 3); page++) pdf.addPage([595.28, 841.89]);
  return pdf.save();
});
const subsetFont = createRequire(import.meta.url)('subset-font') as (font: Buffer, text: string, options: object) => Promise<Buffer>;
const notoRegular = await readFile(DEFAULT_FONT_FILES.regular);
const text = [...characters].join('');
const harfbuzz = await figure(`(b) HarfBuzz alone: subset-font, ${characters.size} characters of Noto Sans SC Regular`, () =>
  subsetFont(notoRegular, text, { targetFormat: 'truetype', noHinting: true, noLayoutClosure: true }),
);

console.log('');
const rows = figures.map((row) => [
  row.label,
  row.perSecond.toFixed(1),
  (1000 / row.perSecond).toFixed(1),
  row.pages === undefined ? '' : String(row.pages),
  row.bytes === undefined ? '' : (row.bytes / 1024).toFixed(0),
  row.pages === undefined ? '' : (row.perSecond * row.pages).toFixed(0),
]);
const header = ['', 'docs/s', 'ms/doc', 'pages', 'KB', 'pages/s'];
const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
const line = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[0]) : cell.padStart(widths[column]))).join('  ');
console.log(line(header));
console.log(widths.map((width) => '-'.repeat(width)).join('  '));
for (const row of rows) console.log(line(row));
console.log(
  `\n3-page NDA, cold: ${ndaCold.perSecond.toFixed(1)} docs/s = ${((ndaCold.perSecond / pdfLib.perSecond) * 100).toFixed(0)}% of (a) and ` +
    `${((ndaCold.perSecond / harfbuzz.perSecond) * 100).toFixed(0)}% of (b) (a cold render subsets two weights)`,
);
