// The README's worked example, run as a new user runs it: `npm start`, then the example's
// bash block pasted into a shell in the checkout. The block is read from README.md here, at
// test time, so the documentation cannot drift from the product.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { freePort, startHubProcess, type HubProcess } from '../support/hub-process';

const root = new URL('../..', import.meta.url).pathname;

/** The first ```bash block under "## A worked example". */
function workedExample(readme: string): string {
  const section = readme.split(/^## /m).find((s) => s.startsWith('A worked example\n'));
  if (!section) throw new Error('README.md has no "## A worked example" section');
  const block = /^```bash\n([\s\S]*?)^```$/m.exec(section);
  if (!block) throw new Error('"## A worked example" has no ```bash block');
  return block[1];
}

function runBash(script: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    // As a user's shell would, but stopping at the first failing step.
    const proc = spawn('bash', ['-euo', 'pipefail', '-c', script], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    proc.stdout.on('data', (chunk) => (output += chunk));
    proc.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const dataDir = mkdtempSync(join(tmpdir(), 'sealflow-readme-'));
let running: HubProcess | undefined;

afterAll(async () => {
  // Ctrl-C first: the hub stops its Temporal dev server; kill -9 only if that hangs.
  if (running && running.process.exitCode === null) {
    const stopped = await Promise.race([running.stop().then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 20_000))]);
    if (!stopped) await running.kill();
  }
  rmSync(dataDir, { recursive: true, force: true });
});

it('runs the README example as written, from posting the flow to pdfsig finding every signature valid', { timeout: 420_000 }, async () => {
  const script = workedExample(readFileSync(join(root, 'README.md'), 'utf8'));
  const port = await freePort();
  // No SEALFLOW_ADMIN_TOKEN: the hub makes one into the data folder, where the example reads it.
  running = await startHubProcess({
    SEALFLOW_DATA_DIR: dataDir,
    PORT: String(port),
    TEMPORAL_DEV_PORT: String(await freePort()),
    TEMPORAL_DEV_UI_PORT: String(await freePort()),
    SEALFLOW_ADMIN_TOKEN: undefined,
    SEALFLOW_PUBLIC_URL: undefined,
  });

  const { code, output } = await runBash(script, { HUB: `http://localhost:${port}`, SEALFLOW_DATA_DIR: dataDir }, 300_000);
  expect(code, output).toBe(0);

  // The contract went all the way: both parties signed, archived, completed.
  expect(output).toMatch(/"status":\s*"completed"/);
  // `npx sealflow verify` found every signature of both PDFs valid against the hub's root.
  expect(output).toMatch(/contract\.pdf: VALID/);
  expect(output).toMatch(/evidence\.pdf: VALID/);
  expect(output).not.toMatch(/NOT VALID|INVALID/);
  // pdfsig (poppler) checked the buyer's and the supplier's signature: both valid. (It leaves the
  // archive's RFC 3161 document timestamp unverified; `sealflow verify` above covers that one.)
  const pdfsig = output.slice(output.lastIndexOf('Digital Signature Info of:'));
  const signatures = pdfsig.split(/^Signature #\d+:$/m).slice(1).filter((block) => block.includes('Signature Type: ETSI.CAdES.detached'));
  expect(signatures.map((block) => /Signature Field Name: (.*)/.exec(block)?.[1]), pdfsig).toEqual(['sealflow-buyer', 'sealflow-supplier']);
  for (const block of signatures) expect(block, pdfsig).toContain('Signature Validation: Signature is Valid.');

  // The files went to the data folder, not the checkout; the evidence report is a PDF.
  const out = join(dataDir, 'example');
  for (const file of ['contract.pdf', 'evidence.pdf']) expect(readFileSync(join(out, file)).subarray(0, 5).toString()).toBe('%PDF-');
  expect(existsSync(join(root, 'contract.pdf'))).toBe(false);
});
