import { defineConfig } from 'vite';

declare const process: { env: Record<string, string | undefined> };

// The console is served by `chargeplane serve` from the same origin as the API; hashed assets
// go to assets/ (served immutable), index.html is revalidated (src/api/detail/static_assets.h).
export default defineConfig({
  base: '/',
  build: {
    target: 'es2022',
    assetsDir: 'assets',
    sourcemap: false,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 300,
  },
  server: {
    // `npm run dev` proxies the API to a local `chargeplane serve` (CP_API, default :8080).
    proxy: { '/api': process.env.CP_API ?? 'http://127.0.0.1:8080' },
  },
});
