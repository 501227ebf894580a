import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The operator web client: plain TypeScript, built into web/dist, served by the API server.
const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
  },
  server: {
    // `npx vite web` during development, with the API on :8080.
    proxy: Object.fromEntries(['/api', '/login', '/logout', '/admin'].map((p) => [p, 'http://127.0.0.1:8080'])),
  },
});
