import { defineConfig } from 'vite';

// Relative base so that dist/ works from any path on any static host.
export default defineConfig({
  base: './',
  server: { host: '127.0.0.1' },
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true },
});
