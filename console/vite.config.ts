import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The console is served under `/console/` by the local runtime and by CloudFront. */
export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
    // Two pages: the console, and the field engineers' app (`/console/field/`, docs/field-service.md).
    rollupOptions: {
      input: {
        console: resolve(import.meta.dirname, 'index.html'),
        field: resolve(import.meta.dirname, 'field/index.html'),
      },
    },
  },
});
