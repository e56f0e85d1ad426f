// The markup the evidence report brought into the document engine, usable by any template:
// warning banners, reserved areas, truncating table columns, running header and footer,
// page margins and PDF attachments. Checked in the rendered PDF with poppler, as a reader sees it.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { A4 } from '../../templates/layout';
import type { RenderedWithLayout } from '../../templates/renderer';
import { compact, inkIn, inkReport, pdftotext, PdfWorkspace, qpdfCheck, renderPage, wordBoxes } from './pdf-tools';
import { createFixture } from './fixtures';

const fixture = createFixture();
const workspace = new PdfWorkspace();
afterAll(() => workspace.dispose());

async function render(hbs: string, data: Record<string, unknown> = {}, extra: { attachments?: { name: string; bytes: Uint8Array; mimeType: string; description?: string }[] } = {}): Promise<RenderedWithLayout & { path: string }> {
  const rendered = await fixture.renderer.renderWithLayout({ templateId: 'markup-test', source: { id: 'markup-test', hbs, schema: { type: 'object' } }, data, signers: [], ...extra });
  return { ...rendered, path: workspace.write(rendered.document.pdf) };
}

/** Pixels of page 1 that are clearly red (rendered in colour by pdftoppm). */
function redPixels(path: string, box: { x: number; y: number; width: number; height: number }): number {
  const prefix = join(workspace.dir, `colour-${Math.random().toString(36).slice(2)}`);
  execFileSync('pdftoppm', ['-r', '50', '-f', '1', '-l', '1', '-singlefile', path, prefix]);
  const bytes = readFileSync(`${prefix}.ppm`);
  const header = bytes.subarray(0, 20).toString('latin1').split(/\s+/);
  const [width, height] = [Number(header[1]), Number(header[2])];
  const data = bytes.subarray(bytes.length - width * height * 3);
  const scale = 50 / 72;
  let red = 0;
  for (let y = Math.floor((A4.height - box.y - box.height) * scale); y < Math.ceil((A4.height - box.y) * scale); y++) {
    for (let x = Math.round(box.x * scale); x < Math.round((box.x + box.width) * scale); x++) {
      const i = (y * width + x) * 3;
      if (data[i] > 150 && data[i + 1] < 90 && data[i + 2] < 90) red++;
    }
  }
  return red;
}

describe('a warning banner (!!!)', () => {
  let doc: RenderedWithLayout & { path: string };
  beforeAll(async () => {
    doc = await render('# 报告\n正文第一段。\n!!! 警告：{{what}}\n!!! Warning: the chain is broken.\n正文第二段。', { what: '哈希链断裂 !!! <b>' });
  });

  it('prints its lines, data literally, in red inside a red-ruled box across the page', () => {
    const text = compact(pdftotext(doc.path));
    expect(text).toContain(compact('警告：哈希链断裂 !!! <b>'));
    expect(text).toContain(compact('Warning: the chain is broken.'));
    const box = doc.layout.pages[0].items.find((item) => item.kind === 'box')!;
    expect(box).toMatchObject({ x: 72, width: A4.width - 144 });
    expect(redPixels(doc.path, box)).toBeGreaterThan(200);
    // the paragraphs around it stay black
    const body = doc.layout.pages[0].items.find((item) => item.kind === 'text' && item.text === '正文第一段。')!;
    expect(redPixels(doc.path, { x: body.x, y: body.y - 3, width: 60, height: 12 })).toBe(0);
  });

  it('draws every glyph', async () => {
    const report = inkReport(workspace, doc.path, doc.layout, await fixture.faces());
    expect(report.blankGlyphs).toEqual([]);
    expect(report.faintLines).toEqual([]);
  });
});

describe('a row that needs attention (|!!! …|)', () => {
  it('is filled light red with red text; data starting with !!! is only text', async () => {
    const doc = await render('| 序号 | 事件 |\n|--|------|\n| 1 | 正常 |\n| !!! 2 | 链接断裂 broken |\n| {{first}} | 数据 |', { first: '!!! 3' });
    expect(compact(pdftotext(doc.path))).toContain(compact('!!! 3'));
    const boxes = doc.layout.pages[0].items.filter((item) => item.kind === 'box');
    const [normal, alarm, data] = [boxes[3], boxes[5], boxes[7]]; // second cell of rows 1, 2, 3 (after the header's two)
    expect(alarm.kind === 'box' && alarm.fill).toEqual([1, 0.92, 0.92]);
    expect(redPixels(doc.path, alarm)).toBeGreaterThan(5); // 9 pt red text at 50 dpi
    expect(redPixels(doc.path, normal)).toBe(0);
    expect(redPixels(doc.path, data)).toBe(0);
  });
});

describe('a reserved area (::: area)', () => {
  let doc: RenderedWithLayout & { path: string };
  const intro = '本报告列明合同、每个文档版本的哈希值及全部签约事件，由平台签名并加盖可信时间戳。'.repeat(2);
  beforeAll(async () => {
    doc = await render(`::: area stamp 150 58 right\n# 签约存证报告\n{{intro}}\n| 项目 | 内容 |\n|---|------|\n| 甲 | 乙 |`, { intro });
  });

  it('comes back with its page and position: top right inside the margins', () => {
    expect(doc.document.reservedAreas).toEqual([{ id: 'stamp', page: 0, x: A4.width - 72 - 150, y: A4.height - 72 - 58, width: 150, height: 58 }]);
  });

  it('stays blank: text beside it runs narrower, and a table starts below it', () => {
    const [area] = doc.document.reservedAreas;
    expect(inkIn(renderPage(workspace, doc.path, 1), A4.height, area, 250)).toBe(0);
    const areaTop = A4.height - area.y - area.height;
    const inside = wordBoxes(doc.path).filter((word) => word.page === 0 && word.xMax > area.x && word.yMax > areaTop && word.yMin < A4.height - area.y);
    expect(inside).toEqual([]);
    expect(compact(pdftotext(doc.path))).toContain(compact(intro));
    const firstBeside = doc.layout.pages[0].items.find((item) => item.kind === 'text' && item.y > area.y && item.x === 72)!;
    expect(firstBeside.x + firstBeside.width).toBeLessThanOrEqual(area.x);
    const table = doc.layout.pages[0].items.find((item) => item.kind === 'box')!;
    expect(table.y + table.height).toBeLessThanOrEqual(area.y);
  });
});

