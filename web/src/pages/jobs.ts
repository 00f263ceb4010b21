// Configuration jobs: the list, and one job's pile × parameter matrix filling in live from
// `config_job.*` events. The job page re-reads the job over REST on every (re)connection and
// every 10 s while it runs, so a missed event never leaves a cell "Pending": what it shows is
// the job's own state, including its timeouts and expiry.
import { api, get, canOperate, Job, JobPile, JobResult } from '../api';
import { h, setText, setBadge, badge, fmtTime, errorBox, notice } from '../dom';
import { LiveStream, LiveEvent, streamIndicator } from '../events';

const FAILED = ['Rejected', 'Timeout', 'Offline'];

export async function jobsPage(main: HTMLElement): Promise<void> {
  const r = await get<{ items: Job[] }>('/config-jobs?limit=100');
  main.append(h('div', { class: 'page-head' }, h('h1', {}, 'Configuration jobs'), h('span', { class: 'spacer' }),
    canOperate() ? h('a', { href: '#/configure' }, 'New configuration') : null),
  h('div', { class: 'table-wrap' }, h('table', { 'aria-label': 'Configuration jobs' },
    h('thead', {}, h('tr', {}, ...['Job', 'State', 'Origin', 'By', 'Created', 'Parameters'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, ...r.items.map((j) => h('tr', {}, h('td', {}, h('a', { href: `#/jobs/${encodeURIComponent(j.id)}` }, j.id)),
      h('td', {}, badge(j.state)), h('td', {}, j.origin), h('td', {}, j.created_by), h('td', {}, fmtTime(j.created)),
      h('td', {}, j.parameters.map((p) => `${p.parameter}=${p.value}`).join(', ')))),
    r.items.length ? null : h('tr', {}, h('td', { colspan: 6, class: 'muted' }, 'No configuration jobs yet.'))))));
}

export async function jobPage(main: HTMLElement, params: Record<string, string>): Promise<() => void> {
  const id = params.id;
  const indicator = streamIndicator();
  const err = errorBox();
  const state = badge('Running');
  state.dataset.testid = 'job-state';
  const meta = h('dl', { class: 'kv' });
  const summary = h('p', { 'data-testid': 'job-summary', 'aria-live': 'polite' });
  const onlyFailed = h('input', { type: 'checkbox' });
  const retry = h('button', { type: 'button', disabled: true }, 'Retry failed');
  const thead = h('thead');
  const tbody = h('tbody');
  let job: Job | null = null;
  let paramsOrder: string[] = [];
  const cells = new Map<string, HTMLElement>(); // `${pile}\u0000${parameter}`
  const pileStates = new Map<string, HTMLElement>();
  const results = new Map<string, JobResult>();

  const key = (pile: string, p: string) => `${pile}\u0000${p}`;
  function setCell(pile: string, r: JobResult): void {
    results.set(key(pile, r.parameter), r);
    const el = cells.get(key(pile, r.parameter));
    if (!el) return;
    setBadge(el, r.status);
    el.title = [r.detail, r.reported_value !== null && r.reported_value !== undefined ? `reported: ${r.reported_value}` : ''].filter(Boolean).join(' · ');
  }

  function renderSummary(): void {
    const counts = new Map<string, number>();
    for (const r of results.values()) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
    setText(summary, [...counts].sort().map(([s, n]) => `${n} ${s}`).join(' · ') || 'no results');
    const failed = [...results.values()].some((r) => FAILED.includes(r.status));
    retry.disabled = !canOperate() || !failed;
    if (job) setBadge(state, job.state);
    for (const tr of tbody.children as HTMLCollectionOf<HTMLTableRowElement>) {
      const pile = tr.dataset.pile!;
      tr.hidden = onlyFailed.checked && !paramsOrder.some((p) => FAILED.includes(results.get(key(pile, p))?.status ?? ''));
    }
  }
  onlyFailed.addEventListener('change', renderSummary);

  function build(piles: JobPile[]): void {
    paramsOrder = job!.parameters.map((p) => p.parameter);
    thead.replaceChildren(h('tr', {}, h('th', { scope: 'col' }, 'Pile'), h('th', { scope: 'col' }, 'Delivery'),
      ...job!.parameters.map((p) => h('th', { scope: 'col', title: p.value }, `${p.parameter} = ${p.value}`))));
    const rows: HTMLElement[] = [];
    for (const p of piles) {
      let st = pileStates.get(p.pile);
      if (!st) {
        st = badge(p.state);
        pileStates.set(p.pile, st);
        // A retry sends each pile only its own failed parameters: a cell with no result for
        // this pile stays "—", never a Pending that nothing will resolve.
        const tds = paramsOrder.map((name) => {
          const b = h('span', { class: 'badge none', title: 'not sent to this pile' }, '—');
          cells.set(key(p.pile, name), b);
          return h('td', { dataset: { parameter: name } }, b);
        });
        rows.push(h('tr', { dataset: { pile: p.pile } }, h('td', {}, h('a', { href: `#/piles/${encodeURIComponent(p.pile)}` }, p.pile)), h('td', {}, st), ...tds));
      }
      setBadge(st, p.state === 'Waiting' && job!.expires ? 'Waiting' : p.state);
      st.title = p.state === 'Waiting' ? `offline; delivered when it connects, until ${fmtTime(job!.expires)}` : `attempts: ${p.attempts}`;
      for (const r of p.results) setCell(p.pile, r);
    }
    if (rows.length) tbody.append(...rows);
  }

  async function resync(): Promise<void> {
    try {
      let next: string | null = null;
      let first = true;
      do {
        const page: Job = await get<Job>(`/config-jobs/${encodeURIComponent(id)}?limit=1000${next ? `&after=${encodeURIComponent(next)}` : ''}`);
        if (first) {
          job = page;
          const t = (page.targets ?? {}) as { piles?: string[]; all?: boolean; filter?: unknown; retry_of?: string };
          const targets = t.retry_of ? 'the failed results of the job below' : t.all ? 'every pile'
            : t.filter ? `piles matching ${JSON.stringify(t.filter)}` : t.piles ? `${t.piles.length} listed piles` : '—';
          meta.replaceChildren(...([['Created', `${fmtTime(page.created)} by ${page.created_by}`], ['Origin', page.origin],
            ['Targets', targets],
            ['Offline piles', page.deliver_when_online ? `wait until ${fmtTime(page.expires)}` : 'reported Offline at once'],
            ['Retry of', t.retry_of ? h('a', { href: `#/jobs/${encodeURIComponent(t.retry_of)}` }, t.retry_of) : '—'],
            ['Updated', fmtTime(page.updated)]] as [string, string | Node][])
            .flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
          first = false;
        }
        build(page.piles ?? []);
        next = page.next ?? null;
      } while (next);
      err.hide();
      if (early.length) onEvents([]);
      renderSummary();
    } catch (e) {
      err.show(e);
    }
  }

  retry.addEventListener('click', async () => {
    retry.disabled = true;
    try {
      const r = await api<{ id: string }>('POST', `/config-jobs/${encodeURIComponent(id)}/retry`, { statuses: FAILED });
      notice(`Retrying the failed parameters as job ${r.id}`);
      location.hash = `#/jobs/${encodeURIComponent(r.id)}`;
    } catch (e) {
      notice(e instanceof Error ? e.message : String(e), 'error');
      renderSummary();
    }
  });

  main.append(h('div', { class: 'page-head' }, h('h1', {}, `Job ${id}`), state, indicator.el, h('span', { class: 'spacer' }), retry),
    err.el, meta, summary,
    h('label', {}, onlyFailed, ' only piles with a failed parameter'),
    h('div', { class: 'table-wrap' }, h('table', { class: 'matrix', 'aria-label': 'Results per pile and parameter', 'data-testid': 'job-matrix' }, thead, tbody)));

  let early: LiveEvent[] = []; // events that arrive before the first REST read completes
  const onEvents = (batch: LiveEvent[]) => {
    if (!job) { early.push(...batch); return; }
    if (early.length) { batch = [...early, ...batch]; early = []; }
    let completed = false;
    for (const e of batch) {
      if (e.job !== id) continue;
      if (e.type === 'config_job.parameter') setCell(e.pile, { parameter: e.parameter, value: e.value, status: e.status, detail: e.detail ?? '', reported_value: e.reported_value ?? null, updated: e.at });
      else if (e.type === 'config_job.pile') { const st = pileStates.get(e.pile); if (st) setBadge(st, e.state); }
      else if (e.type === 'config_job.state') { job.state = e.state; completed = e.state === 'Completed'; }
    }
    renderSummary();
    if (completed) void resync(); // one last read: the final word is the job's own record
  };
  const stream = new LiveStream({ query: 'type=config_job', onEvents, resync, onState: indicator.set }).start();
  // While the job runs, re-read it now and then: results whose events were missed still land.
  const timer = window.setInterval(() => { if (job && job.state !== 'Completed') void resync(); }, 10000);
  return () => { stream.stop(); clearInterval(timer); };
}
