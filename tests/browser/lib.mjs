// Shared helpers for the browser suites: the server from run.sh (CP_API_URL, CP_OCPP_URL,
// CP_ADMIN_PASSWORD), simulated piles started with `chargeplane sim`, and a chromium page.
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the suites through tests/browser/run.sh`);
  return v.replace(/\/$/, '');
};
export const API_URL = env('CP_API_URL');
export const OCPP_URL = env('CP_OCPP_URL');
export const YKC_ADDRESS = env('CP_YKC_ADDRESS'); // host:port
export const ADMIN_PASSWORD = env('CP_ADMIN_PASSWORD');
export const BINARY = env('CP_BINARY');
export const ARTIFACTS = env('CP_ARTIFACTS');
const WORK = env('CP_WORK');

export async function api(method, path, { token, body } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${API_URL}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

export async function adminToken() {
  const r = await api('POST', '/api/v1/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } });
  if (r.status !== 200) throw new Error(`login failed: ${r.status}`);
  return r.json.token;
}

// Polls until fn() is truthy (state follows sockets asynchronously); no fixed sleeps.
export async function until(fn, what, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try { last = await fn(); if (last) return last; } catch (e) { last = e; }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what} (last: ${last})`);
}

// A fleet of simulated OCPP 1.6 piles, registered through the API (ids <prefix>-00001...).
export class Sim {
  constructor(prefix, piles, extra = []) {
    this.prefix = prefix;
    this.piles = piles;
    this.extra = extra;
    this.passwords = join(WORK, `${prefix}.passwords`);
    this.proc = null;
    this.ids = Array.from({ length: piles }, (_, i) => `${prefix}-${String(i + 1).padStart(5, '0')}`);
  }
  start() {
    this.proc = spawn(BINARY, ['sim', '--piles', String(this.piles), '--prefix', this.prefix, '--url', OCPP_URL,
      '--api', API_URL, '--admin-password', ADMIN_PASSWORD, '--password-file', this.passwords, '--interval', '1',
      '--id-tag', 'TAG-BROWSER', '--log-level', 'warn', ...this.extra],
    { stdio: ['ignore', 'ignore', openSync(join(WORK, `sim-${this.prefix}.log`), 'a')] });
    return this;
  }
  async stop() {
    if (!this.proc || this.proc.exitCode !== null) return;
    const exited = once(this.proc, 'exit');
    this.proc.kill('SIGKILL'); // like a pile losing power: no goodbye
    await exited;
    this.proc = null;
  }
  async online(token, want = true) {
    await until(async () => {
      for (const id of this.ids) {
        const r = await api('GET', `/api/v1/piles/${id}`, { token });
        if (r.status !== 200 || r.json.online !== want) return false;
      }
      return true;
    }, `${this.prefix} piles ${want ? 'online' : 'offline'}`, 30000);
  }
}

// Simulated YKC V1.6 DC piles with two guns (`chargeplane sim --protocol ykc`), registered through
// the API; their ids are 14-digit pile numbers counting up from `first`.
export class YkcSim extends Sim {
  constructor(first, piles) {
    super(`YKC${first}`, piles);
    this.first = first;
    this.ids = Array.from({ length: piles }, (_, i) => String(BigInt(first) + BigInt(i)));
  }
  start() {
    this.proc = spawn(BINARY, ['sim', '--protocol', 'ykc', '--piles', String(this.piles), '--first-pile', this.first,
      '--connectors', '2', '--ykc-address', YKC_ADDRESS, '--api', API_URL, '--admin-password', ADMIN_PASSWORD,
      '--interval', '1', '--log-level', 'warn'],
    { stdio: ['ignore', 'ignore', openSync(join(WORK, `sim-${this.prefix}.log`), 'a')] });
    return this;
  }
}

export async function browser() {
  return chromium.launch({
    executablePath: process.env.CP_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
}

export async function shot(page, name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false });
}
