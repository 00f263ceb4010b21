// The fleet as the console holds it: one row per pile, updated in place by live events, with
// counts by protocol and a filtered, sorted view. Pure (no DOM), so it is cheap to reason
// about at 10,000 piles: an event touches one row; counts and the view are recomputed at most
// once per frame (counts) or when the view is stale (sort/filter).
import type { Pile } from './api';
import type { LiveEvent } from './events';
import type { FleetFilter } from './selection';

// Most notable first: what a pile "is" when its connectors differ.
const RANK = ['Faulted', 'Charging', 'SuspendedEVSE', 'SuspendedEV', 'Preparing', 'Finishing', 'Reserved',
  'Unavailable', 'Available', 'Unknown'];

export interface PileRow {
  id: string; protocol: string; online: boolean; vendor: string; model: string; firmware: string;
  last_seen: string | null; connectors: Map<number, string>; status: string; version: number;
}

export function pileStatus(row: Pick<PileRow, 'online' | 'connectors'>): string {
  if (!row.online) return 'Offline';
  let best = 'Unknown';
  for (const [c, s] of row.connectors) {
    if (c === 0 && row.connectors.size > 1) continue; // connector 0 is the pile itself
    if (RANK.indexOf(s) !== -1 && (RANK.indexOf(s) < RANK.indexOf(best))) best = s;
  }
  return best;
}

export interface ProtocolCounts { total: number; online: number; offline: number; charging: number; faulted: number }

export class FleetModel {
  rows = new Map<string, PileRow>();
  private view: PileRow[] = [];
  private viewStale = true;

  load(piles: Pile[]): void {
    this.rows.clear();
    for (const p of piles) {
      const connectors = new Map<number, string>(p.connectors.map((c) => [c.connector, c.status]));
      const row: PileRow = { id: p.id, protocol: p.protocol, online: p.online, vendor: p.vendor, model: p.model,
        firmware: p.firmware, last_seen: p.last_seen, connectors, status: '', version: 0 };
      row.status = pileStatus(row);
      this.rows.set(p.id, row);
    }
    this.viewStale = true;
  }

  // Piles that sent events but were not in the last load (registered since): the page
  // re-reads the fleet when it sees one.
  unknown = 0;

  // Applies events; returns the ids whose row changed.
  apply(batch: LiveEvent[]): Set<string> {
    const changed = new Set<string>();
    for (const e of batch) {
      const row = this.rows.get(e.pile);
      if (!row) { if (e.pile) this.unknown++; continue; }
      switch (e.type) {
        case 'pile.online': row.online = true; row.last_seen = e.at; break;
        case 'pile.offline': row.online = false; row.last_seen = e.at; break;
        case 'pile.booted': row.vendor = e.vendor ?? row.vendor; row.model = e.model ?? row.model; row.firmware = e.firmware ?? row.firmware; break;
        case 'connector.status': row.connectors.set(Number(e.connector), String(e.status)); row.last_seen = e.at; break;
        default: continue;
      }
      const before = row.status;
      row.status = pileStatus(row);
      row.version++;
      if (before !== row.status) this.viewStale = true;
      changed.add(row.id);
    }
    return changed;
  }

  counts(): Map<string, ProtocolCounts> {
    const out = new Map<string, ProtocolCounts>();
    const all: ProtocolCounts = { total: 0, online: 0, offline: 0, charging: 0, faulted: 0 };
    out.set('all', all);
    for (const r of this.rows.values()) {
      let c = out.get(r.protocol);
      if (!c) { c = { total: 0, online: 0, offline: 0, charging: 0, faulted: 0 }; out.set(r.protocol, c); }
      for (const t of [all, c]) {
        t.total++;
        if (r.online) t.online++; else t.offline++;
        let charging = false, faulted = false;
        if (r.online) for (const s of r.connectors.values()) { if (s === 'Charging') charging = true; if (s === 'Faulted') faulted = true; }
        if (charging) t.charging++;
        if (faulted) t.faulted++;
      }
    }
    return out;
  }

  invalidate(): void { this.viewStale = true; }
  get stale(): boolean { return this.viewStale; }

  filtered(f: FleetFilter, sortKey: keyof PileRow, dir: 1 | -1): PileRow[] {
    if (!this.viewStale && this.view) return this.view;
    const text = f.text.trim().toLowerCase();
    const rows: PileRow[] = [];
    for (const r of this.rows.values()) {
      if (text && !r.id.toLowerCase().includes(text) && !`${r.vendor} ${r.model}`.toLowerCase().includes(text)) continue;
      if (f.protocol && r.protocol !== f.protocol) continue;
      if (f.online && String(r.online) !== f.online) continue;
      if (f.status && !(f.status === 'Offline' ? !r.online : r.online && [...r.connectors.values()].includes(f.status))) continue;
      rows.push(r);
    }
    rows.sort((a, b) => {
      const x = a[sortKey] ?? '', y = b[sortKey] ?? '';
      if (x < y) return -dir;
      if (x > y) return dir;
      return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    });
    this.view = rows;
    this.viewStale = false;
    return rows;
  }
}