describe('a truncating column (---~2)', () => {
  let doc: RenderedWithLayout & { path: string };
  const agent = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0 Mobile Safari/537.36 '.repeat(4);
  beforeAll(async () => {
    doc = await render('| 序号 | 来源 |\n|:--:|------~2|\n| 1 | {{agent}} |\n| 2 | 短 |', { agent });
  });

  it('shows at most two lines of a long value, the second cut with an ellipsis that fits the cell', () => {
    const text = pdftotext(doc.path, { layout: false });
    expect(text).toContain('Mozilla/5.0');
    expect(text).toContain('…');
    expect(compact(text)).not.toContain(compact(agent));
    const cells = doc.layout.pages[0].items.filter((item) => item.kind === 'box');
    const cell = cells[3]; // header (2), then row 1: number, source
    const lines = doc.layout.pages[0].items.filter((item) => item.kind === 'text' && item.x >= cell.x && item.y > cell.y && item.y < cell.y + cell.height);
    expect(lines).toHaveLength(2);
    expect(lines[1].kind === 'text' && lines[1].text.endsWith('…')).toBe(true);
    for (const line of lines) expect(line.x + (line.kind === 'text' ? line.width : 0)).toBeLessThanOrEqual(cell.x + cell.width);
    expect(text).toContain('短');
  });
});

describe('page furniture and margins', () => {
  let doc: RenderedWithLayout & { path: string };
  beforeAll(async () => {
    const rows = Array.from({ length: 80 }, (_, i) => ({ n: String(i + 1), text: `第 ${i + 1} 条记录 {page}` }));
    doc = await render(
      '::: margins 44 40 52 40\n::: header 存证报告 · 合同 {{id}} · {page}/{pages}\n::: footer 第 {page} 页 共 {pages} 页 · Page {page} of {pages}\n# 报告\n| | |\n|--|--------|\n{{#each rows}}\n| {{n}} | {{text}} |\n{{/each}}',
      { id: 'ct_{pages}_42', rows },
    );
  });

  it('numbers every page in the footer and heads every page after the first; data braces print literally', () => {
    const pages = doc.document.pages;
    expect(pages).toBeGreaterThanOrEqual(2);
    for (let n = 1; n <= pages; n++) {
      const text = pdftotext(doc.path, { page: n, layout: false });
      expect(text).toContain(`第 ${n} 页 共 ${pages} 页 · Page ${n} of ${pages}`);
      if (n === 1) expect(text).not.toContain('存证报告 · 合同');
      else expect(text).toContain(`存证报告 · 合同 ct_{pages}_42 · ${n}/${pages}`);
    }
    expect(pdftotext(doc.path, { layout: false })).toContain('第 1 条记录 {page}');
  });

  it('keeps every word inside the given margins, furniture within the page edge bands', () => {
    const words = wordBoxes(doc.path);
    expect(words.filter((word) => word.xMin < 39.5 || word.xMax > A4.width - 39.5)).toEqual([]);
    const body = words.filter((word) => !/第|页|Page|of|共|\d+|·|存证报告|合同|ct_/.test(word.text));
    expect(body.filter((word) => word.yMin < 43.5 || word.yMax > A4.height - 51.5)).toEqual([]);
    expect(words.filter((word) => word.yMin < 14 || word.yMax > A4.height - 14)).toEqual([]);
  });

  it('draws no header row for a table whose header cells are empty', () => {
    expect(doc.layout.pages[0].items.filter((item) => item.kind === 'box' && item.fill !== undefined)).toEqual([]);
  });

  it('refuses margins that leave no page', async () => {
    await expect(render('::: margins 400 40 400 40\n正文')).rejects.toThrow(/margins leave less than/);
  });
});

describe('attachments', () => {
  it('embeds the given files, listed by pdfdetach and byte-identical when extracted, in a well-formed PDF', async () => {
    const json = Buffer.from(JSON.stringify({ events: [1, 2, 3] }), 'utf8');
    const doc = await render('# 报告\n正文', {}, { attachments: [{ name: 'evidence.json', bytes: json, mimeType: 'application/json', description: '签约事件' }] });
    const list = execFileSync('pdfdetach', ['-list', doc.path], { encoding: 'utf8' });
    expect(list).toMatch(/1 embedded files/);
    expect(list).toContain('evidence.json');
    const out = join(workspace.dir, 'extracted.json');
    execFileSync('pdfdetach', ['-save', '1', '-o', out, doc.path]);
    expect(Buffer.compare(readFileSync(out), json)).toBe(0);
    expect(qpdfCheck(doc.path).ok).toBe(true);
    const plain = await render('# 报告\n正文');
    expect(execFileSync('pdfdetach', ['-list', plain.path], { encoding: 'utf8' })).toMatch(/0 embedded files/);
  });
});
