// One configuration job as the console holds it: every target pile's delivery state and every
// (pile, parameter) result, filled from REST pages and live `config_job.*` events. Pure (no DOM)
// so the job page can render one page of a 10,000-pile job and still count, filter and page
// over all of it: an event touches one entry; the filtered view is rebuilt only when asked.
import type { JobPile, JobResult } from './api';

export const FAILED = ['Rejected', 'Timeout', 'Offline'];

export interface PileDelivery { state: string; attempts: number }
export interface PageOf { ids: string[]; page: number; pages: number; first: number; last: number; total: number }

const key = (pile: string, parameter: string) => `${pile}\u0000${parameter}`;

export class JobModel {
  parameters: string[] = [];
  private order: string[] = []; // piles in the order the job lists them
  private piles = new Map<string, PileDelivery>();
  private results = new Map<string, JobResult>();

  setParameters(names: string[]): void { this.parameters = names; }

  // A page of the job's piles (REST): adds new piles at the end, updates known ones.
  addPiles(piles: JobPile[]): void {
    for (const p of piles) {
      if (!this.piles.has(p.pile)) this.order.push(p.pile);
      this.piles.set(p.pile, { state: p.state, attempts: p.attempts });
      for (const r of p.results) this.setResult(p.pile, r);
    }
  }

  setPileState(pile: string, state: string): boolean {
    const d = this.piles.get(pile);
    if (!d) return false;
    d.state = state;
    return true;
  }

  setResult(pile: string, r: JobResult): void { this.results.set(key(pile, r.parameter), r); }
  result(pile: string, parameter: string): JobResult | undefined { return this.results.get(key(pile, parameter)); }
  delivery(pile: string): PileDelivery | undefined { return this.piles.get(pile); }
  get size(): number { return this.order.length; }

  // True when one of the pile's parameters ended Rejected, Timeout or Offline.
  failed(pile: string): boolean {
    return this.parameters.some((p) => FAILED.includes(this.results.get(key(pile, p))?.status ?? ''));
  }

  anyFailed(): boolean {
    for (const r of this.results.values()) if (FAILED.includes(r.status)) return true;
    return false;
  }

  // Results by status, sorted by status name.
  counts(): [string, number][] {
    const counts = new Map<string, number>();
    for (const r of this.results.values()) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
    return [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  // The piles to list, in job order: all, or only those with a failed parameter.
  view(onlyFailed: boolean): string[] {
    return onlyFailed ? this.order.filter((p) => this.failed(p)) : this.order;
  }
}

// Page `page` (0-based, clamped) of `view`, `size` rows a page; first/last are 1-based for display.
export function pageOf(view: string[], page: number, size: number): PageOf {
  const pages = Math.max(1, Math.ceil(view.length / size));
  const p = Math.min(Math.max(page, 0), pages - 1);
  const ids = view.slice(p * size, p * size + size);
  return { ids, page: p, pages, first: ids.length ? p * size + 1 : 0, last: p * size + ids.length, total: view.length };
}
