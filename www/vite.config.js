import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  plugins: [react()],
  // npm links `file:../pkg` as a symlink. Keep its path under node_modules, as a registry
  // install would have it: else the package's own `import 'react'` is looked up from ../pkg
  // (where there is none) and the dev server refuses to serve its .wasm from outside www/.
  resolve: { preserveSymlinks: true },
  build: {
    // Three pages: the demo app, the live dashboard and the collector view; `make demo` serves
    // them from dist/.
    rolldownOptions: {
      input: { main: here('index.html'), dashboard: here('dashboard.html'), collector: here('collector.html') },
      // What both pages share (React, Vite's preload helper) in one chunk with a telling name,
      // rather than one named after whichever shared module came first (style-*.js).
      output: { codeSplitting: { groups: [{ name: 'shared', minShareCount: 2 }] } },
    },
  },
  // For `npx vite` during development: the telemetry endpoints live in the collector, so run
  // `make demo` alongside and let the dev server forward to it /api and /v1 (where the app
  // sends its spans, to its own origin). On the port `make demo` listens on: PORT, as it reads
  // it (PORT=9000 for both), else its default.
  server: {
    proxy: Object.fromEntries(['/api', '/v1'].map((path) => [path, `http://127.0.0.1:${process.env.PORT || 8080}`])),
  },
  // Pre-bundling would move the glue away from core_bg.wasm and break its import.meta.url.
  optimizeDeps: { exclude: ['@recoloca/telemetry'] },
});
