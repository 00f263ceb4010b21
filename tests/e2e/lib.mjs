// Shared helpers for the e2e suites: the server under test comes from run.sh through
// CP_OCPP_URL (ws://host:port/ocpp), CP_API_URL (http://host:port) and CP_ADMIN_PASSWORD.
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';

export const OCPP_URL = required('CP_OCPP_URL');
export const API_URL = required('CP_API_URL');
export const ADMIN_PASSWORD = required('CP_ADMIN_PASSWORD');

function required(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the suites through tests/e2e/run.sh`);
  return v.replace(/\/$/, '');
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function api(method, path, { token, body } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${API_URL}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  return { status: res.status, headers: res.headers, json, text };
}

let cachedToken;
export async function adminToken() {
  if (cachedToken) return cachedToken;
  const r = await api('POST', '/api/v1/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } });
  if (r.status !== 200 || typeof r.json?.token !== 'string') throw new Error(`admin login failed: ${r.status} ${r.text}`);
  cachedToken = r.json.token;
  return cachedToken;
}

// Pile ids: 1..48 of [A-Za-z0-9._-], unique per run so suites never see each other's piles.
export const uniqueId = (prefix) => `${prefix}-${randomBytes(5).toString('hex')}`;
export const newPassword = () => randomBytes(18).toString('base64url'); // 24 chars

export async function registerPile(prefix = 'E2E') {
  const token = await adminToken();
  const pile = { id: uniqueId(prefix), password: newPassword() };
  const r = await api('POST', '/api/v1/piles', { token, body: { id: pile.id, protocol: 'ocpp1.6', password: pile.password } });
  if (r.status !== 201) throw new Error(`registering ${pile.id} failed: ${r.status} ${r.text}`);
  return pile;
}

export async function registerIdTag(idTag, status = 'Accepted') {
  const token = await adminToken();
  const r = await api('POST', '/api/v1/id-tags', { token, body: { id_tag: idTag, status } });
  if (r.status !== 201) throw new Error(`registering id tag ${idTag} failed: ${r.status} ${r.text}`);
}

export const basicAuth = (id, password) => `Basic ${Buffer.from(`${id}:${password}`).toString('base64')}`;

// Polls `fn` until it returns a truthy value (REST state follows the socket asynchronously).
export async function eventually(fn, { timeoutMs = 5000, intervalMs = 50 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      if (Date.now() >= deadline) throw e;
    }
    if (Date.now() >= deadline) return last;
    await sleep(intervalMs);
  }
}

// A WebSocket upgrade that either opens ({ ws }) or is declined ({ status, headers }).
export function upgrade(id, { password, protocols = ['ocpp1.6'], headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const h = { ...headers };
    if (password !== undefined) h.Authorization = basicAuth(id, password);
    const ws = new WebSocket(`${OCPP_URL}/${encodeURIComponent(id)}`, protocols, { headers: h, perMessageDeflate: false });
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve({ status: res.statusCode, headers: res.headers });
      ws.terminate();
    });
    ws.once('error', (e) => reject(e));
  });
}

// A raw OCPP-J peer: sends text frames and hands back whatever the server sends, in order.
export class RawPile {
  constructor(ws) {
    this.ws = ws;
    this.inbox = [];
    this.waiters = [];
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? null : data.toString();
      const w = this.waiters.shift();
      if (w) w(text); else this.inbox.push(text);
    });
  }

  static async open(pile, options = {}) {
    const r = await upgrade(pile.id, { password: pile.password, ...options });
    if (!r.ws) throw new Error(`upgrade for ${pile.id} declined: HTTP ${r.status}`);
    return new RawPile(r.ws);
  }

  send(text) { this.ws.send(text); }

  next(timeoutMs = 5000) {
    if (this.inbox.length) return Promise.resolve(this.inbox.shift());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no message from the server within timeout')), timeoutMs);
      this.waiters.push((m) => { clearTimeout(timer); resolve(m); });
    });
  }

  async nextJson(timeoutMs) { return JSON.parse(await this.next(timeoutMs)); }

  async call(action, payload, id = randomBytes(6).toString('hex')) {
    this.send(JSON.stringify([2, id, action, payload]));
    const reply = await this.nextJson();
    return reply;
  }

  async boot() {
    const r = await this.call('BootNotification', { chargePointVendor: 'E2E-Raw', chargePointModel: 'RAW-1' });
    if (r[0] !== 3 || r[2].status !== 'Accepted') throw new Error(`boot not accepted: ${JSON.stringify(r)}`);
  }

  close() { this.ws.close(1000); }
}
