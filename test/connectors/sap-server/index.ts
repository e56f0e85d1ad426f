// Starts the stand-in S/4HANA (./serve.ts) as a child process with its own HOME and a free
// port, and gives tests its URLs and control calls. One child per test file.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { SeedOptions } from './seed';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '../../..');

export interface SapServer {
  origin: string;
  purchaseOrderServiceUrl: string;
  businessPartnerServiceUrl: string;
  seed(options: SeedOptions): Promise<{ purchaseOrders: number; items: number; suppliers: number }>;
  /** Changes a header as SAP would (LastChangeDateTime set to now). */
  changePurchaseOrder(purchaseOrder: string, changes: Record<string, unknown>): Promise<void>;
  notes(): Promise<Array<{ PurchaseOrder: string; TextObjectType: string; Language: string; PlainLongText: string }>>;
  stop(): Promise<void>;
}

export async function startSapServer(options: { pageSize?: number } = {}): Promise<SapServer> {
  // Its own HOME: `cds serve` records running services in ~/.cds-services.json, and a later
  // process would silently bind to that (dead) server instead of mocking.
  const home = mkdtempSync(join(tmpdir(), 'sealflow-sap-mock-'));
  const child: ChildProcess = spawn(process.execPath, [join(repo, 'node_modules/tsx/dist/cli.mjs'), join(here, 'serve.ts')], {
    cwd: home,
    env: { ...process.env, HOME: home, SAP_MOCK_PAGE_SIZE: String(options.pageSize ?? 1000), NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (line.startsWith('{"port"')) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`SAP mock server exited with ${code}: ${stderr}`)));
    setTimeout(() => reject(new Error(`SAP mock server did not start within 60 s: ${stderr}`)), 60_000).unref();
  });
  const origin = `http://127.0.0.1:${port}`;
  const post = async <T>(path: string, body: unknown): Promise<T> => {
    const response = await fetch(origin + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  return {
    origin,
    purchaseOrderServiceUrl: `${origin}/odata/v2/sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV`,
    businessPartnerServiceUrl: `${origin}/odata/v2/sap/opu/odata/sap/API_BUSINESS_PARTNER`,
    seed: (seed) => post('/__mock/seed', seed),
    changePurchaseOrder: async (po, changes) => void (await post(`/__mock/purchase-orders/${po}`, changes)),
    notes: async () => (await (await fetch(`${origin}/__mock/notes`)).json()) as Awaited<ReturnType<SapServer['notes']>>,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}
