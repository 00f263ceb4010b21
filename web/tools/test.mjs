// Unit tests of the console's pure modules (web/tests/*.test.ts): each is bundled with esbuild
// (Vite's own) into a temporary .mjs and run with node's test runner. Run by ctest (web_unit).
import { build } from 'esbuild';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

const here = dirname(dirname(fileURLToPath(import.meta.url)));
const out = mkdtempSync(join(tmpdir(), 'cp-web-test-'));
const tests = readdirSync(join(here, 'tests')).filter((f) => f.endsWith('.test.ts'));
await build({ entryPoints: tests.map((f) => join(here, 'tests', f)), outdir: out, bundle: true, format: 'esm',
  platform: 'node', outExtension: { '.js': '.mjs' }, logLevel: 'warning' });
const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...readdirSync(out).map((f) => join(out, f))], { stdio: 'inherit' });
rmSync(out, { recursive: true, force: true });
process.exit(r.status ?? 1);
