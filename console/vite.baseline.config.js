// The Cesium baseline page of benchmarks/console.py: built apart (console/dist-baseline, not
// shipped in the Python package); Cesium itself is not bundled, the page loads its prebuilt
// Build/Cesium from /cesium/ (served by the benchmark from node_modules).
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/baseline/',
  root: resolve(import.meta.dirname, 'baseline'),
  build: {
    outDir: resolve(import.meta.dirname, 'dist-baseline'),
    emptyOutDir: true,
    rollupOptions: { input: resolve(import.meta.dirname, 'baseline/index.html') },
  },
  worker: { format: 'es' },
});
