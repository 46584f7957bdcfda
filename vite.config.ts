// Vite builds the renderer (renderer/index.html) into renderer-dist/, which the host serves in
// web mode and Electron loads from disk. Relative asset paths so both work.
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('./renderer', import.meta.url)),
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./renderer-dist', import.meta.url)),
    emptyOutDir: true,
    // No inline scripts or styles in the output: the CSP allows only files from 'self'.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    chunkSizeWarningLimit: 2000,
  },
  logLevel: 'warn',
});
