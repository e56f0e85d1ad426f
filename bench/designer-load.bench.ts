// Time to interactive of the flow designer with a large flow (10 tiers × 5 steps, 20 signers
// in 5 rounds, 2 documents), in real Chromium: from navigation start to (a) every card of the
// flow drawn on the canvas and (b) a card that answers a click (its settings drawer open).
// Beside a baseline measured in the same run and hub: the flow list with no flows (the same
// bundle, sign-in and first API call, no canvas), loaded before the large flow is created.
// Each page load is a fresh browser context (no cache).
// Run: npm run bench designer-load (never part of npm test). BENCH_LOADS=… loads each (default 10).
//
// The hub and Chromium are the browser tests' own (bench/support/browser-hub.ts): a real hub
// on a temporary SQLite store serving the built designer; nothing here starts contracts.
import type { FlowDefinition } from '../flows';
// @ts-expect-error -- plain ESM script without type declarations
import { initialLoadBytes } from '../scripts/build-designer.mjs';
import { startBenchBrowserHub } from './support/browser-hub';

const LOADS = Number(process.env.BENCH_LOADS ?? 10);
const TIERS = 10;
const STEPS = 5;
const SIGNERS = 20;
const ROUNDS = 5;

/** 10 tiers (the last the default) of 5 steps each, 2 documents, 20 signers in 5 rounds of 4. */
export function largeFlow(key: string): FlowDefinition {
  return {
    key,
    name: '大型流程（基准）',
    approval: {
      amount: '=amount',
      tiers: Array.from({ length: TIERS }, (_, t) => ({
        ...(t < TIERS - 1 ? { upTo: (t + 1) * 100_000 } : {}),
        steps: Array.from({ length: STEPS }, (_, s) => ({ name: `第 ${t + 1} 档 · 第 ${s + 1} 步`, approvers: [`role:approver-${s + 1}`], ...(s === STEPS - 1 ? { rule: 'all' as const } : {}) })),
      })),
    },
    documents: [
      { id: 'contract', template: 'purchase-contract', title: '="采购合同 " & poNumber' },
      { id: 'nda', template: 'nda', when: '=supplier.isNew = true' },
    ],
    signers: Array.from({ length: SIGNERS }, (_, i) => ({
      id: `signer-${i + 1}`,
      party: 'company' as const,
      name: `=parties[${i}].name`,
      order: Math.floor(i / (SIGNERS / ROUNDS)) + 1,
      documents: ['contract', 'nda'],
      ...(i % 4 === 0 ? { seal: 'contract-seal' } : { verify: 'sms-otp' as const, contact: { mobile: `=parties[${i}].mobile` } }),
    })),
    signing: { deadline: 'P7D', reminders: { every: 'P2D', max: 3 } },
    archive: { folder: '="bench/" & poNumber', retention: 'P10Y' },
  };
}

const { hub, browser, close } = await startBenchBrowserHub();
const { url, adminToken } = hub;
try {
  /** One cold load in a fresh context: ms from navigation start to `ready`, then to a clicked card's drawer (designer only). */
  async function load(path: string, ready: string, click?: { card: string; opens: string }): Promise<{ ready: number; interactive: number | null }> {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    await context.addInitScript({ content: `sessionStorage.setItem('sealflow.token', ${JSON.stringify(adminToken)})` });
    const page = await context.newPage();
    try {
      // The page stamps, on its own clock (ms since navigation start), when each selector first
      // appears; as soon as the flow is drawn it clicks a card (in the next task, as a user's
      // click would come), so the figure has no test-driver round trips in it.
      await page.addInitScript({
        content: `(() => {
          const ready = ${JSON.stringify(ready)}, click = ${JSON.stringify(click ?? null)};
          const seen = (window.__seen = {});
          const look = () => {
            if (!('ready' in seen) && document.querySelector(ready)) {
              seen.ready = performance.now();
              if (click) setTimeout(() => document.querySelector(click.card).click(), 0);
            }
            if (click && 'ready' in seen && !('opens' in seen) && document.querySelector(click.opens)) seen.opens = performance.now();
          };
          new MutationObserver(look).observe(document, { subtree: true, childList: true });
        })();`,
      });
      await page.goto(url + path, { waitUntil: 'commit' });
      // polled with evaluate: waitForFunction compiles its text, which the page's CSP (no 'unsafe-eval') forbids
      const until = Date.now() + 60_000;
      while (!(await page.evaluate(click ? 'Boolean(window.__seen && "opens" in window.__seen)' : 'Boolean(window.__seen && "ready" in window.__seen)'))) {
        if (Date.now() > until) throw new Error(`${path}: not ready within 60 s`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const seen = (await page.evaluate('window.__seen')) as Record<string, number>;
      return { ready: seen.ready!, interactive: click ? seen.opens! : null };
    } finally {
      await context.close();
    }
  }

  const baseline: number[] = [];
  const drawn: number[] = [];
  const interactive: number[] = [];
  const emptyList = 'main p.muted'; // "还没有流程" once GET /api/flows answered
  await load('/designer', emptyList); // warm-up: the server's first answers, Chromium's first process
  for (let i = 0; i < LOADS; i++) baseline.push((await load('/designer', emptyList)).ready);

  const flow = largeFlow('large-flow');
  const created = await hub.call('POST', '/api/flows', flow);
  if (created.status !== 201) throw new Error(`creating the flow: ${created.status} ${JSON.stringify(created.body)}`);
  const lastCard = `[data-testid="card-signer-${SIGNERS - 1}"]`;
  const click = { card: '[data-testid="card-step-0-0"]', opens: '[data-testid="drawer"]' };
  await load(`/designer/flows/${flow.key}`, lastCard, click);
  for (let i = 0; i < LOADS; i++) {
    const designer = await load(`/designer/flows/${flow.key}`, lastCard, click);
    drawn.push(designer.ready);
    interactive.push(designer.interactive!);
  }

  const pct = (values: number[], p: number) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
  };
  const line = (label: string, values: number[]) =>
    console.log(`${label.padEnd(66)} p50 ${pct(values, 50).toFixed(0).padStart(6)} ms   p90 ${pct(values, 90).toFixed(0).padStart(6)} ms   max ${Math.max(...values).toFixed(0).padStart(6)} ms`);
  const cards = 1 + TIERS * (1 + STEPS) + 2 + SIGNERS + 2;
  console.log(`Chromium ${browser.version()}; ${LOADS} cold loads each (fresh context), 1440×900; initial bundle ${(initialLoadBytes() / 1024).toFixed(0)} KB gzip`);
  console.log(`flow: ${TIERS} tiers × ${STEPS} steps, ${SIGNERS} signers in ${ROUNDS} rounds, 2 documents = ${cards} cards`);
  line('(baseline) flow list, no flows: list shown', baseline);
  line('designer, large flow: every card drawn', drawn);
  line('designer, large flow: a card clicked as soon as drawn → its drawer', interactive);
  console.log(`designer − baseline (p50): ${(pct(interactive, 50) - pct(baseline, 50)).toFixed(0)} ms`);
} finally {
  await close();
}
// The hub's Temporal runtime can keep the process alive after everything is closed, as in the other Temporal benches.
process.exit(0);
