// The designer's build: a static app under /designer, served by the hub (server/designer.ts).
// It imports flows/ from the repository itself, so the browser validates with the server's code.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/designer/',
  plugins: [react()],
  // The config is bundled and loaded by the build script; keep its own cache out of the repo.
  cacheDir: fileURLToPath(new URL('../node_modules/.vite-designer', import.meta.url)),
  server: { fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
    sourcemap: false,
  },
});
