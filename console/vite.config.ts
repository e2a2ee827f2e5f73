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
  },
});
