// Writes a gzip sibling (<file>.gz, level 9) next to every compressible file of a Vite build,
// so `chargeplane serve` sends compressed bytes without compressing per request
// (src/api/detail/static_assets.h). Usage: node tools/precompress.mjs <dist-dir>
import { readdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, constants } from 'node:zlib';

const dir = process.argv[2] ?? 'dist';
const compressible = /\.(html|js|mjs|css|json|svg|map|txt|webmanifest)$/;
let raw = 0, packed = 0;
function walk(d) {
  for (const name of readdirSync(d)) {
    const p = join(d, name);
    if (statSync(p).isDirectory()) { walk(p); continue; }
    if (!compressible.test(name)) continue;
    const bytes = readFileSync(p);
    const gz = gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION });
    if (gz.length >= bytes.length) continue; // not worth it; served as is
    writeFileSync(`${p}.gz`, gz);
    raw += bytes.length; packed += gz.length;
  }
}
walk(dir);
console.log(`console: ${(raw / 1024).toFixed(1)} KiB -> ${(packed / 1024).toFixed(1)} KiB gzip in ${dir}`);
