// JSONata fields in the flow designer, in real Chromium against a real hub: completion of
// the flow's data fields and $functions, a parse error shown where it is, the live result on
// a sample record typed into the page, and expressions that never end: the engine's budget
// stops a loop, and a regex that backtracks for ever (one step, no budget sees it) is ended
// by terminating the worker after its time limit, while typing in the page goes on.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { screenshotter, seriousViolations, signInToDesigner, startBrowserHub, stopBrowserHub, watchProblems } from '../support/e2e';
import { exampleOrder, type TestHub } from '../support/hub';

let hub: TestHub;
let browser: Browser;

beforeAll(async () => {
  ({ hub, browser } = await startBrowserHub());
});
afterAll(() => stopBrowserHub({ hub, browser }));

const shot = screenshotter('designer-expressions');
const editor = (page: Page, path: string) => page.locator(`.cm-content[data-field="${path}"]`);
const result = (page: Page, path: string) => page.locator(`[data-testid="result-${path}"]`);

/** Replaces the field's text by typing, key by key, as a user does. */
async function retype(page: Page, path: string, text: string) {
  await editor(page, path).click();
  await page.keyboard.press('Control+a');
  await page.keyboard.type(text);
}

/** Signs in, creates a flow from the SAP starter, and opens the supplier's card by keyboard. */
async function openSupplierCard(page: Page) {
  await signInToDesigner(page, hub);
  await page.check('input[name="starter"][value="supplier-purchase"]');
  await page.click('[data-testid="create-flow"] button[type="submit"]');
  await expect.poll(() => page.locator('[data-testid="card-signer-1"]').count()).toBe(1);
  await page.locator('[data-testid="card-signer-1"]').focus(); // the keyboard opens a card
  await page.keyboard.press('Enter');
}

