/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The dev server proxies the same paths nginx proxies in the cluster, so the
// app uses relative URLs everywhere: API_PROXY_TARGET and OTEL_PROXY_TARGET
// point them at a local backend and collector.
export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    proxy: {
{%- if values.apiIsProxied %}
      '${{ values.apiPath }}': {
        target: process.env.API_PROXY_TARGET ?? 'http://localhost:8080',
        changeOrigin: true,
      },
{%- endif %}
      '/otel': {
        target: process.env.OTEL_PROXY_TARGET ?? 'http://localhost:4318',
        changeOrigin: true,
        rewrite: (path) => path.replace(/^\/otel/, ''),
      },
    },
  },
  build: {
    sourcemap: true,
    outDir: 'dist',
  },
  test: {
    globals: true,
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    css: false,
  },
});
