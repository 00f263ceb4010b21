// Configuration jobs: the list, and one job's pile × parameter matrix filling in live from
// `config_job.*` events. The job page re-reads the job over REST on every (re)connection and
// every 10 s while it runs, so a missed event never leaves a cell "Pending": what it shows is
// the job's own state, including its timeouts and expiry. The matrix shows one page of piles
// (PAGE rows); counts, the failed-only filter and paging cover the whole job (job_model.ts).
import { api, get, canOperate, Job, JobPile, JobResult } from '../api';
import { h, setText, setBadge, badge, fmtTime, errorBox, notice } from '../dom';
import { LiveStream, LiveEvent, streamIndicator } from '../events';
import { FAILED, JobModel, pageOf } from '../job_model';

const PAGE = 100;

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
  const range = h('span', { class: 'range', 'data-testid': 'job-range' });
  const prevPage = h('button', { type: 'button', onclick: () => { pageNo--; renderRows(); } }, 'Previous');
  const nextPage = h('button', { type: 'button', onclick: () => { pageNo++; renderRows(); } }, 'Next');
  let job: Job | null = null;
  let pageNo = 0;
  const model = new JobModel();
  // The rendered page only: `${pile}\u0000${parameter}` → its badge, pile → its delivery badge.
  const cells = new Map<string, HTMLElement>();
  const pileStates = new Map<string, HTMLElement>();
  let shown: string[] = [];

  const key = (pile: string, p: string) => `${pile}\u0000${p}`;
  function paintCell(el: HTMLElement, r: JobResult | undefined): void {
    // A retry sends each pile only its own failed parameters: a cell with no result for this
    // pile stays "—", never a Pending that nothing will resolve.
    if (!r) { el.textContent = '—'; el.className = 'badge none'; el.title = 'not sent to this pile'; return; }
    setBadge(el, r.status);
    el.title = [r.detail, r.reported_value !== null && r.reported_value !== undefined ? `reported: ${r.reported_value}` : ''].filter(Boolean).join(' · ');
  }
  function paintPile(pile: string): void {
    const st = pileStates.get(pile);
    const d = model.delivery(pile);
    if (!st || !d) return;
    setBadge(st, d.state);
    st.title = d.state === 'Waiting' ? `offline; delivered when it connects, until ${fmtTime(job?.expires ?? null)}` : `attempts: ${d.attempts}`;
  }
  function setCell(pile: string, r: JobResult): void {
    model.setResult(pile, r);
    const el = cells.get(key(pile, r.parameter));
    if (el) paintCell(el, r);
  }

  // Rebuilds the rows of the current page (at most PAGE) from the model.
  function renderRows(): void {
    const view = pageOf(model.view(onlyFailed.checked), pageNo, PAGE);
    pageNo = view.page;
    shown = view.ids;
    cells.clear();
    pileStates.clear();
    tbody.replaceChildren(...view.ids.map((pile) => {
      const st = badge('');
      pileStates.set(pile, st);
      paintPile(pile);
      const tds = model.parameters.map((name) => {
        const b = h('span', { class: 'badge' });
        cells.set(key(pile, name), b);
        paintCell(b, model.result(pile, name));
        return h('td', { dataset: { parameter: name } }, b);
      });
      return h('tr', { dataset: { pile } }, h('td', {}, h('a', { href: `#/piles/${encodeURIComponent(pile)}` }, pile)), h('td', {}, st), ...tds);
    }));
    setText(range, view.total ? `${view.first.toLocaleString()}–${view.last.toLocaleString()} of ${view.total.toLocaleString()} piles` : 'no piles');
    prevPage.disabled = view.page === 0;
    nextPage.disabled = view.page >= view.pages - 1;
  }

  function renderSummary(): void {
    setText(summary, model.counts().map(([s, n]) => `${n} ${s}`).join(' · ') || 'no results');
    retry.disabled = !canOperate() || !model.anyFailed();
    if (job) setBadge(state, job.state);
    // With the failed-only filter a result can move a pile in or out of the list.
    if (onlyFailed.checked) {
      const now = pageOf(model.view(true), pageNo, PAGE).ids;
      if (now.length !== shown.length || now.some((p, i) => p !== shown[i])) renderRows();
    }
  }
  onlyFailed.addEventListener('change', () => { pageNo = 0; renderRows(); renderSummary(); });

  function build(piles: JobPile[]): void {
    model.setParameters(job!.parameters.map((p) => p.parameter));
    thead.replaceChildren(h('tr', {}, h('th', { scope: 'col' }, 'Pile'), h('th', { scope: 'col' }, 'Delivery'),
      ...job!.parameters.map((p) => h('th', { scope: 'col', title: p.value }, `${p.parameter} = ${p.value}`))));
    model.addPiles(piles);
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
      renderRows();
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
    h('div', { class: 'table-wrap' }, h('table', { class: 'matrix', 'aria-label': 'Results per pile and parameter', 'data-testid': 'job-matrix' }, thead, tbody)),
    h('div', { class: 'pager' }, range, prevPage, nextPage));

  let early: LiveEvent[] = []; // events that arrive before the first REST read completes
  const onEvents = (batch: LiveEvent[]) => {
    if (!job) { early.push(...batch); return; }
    if (early.length) { batch = [...early, ...batch]; early = []; }
    let completed = false;
    for (const e of batch) {
      if (e.job !== id) continue;
      if (e.type === 'config_job.parameter') setCell(e.pile, { parameter: e.parameter, value: e.value, status: e.status, detail: e.detail ?? '', reported_value: e.reported_value ?? null, updated: e.at });
      else if (e.type === 'config_job.pile') { if (model.setPileState(e.pile, e.state)) paintPile(e.pile); }
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
