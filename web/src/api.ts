// The public REST API (docs/api.md), and the login session. The bearer token lives in
// sessionStorage (this tab only); any 401 ends the session and sends the operator to login.

export type Role = 'viewer' | 'operator' | 'admin';
export interface Session { token: string; username: string; role: Role; expires_at: string }

export interface Connector {
  connector: number; status: string; error_code: string; vendor_error_code?: string; info?: string;
  updated: string | null; transaction: number | null;
  last_values?: Record<string, { value: number; unit: string; at: string }>;
}
export interface Pile {
  id: string; protocol: string; online: boolean; registration: string;
  vendor: string; model: string; serial: string; firmware: string;
  remote_address: string | null; connected_since: string | null; last_seen: string | null; last_boot: string | null;
  connectors: Connector[];
}
export interface Parameter {
  name: string; type: 'integer' | 'number' | 'boolean' | 'string' | 'measurand_list';
  unit?: string; min?: number; max?: number; allowed?: string[]; reboot_may_be_needed?: boolean;
  description?: string; mappings: { protocol: string; via: string; key: string }[];
}
export interface JobResult { parameter: string; value: string; status: string; detail: string; reported_value: string | null; updated: string }
export interface JobPile { pile: string; state: string; attempts: number; updated: string; results: JobResult[] }
export interface Job {
  id: string; state: string; created: string; created_by: string; origin: string;
  targets: unknown; parameters: { parameter: string; value: string }[];
  deliver_when_online: boolean; expires: string | null; updated: string;
  summary?: { piles: Record<string, number>; results: Record<string, number> };
  piles?: JobPile[]; next?: string | null;
}
export interface Command {
  id: string; pile: string; type: string; args: unknown; status: string; detail: string;
  response: unknown; created_by: string; created: string; updated: string;
}
export interface Policy { sample_interval_s?: number | null; heartbeat_interval_s?: number | null; aligned_interval_s?: number | null; measurands?: string[] | null }

const KEY = 'chargeplane.session';

export function session(): Session | null {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Session | null;
    if (s && Date.parse(s.expires_at) > Date.now()) return s;
  } catch { /* a damaged entry is no session */ }
  sessionStorage.removeItem(KEY);
  return null;
}

export function setSession(s: Session | null): void {
  if (s) sessionStorage.setItem(KEY, JSON.stringify(s));
  else sessionStorage.removeItem(KEY);
}

export const canOperate = (): boolean => { const r = session()?.role; return r === 'operator' || r === 'admin'; };
export const isAdmin = (): boolean => session()?.role === 'admin';

// An API problem (RFC 9457) as an Error whose message is what the operator should read.
export class ApiError extends Error {
  constructor(public status: number, public code: string, detail: string) {
    super(detail ? `${detail} (${code})` : `HTTP ${status} (${code})`);
  }
}

let onUnauthorized: () => void = () => {};
export function whenUnauthorized(fn: () => void): void { onUnauthorized = fn; }

export async function api<T = unknown>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const s = session();
  const h: Record<string, string> = { accept: 'application/json', ...headers };
  if (s) h.authorization = `Bearer ${s.token}`;
  if (body !== undefined) h['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'network_error', 'the server cannot be reached');
  }
  const text = await res.text();
  let json: any = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (res.status === 401 && path !== '/auth/login') {
    setSession(null);
    onUnauthorized();
  }
  if (!res.ok) throw new ApiError(res.status, json?.code ?? 'http_error', json?.detail ?? res.statusText);
  return json as T;
}

export const get = <T>(path: string) => api<T>('GET', path);

// Every page of a cursor-paged list (`next` passed back as `cursor`).
export async function all<T>(path: string, cursor: 'after' | 'before', limit: number): Promise<T[]> {
  const out: T[] = [];
  let next: string | number | null = null;
  const sep = path.includes('?') ? '&' : '?';
  do {
    const page: { items: T[]; next: string | number | null } =
      await get(`${path}${sep}limit=${limit}${next !== null ? `&${cursor}=${encodeURIComponent(String(next))}` : ''}`);
    out.push(...page.items);
    next = page.next ?? null;
  } while (next !== null);
  return out;
}

export const qs = (o: Record<string, string | number | boolean | undefined | null>): string =>
  Object.entries(o).filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&');
