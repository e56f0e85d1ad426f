// What every micro-benchmark here shares: a rate measured over a fixed time after a warm-up,
// and a company signer enrolled at a fresh in-memory CA with its seal appearance.
import {
  companySealAppearance,
  companySubject,
  createKeyVault,
  createLocalCertificateAuthority,
  createLocalSigner,
  createLocalTimestampAuthority,
  createMemoryKeyRecordStore,
  creditCodeCheckCharacter,
  enrollSigner,
} from '../../signing/index';
import { FontLibrary } from '../../templates';

export const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);

/** Runs `run` for SECONDS after 20 warm-up runs; prints and returns runs (times `perRun`) per second. */
export async function rate(label: string, run: () => Promise<unknown> | unknown, perRun = 1): Promise<number> {
  for (let i = 0; i < 20; i++) await run();
  let count = 0;
  const start = performance.now();
  const until = start + SECONDS * 1000;
  while (performance.now() < until) {
    await run();
    count += perRun;
  }
  const perSecond = (count * 1000) / (performance.now() - start);
  console.log(`${label.padEnd(72)} ${perSecond.toFixed(0).padStart(7)} /s`);
  return perSecond;
}

/** A CA, a TSA and one company signer (深圳市华强电子有限公司) with its red seal. */
export async function benchSigner() {
  const vault = createKeyVault({ masterKey: Buffer.alloc(32, 1), store: createMemoryKeyRecordStore() });
  const ca = await createLocalCertificateAuthority({ vault });
  const tsa = await createLocalTimestampAuthority({ vault, ca });
  const company = '深圳市华强电子有限公司';
  const code = '91440300MA5F00001';
  await enrollSigner({ vault, ca, tenantId: 'bench', signerId: 'buyer', subject: companySubject({ name: company, creditCode: code + creditCodeCheckCharacter(code) }) });
  const signer = await createLocalSigner({ vault, keyId: 'buyer' });
  const appearance = await companySealAppearance({ companyName: company, fonts: new FontLibrary() });
  return { vault, ca, tsa, signer, appearance };
}
