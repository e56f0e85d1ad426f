import { describe, expect, it } from 'vitest';
import { escapeData, MarkupError, parseMarkup, unescapeText } from '../../templates/markup';

describe('escapeData', () => {
  it.each(['# 标题', '| a | b |', '::: signature buyer', '-> right <-', 'C:\\new\\table', '<script>{{x}}</script>', '\\n 字面', 'a\\|b'])(
    'round-trips %j as literal text',
    (value) => {
      expect(unescapeText(escapeData(value))).toBe(value);
      const [block] = parseMarkup(escapeData(value));
      expect(block).toMatchObject({ kind: 'paragraph', align: 'left', text: value });
    },
  );

  it('keeps a line break inside one paragraph and drops invisible characters', () => {
    const blocks = parseMarkup(`住所：${escapeData('上海市浦东新区\r\n碧波路\u200B 690 号')}`);
    expect(blocks).toEqual([{ kind: 'paragraph', align: 'left', text: '住所：上海市浦东新区\n碧波路 690 号', line: 1 }]);
  });

  it('never lets a value add a table cell', () => {
    const [table] = parseMarkup(`| 名称 | 数量 |\n|---|---:|\n| ${escapeData('A | B')} | 1 |`);
    expect(table).toMatchObject({ kind: 'table', rows: [[{ text: 'A | B' }, { text: '1' }]] });
  });
});

describe('parseMarkup', () => {
  it('reads title, headings, aligned paragraphs, gaps and directives', () => {
    const blocks = parseMarkup('# 采购合同\n\n-> 合同编号：1\n-> 居中 <-\n## 第一条　标的\n  正文 \n\n\n### 1.1 小节\n::: pagebreak\n::: signature buyer 甲方（盖章）\n::: signatures\n');
    expect(blocks.map((block) => block.kind)).toEqual(['title', 'gap', 'paragraph', 'paragraph', 'heading', 'paragraph', 'gap', 'heading', 'pagebreak', 'signature', 'signatures']);
    expect(blocks[2]).toMatchObject({ align: 'right', text: '合同编号：1' });
    expect(blocks[3]).toMatchObject({ align: 'center', text: '居中' });
    expect(blocks[9]).toMatchObject({ signerId: 'buyer', label: '甲方（盖章）' });
  });

  it('reads a table with alignments, relative widths, spans and summary rows', () => {
    const [table] = parseMarkup('| 序号 | 名称 | 金额 |\n|:--:|--------|---:|\n| 1 | 甲 | 1.00 |\n|---|\n| 合计 | < | 1.00 |');
    expect(table).toMatchObject({
      kind: 'table',
      columns: [{ weight: 2, align: 'center' }, { weight: 8, align: 'left' }, { weight: 3, align: 'right' }],
      header: [{ text: '序号' }, { text: '名称' }, { text: '金额' }],
      rows: [[{ text: '1', span: 1 }, { text: '甲', span: 1 }, { text: '1.00', span: 1 }]],
      summary: [[{ text: '合计', span: 2 }, { text: '1.00', span: 1 }]],
    });
  });

  it('names the markup line of a malformed table or an unknown directive', () => {
    expect(() => parseMarkup('前言\n| a | b |\n|---|---|\n| 1 |')).toThrow(expect.objectContaining({ line: 4, message: expect.stringMatching(/1 cells, the header has 2/) }));
    expect(() => parseMarkup('| a |\n| b |')).toThrow(MarkupError);
    expect(() => parseMarkup('x\n::: stamp')).toThrow(expect.objectContaining({ line: 2 }));
  });
});
