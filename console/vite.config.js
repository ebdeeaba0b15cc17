// Build of the console page into the Python package (src/sweepers/service/console_dist), so that
// `pip install` + `sweepers serve` give a working console without Node. Output names carry content
// hashes only (no timestamps), so two builds of the same sources give the same bytes.
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  root: resolve(import.meta.dirname),
  build: {
    outDir: resolve(import.meta.dirname, '../src/sweepers/service/console_dist'),
    emptyOutDir: true,
    sourcemap: false,
    assetsInlineLimit: 0,
    rollupOptions: { input: resolve(import.meta.dirname, 'index.html') },
  },
  worker: { format: 'es' },
});