it('completes, checks and evaluates JSONata fields on a sample record, and survives expressions that never end', { timeout: 180_000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
  const page = await context.newPage();
  // Refusals of the sign-in probe and of a flow not saved yet are 4xx answers the page expects; anything else is a fault.
  const problems = watchProblems(page);
  // Nothing the editor does is refused by the page's CSP (its styles, the browser's editing, the worker)
  await page.exposeFunction('reportViolation', (v: string) => problems.push(`CSP refused: ${v}`));
  await page.addInitScript('document.addEventListener("securitypolicyviolation", (e) => window.reportViolation(e.violatedDirective + " " + e.blockedURI))');

  await openSupplierCard(page);
  await expect.poll(() => page.getAttribute('[data-testid="drawer"]', 'data-path')).toBe('/signers/1');

  // The supplier's name is an expression: a code editor named by its label
  const name = '/signers/1/name';
  await expect.poll(() => editor(page, name).count()).toBe(1);
  expect(await editor(page, name).getAttribute('aria-label')).toBe('Name (text or =expression)');
  expect(await editor(page, name).textContent()).toBe('=supplier.name');
  expect(await page.locator(`[data-testid="expression-${name}"] .cm-line span`).count()).toBeGreaterThan(0); // highlighted
  expect(await result(page, name).textContent()).toContain('No sample record');

  // `=sup` offers the data fields from the flow's data schema, nested with dots
  await retype(page, name, '=sup');
  const options = page.locator('.cm-tooltip-autocomplete li[role="option"]');
  await expect.poll(() => options.allTextContents()).toEqual(expect.arrayContaining(['supplier.name' + 'string', 'supplier.mobile' + 'string']));
  await shot(page, 'completion');
  await options.filter({ hasText: /^supplier\.namestring$/ }).click();
  await expect.poll(() => editor(page, name).textContent()).toBe('=supplier.name');
  await expect.poll(() => page.locator('[data-testid="card-signer-1"]').getAttribute('data-invalid')).toBe('false');

  // $functions with their signatures; the keyboard accepts one (Enter), the caret lands inside its parentheses
  await retype(page, name, '=$uppe');
  await expect.poll(() => options.first().textContent()).toBe('$uppercase(str)');
  await page.waitForTimeout(150); // CodeMirror takes no Enter in the first 75 ms of a changed list (a guard for fast typists)
  await page.keyboard.press('Enter');
  await page.keyboard.type('supplier.name');
  await expect.poll(() => editor(page, name).textContent()).toBe('=$uppercase(supplier.name)');

  // A sample record, typed into the page: the live result shows under the field
  await page.click(`[data-testid="sample-toggle-${name}"]`);
  await page.fill('[data-testid="sample-text"]', JSON.stringify(exampleOrder().data, null, 2));
  await expect.poll(() => result(page, name).textContent()).toBe('→ "深圳市华强电子有限公司"');
  await retype(page, name, '=supplier.name & " (" & $count(items) & " items)"');
  await expect.poll(() => editor(page, name).textContent()).toBe('=supplier.name & " (" & $count(items) & " items)"'); // closing brackets and quotes are typed over
  await expect.poll(() => result(page, name).textContent()).toBe(`→ "深圳市华强电子有限公司 (${exampleOrder().data.items.length} items)"`);
  // the sample's own fields complete too (the schema does not name supplier.isNew)
  await retype(page, name, '=supplier.isN');
  await expect.poll(() => options.allTextContents()).toEqual(['supplier.isNewboolean']);
  await page.keyboard.press('Escape');
  await expect.poll(() => result(page, name).textContent()).toBe('→ no value (nothing matched in the sample)');
  await shot(page, 'result');

  // A syntax error is underlined where JSONata stopped, and said under the field
  await retype(page, name, '=supplier.name & ] & poNumber');
  await expect.poll(() => page.locator(`[data-testid="expression-${name}"] .cm-lintRange-error`).textContent()).toBe(']');
  await expect.poll(() => result(page, name).getAttribute('data-kind')).toBe('invalid');
  expect(await result(page, name).textContent()).toBe('Syntax error at column 17: The symbol "]" cannot be used as a unary operator');
  expect(await editor(page, name).getAttribute('aria-invalid')).toBe('true');
  await expect.poll(() => page.locator('[data-testid="card-signer-1"]').getAttribute('data-invalid')).toBe('true');
  await shot(page, 'syntax-error');

  // A loop: the engine's own budget stops it
  await editor(page, name).click();
  await page.keyboard.press('Control+a');
  await page.keyboard.insertText('=($f := function($n) { $f($n + 1) }; $f(0))');
  await expect.poll(() => result(page, name).getAttribute('data-kind'), { timeout: 10_000 }).toBe('timeout');
  expect(await result(page, name).textContent()).toMatch(/^Timed out: it ran out of its evaluation budget/);

  // A regex that would backtrack for ever in a JavaScript engine runs in linear time (flows/linear-regex.ts, the
  // server's engine too): it answers at once, and typing goes on meanwhile.
  await editor(page, name).click();
  await page.keyboard.press('Control+a');
  await page.keyboard.insertText('=$match("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", /^(a+)+$/)');
  const started = Date.now();
  await page.keyboard.press('End');
  await page.keyboard.type(' ');
  await page.keyboard.press('Backspace');
  const typed = Date.now() - started;
  await expect.poll(() => result(page, name).textContent(), { timeout: 10_000 }).toMatch(/^→ no value/);
  expect(typed).toBeLessThan(1000); // typing did not wait for the evaluation
  await shot(page, 'timed-out');
  // the next expression is answered; a pause first, so that the retyping is an undo step of its own (TYPING_PAUSE_MS)
  await page.waitForTimeout(1200);
  await retype(page, name, '=poNumber');
  await expect.poll(() => result(page, name).textContent()).toBe('→ "4500000001"');
  // Ctrl-Z in the field is the designer's undo, and the field follows it: the whole retyping is one step
  await page.keyboard.press('Control+z');
  await expect.poll(() => editor(page, name).textContent()).toBe('=$match("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", /^(a+)+$/)');
  await page.keyboard.press('Control+Shift+z');
  await expect.poll(() => editor(page, name).textContent()).toBe('=poNumber');

  // A plain field that may hold an expression becomes an editor as `=` is typed, and typing goes on in it
  await page.locator('[data-testid="card-signer-0"]').focus();
  await page.keyboard.press('Enter');
  const email = '/signers/0/contact/email';
  await page.click(`input[data-field="${email}"]`);
  await page.keyboard.type('=buyer.n');
  await expect.poll(() => editor(page, email).textContent()).toBe('=buyer.n');
  await expect.poll(() => options.first().textContent()).toBe('buyer.namestring');
  await page.keyboard.press('Escape');
  await expect.poll(() => result(page, email).textContent()).toBe('→ no value (nothing matched in the sample)');
  // and stays one while the `=` is retyped
  await page.keyboard.press('Control+a');
  await page.keyboard.type('buyer@example.cn');
  await expect.poll(() => editor(page, email).textContent()).toBe('buyer@example.cn');
  expect(await result(page, email).textContent()).toBe('');

  // Fields that only take expressions are JSONata editors too: the amount, on the start card
  await page.locator('[data-testid="card-trigger"]').focus();
  await page.keyboard.press('Enter');
  await expect.poll(() => editor(page, '/approval/amount').count()).toBe(1);
  await expect.poll(() => result(page, '/approval/amount').textContent()).toMatch(/^→ \d+(\.\d+)?$/);

  // Chinese
  await page.click('[data-testid="language"]');
  await expect.poll(() => result(page, '/approval/amount').textContent()).toMatch(/^→ /);
  const unfinished = '=$sum(items.(quantity * $number(unitPrice))) +';
  await editor(page, '/approval/amount').click();
  await page.keyboard.press('Control+a');
  await page.keyboard.insertText(unfinished);
  await expect.poll(() => result(page, '/approval/amount').textContent()).toBe(`第 ${unfinished.length} 列语法错误：Unexpected end of expression`);

  expect(problems).toEqual([]);
  await context.close();
});

