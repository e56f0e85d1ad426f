import * as fontkitModule from '@pdf-lib/fontkit';
import { describe, expect, it } from 'vitest';
import { signerPageHtml } from './page';
import { commonHanzi, createLinkFonts, createWebfont, WEBFONT_BUDGET_BYTES, webfontCharacters } from './webfont';

// @pdf-lib/fontkit is a UMD bundle: at run time its API sits on `default`.
const fontkit = (fontkitModule as unknown as { default?: typeof fontkitModule }).default ?? fontkitModule;
const pageWords = signerPageHtml({ font: '', script: '', pdfjs: '', pdfjsWorker: '', cMapUrl: '', standardFontDataUrl: '' });

describe('the signer page webfont', () => {
  it('holds the 3,755 common hanzi of GB 2312 level 1', () => {
    const hanzi = commonHanzi();
    expect([...hanzi]).toHaveLength(3755);
    expect(hanzi).toContain('签');
    expect(hanzi).not.toContain('圳'); // level 2: a per-link font covers it
  });

  it('draws every character of the page in WOFF2 within its size budget, the same bytes every time', { timeout: 60_000 }, async () => {
    const characters = webfontCharacters([pageWords, '身份证号：张珺']);
    expect(characters).toContain('珺');
    const webfont = createWebfont({ characters });
    const { body, etag } = await webfont.load();
    expect(body.subarray(0, 4).toString('latin1')).toBe('wOF2');
    expect(body.length).toBeLessThanOrEqual(WEBFONT_BUDGET_BYTES);
    expect(await webfont.load()).toEqual({ body, etag });
    const font = fontkit.create(body);
    const used = [...new Set(pageWords.replace(/<[^>]*>/g, '').replace(/\s/g, ''))];
    expect(used.length).toBeGreaterThan(50);
    expect(used.filter((c) => !font.hasGlyphForCodePoint(c.codePointAt(0)!))).toEqual([]);
  });

  it('cuts a link font of only what the webfont lacks, and none when it lacks nothing', { timeout: 60_000 }, async () => {
    const fonts = createLinkFonts({ covered: webfontCharacters([pageWords]) });
    expect(await fonts.load('采购合同 4500000001 · 上海')).toBeNull();
    const font = await fonts.load('深圳市华强电子有限公司 张珺');
    expect(font!.unicodeRange).toBe('U+5733, U+73FA');
    expect(fontkit.create(font!.body).hasGlyphForCodePoint(0x5733)).toBe(true);
  });
});
