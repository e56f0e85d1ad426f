// The accessibility scan every browser test relies on (test/support/e2e.ts seriousViolations)
// can fail: on a page with an unnamed button and an image without a text alternative it names
// both, and on a sound page it finds nothing serious.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium } from '../support/browser';
import { seriousViolations } from '../support/e2e';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());

const page = (body: string) => `<!doctype html><html lang="zh-CN"><head><title>签署</title></head><body><main><h1>采购合同</h1>${body}</main></body></html>`;

it('names the serious findings of a faulty page, one line a rule, and none on a sound one', async () => {
  const context = await browser.newContext();
  try {
    const tab = await context.newPage();
    await tab.setContent(page('<button></button><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'));
    const found = await seriousViolations(tab);
    expect(found.map((line) => line.split(' ')[0]).sort()).toEqual(['button-name', 'image-alt']);
    expect(found[0]).toMatch(/^\S+ \((serious|critical)\): \S/);

    await tab.setContent(page('<button>签署</button><img alt="公司印章" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'));
    expect(await seriousViolations(tab)).toEqual([]);
  } finally {
    await context.close();
  }
});
