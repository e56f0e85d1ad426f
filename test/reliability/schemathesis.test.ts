// Schemathesis (PyPI, pinned in scripts/setup-reliability-tools.sh) generates requests from the
// hub's own /openapi.json — valid ones and broken ones — as the admin and as a signed-in
// business user. Whatever it sends, the hub answers 4xx or 2xx: never a 5xx.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { approvalFlow, startTestHub, type TestHub } from '../support/hub';
import { recordFigures } from './figures';

const schemathesis = new URL('../../.tools/schemathesis-venv/bin/schemathesis', import.meta.url).pathname;
const reports = mkdtempSync(join(tmpdir(), 'sealflow-schemathesis-'));
/** Cases per operation: SCHEMATHESIS_EXAMPLES for a longer (or shorter) hunt. */
const examples = Number(process.env.SCHEMATHESIS_EXAMPLES ?? 30);
let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub({
    // Schemathesis posts to the public endpoints as fast as it can; their limits are tested elsewhere.
    publicRateLimits: { verify: { burst: 1_000_000, perSecond: 1_000_000 }, tsa: { burst: 1_000_000, perSecond: 1_000_000 } },
  });
  // Something to find: a published flow, a contract, so ids in paths can hit real objects too.
  await hub.publish(approvalFlow());
  await hub.call('POST', '/api/contracts', { flow: 'supplier-purchase', sourceKey: 'po-1', data: { poNumber: 'PO-1', amount: 5000, supplier: { name: '华东精密' } } });
});
afterAll(async () => {
  await hub?.close();
  rmSync(reports, { recursive: true, force: true });
});

interface Outcome {
  cases: number;
  serverErrors: string[];
  output: string;
}

async function fuzz(who: string, token: string): Promise<Outcome> {
  const ndjson = join(reports, `${who}.ndjson`);
  const args = [
    'run', `${hub.url}/openapi.json`,
    '--header', `Authorization: Bearer ${token}`,
    '--checks', 'not_a_server_error',
    '--phases', 'examples,coverage,fuzzing',
    '--max-examples', String(examples),
    '--workers', '2',
    '--seed', '20261128',
    // GET /api/contracts/:id?wait= holds the answer up to 30 s by design.
    '--request-timeout', '40',
    // An event stream never ends by itself: a request to it would only time out.
    '--exclude-path', '/api/events',
    '--suppress-health-check', 'all',
    '--report', 'ndjson', '--report-ndjson-path', ndjson,
    '--no-color',
  ];
  let output = '';
  try {
    // Its cwd is the report folder: Schemathesis keeps a .schemathesis/ cache where it runs.
    const result = await promisify(execFile)(schemathesis, args, { cwd: reports, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, SCHEMATHESIS_TELEMETRY: 'false' } });
    output = result.stdout + result.stderr;
  } catch (error) {
    // Exit code 1: failures found; they are counted from the report below.
    const e = error as { stdout?: string; stderr?: string };
    output = `${e.stdout ?? ''}${e.stderr ?? ''}`;
  }
  let cases = 0;
  const serverErrors: string[] = [];
  for (const line of readFileSync(ndjson, 'utf8').split('\n').filter(Boolean)) {
    const event = JSON.parse(line);
    const finished = event.ScenarioFinished ?? event.scenario_finished;
    if (!finished) continue;
    for (const step of Object.values<any>(finished.recorder?.interactions ?? {})) {
      cases += 1;
      const status = step.response?.status_code;
      if (status >= 500) serverErrors.push(`${step.request.method} ${step.request.uri} → ${status}`);
    }
  }
  // The summary at the end says what failed and how to reproduce it; the whole log is long.
  return { cases, serverErrors, output: output.slice(-6000) };
}

it('answers no 5xx to anything Schemathesis sends, as the admin and as a business user', async () => {
  const user = await hub.user('李业务', ['business-user']);
  const started = Date.now();
  const admin = await fuzz('admin', hub.adminToken);
  const business = await fuzz('business-user', user.token);
  recordFigures('schemathesis', {
    'cases (admin)': admin.cases,
    'cases (business user)': business.cases,
    '5xx (admin)': admin.serverErrors.length,
    '5xx (business user)': business.serverErrors.length,
    'seconds': Math.round((Date.now() - started) / 1000),
  });
  // A run that sent nothing proves nothing.
  expect(admin.cases, admin.output).toBeGreaterThan(200);
  expect(business.cases, business.output).toBeGreaterThan(200);
  expect([...new Set(admin.serverErrors)], admin.output).toEqual([]);
  expect([...new Set(business.serverErrors)], business.output).toEqual([]);
});