it('the expression fields pass axe-core with no serious finding, each named by its label', { timeout: 120_000 }, async () => {
  // axe's script needs a context that bypasses the CSP; the first test runs under it
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', bypassCSP: true });
  const page = await context.newPage();
  await openSupplierCard(page);
  await expect.poll(() => page.locator('.cm-content[data-field]').count()).toBe(3); // name, email, mobile
  expect(await page.locator('.cm-content[data-field]').evaluateAll((els) => els.map((e) => [e.getAttribute('role'), e.getAttribute('aria-label')]))).toEqual([
    ['textbox', '名称（文本或 =表达式）'],
    ['textbox', '邮箱'],
    ['textbox', '手机'],
  ]);
  await page.click('[data-testid="sample-toggle-/signers/1/name"]');
  await page.fill('[data-testid="sample-text"]', JSON.stringify(exampleOrder().data));
  await expect.poll(() => result(page, '/signers/1/name').textContent()).toBe('→ "深圳市华强电子有限公司"');
  // The expression fields (editor, completion list, result, sample editor); the rest of the drawer is not theirs
  await page.click('[data-testid="sample-toggle-/signers/1/contact/email"]');
  await editor(page, '/signers/1/name').click();
  await page.keyboard.press('End');
  await page.keyboard.type(' & $su');
  await expect.poll(() => page.locator('.cm-tooltip-autocomplete').count()).toBe(1);
  expect(await page.locator('[data-testid="sample-editor"]').count()).toBe(2);
  expect(await seriousViolations(page, { include: '.expr' })).toEqual([]);
  await shot(page, 'zh');
  await context.close();
});

it('goes on taking what is typed while the editor itself is still on its way, at full speed and where the caret was', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
  const page = await context.newPage();
  // A slow network: the editor's code arrives only when the test lets it
  let release!: () => void;
  const arrived = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/assets/ExpressionEditor-*.js', async (route) => {
    await arrived;
    await route.continue();
  });
  await openSupplierCard(page);
  await expect.poll(() => page.getAttribute('[data-testid="drawer"]', 'data-path')).toBe('/signers/1');
  const name = '/signers/1/name';
  // Meanwhile a plain input stands in for the editor, and takes typing
  await page.click(`input[data-field="${name}"]`);
  await page.keyboard.press('End');
  await page.keyboard.type(' & ');
  expect(await page.inputValue(`input[data-field="${name}"]`)).toBe('=supplier.name & ');
  await page.keyboard.press('ArrowLeft'); // the caret is not at the end when the editor arrives
  release();
  await expect.poll(() => editor(page, name).count()).toBe(1);
  await page.keyboard.type('"·"');
  // nothing typed went to the page instead of the field, and it went where the caret was
  await expect.poll(() => editor(page, name).textContent()).toBe('=supplier.name &"·" ');
  await page.keyboard.press('Control+z');
  await expect.poll(() => editor(page, name).textContent()).toBe('=supplier.name');
  await context.close();
});
