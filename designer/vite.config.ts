// The designer's build: a static app under /designer, served by the hub (server/designer.ts).
// It imports flows/ from the repository itself, so the browser validates with the server's code.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { Ajv } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';
import { defineConfig, type Plugin } from 'vite';
import { FlowDefinitionSchema } from '../flows/schema.ts';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * flows/ validates with ajv, which compiles schemas to code with `new Function`: under the
 * page's CSP (no 'unsafe-eval') that cannot run. So the flow schema's validator is compiled
 * here, at build time, with the options flows/ uses (ajv's standalone code), and `ajv` in
 * the browser is a stand-in that hands it out. A flow's own data schema cannot be compiled
 * in the page: there it checks nothing, and the server checks it on save.
 */
function precompiledAjv(): Plugin {
  const AJV = '\0sealflow:ajv';
  const FORMATS = '\0sealflow:ajv-formats';
  const FLOW_VALIDATOR = '\0sealflow:flow-validator';
  return {
    name: 'sealflow-precompiled-ajv',
    enforce: 'pre',
    resolveId(id) {
      if (id === 'ajv') return AJV;
      if (id === 'ajv-formats') return FORMATS;
      if (id === FLOW_VALIDATOR) return id;
      return null;
    },
    load(id) {
      if (id === FORMATS) return 'export default function addFormats(ajv) { return ajv; }';
      if (id === AJV)
        return [
          `import validateFlow from ${JSON.stringify(FLOW_VALIDATOR)};`,
          `const FLOW_SCHEMA_ID = ${JSON.stringify(FlowDefinitionSchema.$id)};`,
          'const acceptAnything = Object.assign(() => true, { errors: null });',
          'export class Ajv { compile(schema) { return schema && schema.$id === FLOW_SCHEMA_ID ? validateFlow : acceptAnything; } }',
          'export default Ajv;',
        ].join('\n');
      if (id === FLOW_VALIDATOR) {
        const ajv = new Ajv({ allErrors: true, strict: false, code: { source: true, esm: true } });
        const toCode = ((standalone as unknown as { default?: typeof standalone }).default ?? standalone) as typeof standalone;
        // The one runtime helper it needs: string length in code points, as JSON Schema counts it.
        return toCode(ajv, ajv.compile(FlowDefinitionSchema)).replace(/require\("ajv\/dist\/runtime\/ucs2length"\)/g, '({ default: (text) => [...text].length })');
      }
      return null;
    },
  };
}

export default defineConfig({
  root,
  base: '/designer/',
  plugins: [precompiledAjv(), react()],
  // The config is bundled and loaded by the build script; keep its own cache out of the repo.
  cacheDir: fileURLToPath(new URL('../node_modules/.vite-designer', import.meta.url)),
  server: { fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
    sourcemap: false,
    // A second entry: the signer's page script (src/signer), served by server/signer-page as assets/signer-<hash>.js.
    rollupOptions: { input: { index: fileURLToPath(new URL('index.html', import.meta.url)), signer: fileURLToPath(new URL('src/signer/main.ts', import.meta.url)) } },
  },
});
