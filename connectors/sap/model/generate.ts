// Regenerates the CDS models in this folder from SAP's own EDMX metadata:
//   npx tsx connectors/sap/model/generate.ts [folder holding the .edmx files]
// (default: test/connectors/fixtures/sap, byte-identical copies of shared/fixtures/sap).
//
// This is the only place that needs @sap/cds-dk (`cds import`); the connector and its
// tests load the committed .csn files, so neither needs cds-dk at run time.
//
// The patch: SAP's EDMX declares header→item navigations without a referential
// constraint, so the import yields associations with `keys: []` and no ON condition.
// The remote client does not care, but CAP's mock server (used by the tests) refuses to
// $expand such an association. We give each one an ON condition over the key elements
// both ends share, which is what SAP's own implementation joins on.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../..');
const source = resolve(process.argv[2] ?? join(repo, 'test/connectors/fixtures/sap'));
const SERVICES = ['API_PURCHASEORDER_PROCESS_SRV', 'API_BUSINESS_PARTNER'] as const;

interface CsnElement { type?: string; key?: boolean; target?: string; keys?: unknown[]; on?: unknown[]; cardinality?: { max?: string | number } }
interface CsnDefinition { kind?: string; elements?: Record<string, CsnElement> }
interface Csn { definitions: Record<string, CsnDefinition>; [other: string]: unknown }

const keyNames = (def: CsnDefinition) => Object.entries(def.elements ?? {}).filter(([, e]) => e.key).map(([n]) => n);

/** Adds ON conditions over shared key elements to associations the EDMX left unconstrained. */
export function patchUnconstrainedAssociations(csn: Csn): string[] {
  const patched: string[] = [];
  for (const [name, def] of Object.entries(csn.definitions)) {
    if (def.kind !== 'entity') continue;
    for (const [elementName, element] of Object.entries(def.elements ?? {})) {
      const isAssociation = element.type === 'cds.Association' || element.type === 'cds.Composition';
      if (!isAssociation || element.on || (element.keys && element.keys.length > 0)) continue;
      const target = csn.definitions[element.target ?? ''];
      if (!target?.elements) continue;
      const sourceKeys = keyNames(def);
      const targetKeys = keyNames(target);
      // Parent→children: the parent's keys all appear on the child. Child→parent: the reverse.
      const shared = sourceKeys.every((k) => k in target.elements!)
        ? sourceKeys
        : targetKeys.every((k) => k in def.elements!)
          ? targetKeys
          : sourceKeys.filter((k) => targetKeys.includes(k));
      if (shared.length === 0) continue;
      const on: unknown[] = [];
      shared.forEach((k, i) => {
        if (i > 0) on.push('and');
        on.push({ ref: [elementName, k] }, '=', { ref: [k] });
      });
      delete element.keys;
      element.on = on;
      patched.push(`${name}.${elementName} on ${shared.join(', ')}`);
    }
  }
  return patched;
}

const home = mkdtempSync(join(tmpdir(), 'sealflow-cds-import-'));
for (const service of SERVICES) {
  const edmx = join(source, `${service}.edmx`);
  // --dry prints the CSN and touches no package.json; own HOME so no user-level cds config leaks in.
  // cds-dk is not a project dependency (it bundles a second better-sqlite3 build); npx fetches the pinned major.
  const text = execFileSync('npx', ['--yes', '-p', '@sap/cds-dk@9', 'cds', 'import', edmx, '--as', 'csn', '--dry'], {
    cwd: home,
    env: { ...process.env, HOME: home },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const csn = JSON.parse(text.slice(text.indexOf('{'))) as Csn;
  const patched = patchUnconstrainedAssociations(csn);
  writeFileSync(join(here, `${service}.csn`), JSON.stringify(csn, null, 1) + '\n');
  console.log(`${service}.csn: ${Object.keys(csn.definitions).length} definitions, ${patched.length} associations given an ON condition`);
  for (const line of patched) console.log('  ' + line);
}
