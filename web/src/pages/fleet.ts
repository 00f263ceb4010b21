// Fleet overview: counts by protocol and a sortable, filterable, paged table of every pile,
// kept live from pile and connector events. The table has a fixed number of row elements
// (one page) whose text is updated in place; the sorted view is rebuilt at most once a second
// while events stream, so rows do not jump under the operator's pointer.
import { all, Pile } from '../api';
import { h, setText, setBadge, fmtTime, errorBox } from '../dom';
import { LiveStream, streamIndicator } from '../events';
import { FleetModel, PileRow } from '../fleet_model';
import { selection, lastFilter } from '../selection';

const PAGE = 50;
const STATUSES = ['Available', 'Preparing', 'Charging', 'SuspendedEV', 'SuspendedEVSE', 'Finishing', 'Reserved',
  'Unavailable', 'Faulted', 'Unknown', 'Offline'];
type SortKey = 'id' | 'protocol' | 'status' | 'vendor' | 'last_seen';

export function fleetPage(main: HTMLElement): () => void {
  const model = new FleetModel();
  const indicator = streamIndicator();
  const err = errorBox();
  let sortKey: SortKey = 'id';
  let dir: 1 | -1 = 1;
  let page = 0;
  let loaded = false;

  // counts
  const countEls: Record<string, HTMLElement> = {};
  const countCard = (key: string, label: string) => {
    const b = h('b', { 'data-testid': `count-${key}` }, '—');
    countEls[key] = b;
    return h('div', { class: 'count' }, b, h('span', {}, label));
  };
  const byProtocol = h('tbody');
  const protocolTable = h('div', { class: 'table-wrap' }, h('table', { 'aria-label': 'Piles by protocol' },
    h('thead', {}, h('tr', {}, ...['Protocol', 'Total', 'Online', 'Offline', 'Charging', 'Faulted'].map((t, i) => h('th', { class: i ? 'num' : '' }, t)))),
    byProtocol));

  // filters
  const search = h('input', { type: 'search', placeholder: 'id, vendor or model', 'aria-label': 'Search piles', value: lastFilter.text });
  const protocol = h('select', { 'aria-label': 'Protocol' }, h('option', { value: '' }, 'any protocol'));
  const online = h('select', { 'aria-label': 'Connection' }, h('option', { value: '' }, 'online or offline'),
    h('option', { value: 'true' }, 'online'), h('option', { value: 'false' }, 'offline'));
  const status = h('select', { 'aria-label': 'Status' }, h('option', { value: '' }, 'any status'),
    ...STATUSES.map((s) => h('option', { value: s }, s)));
  online.value = lastFilter.online;
  status.value = lastFilter.status;
  const onFilter = () => {
    Object.assign(lastFilter, { text: search.value, protocol: protocol.value, online: online.value, status: status.value });
    page = 0;
    model.invalidate();
    render(true);
  };
  for (const el of [search, protocol, online, status]) el.addEventListener('input', onFilter);

  const selectedInfo = h('span', { class: 'muted', 'aria-live': 'polite' });
  const configureSelected = h('a', { href: '#/configure?target=selection' }, 'Configure selected');
  const configureMatching = h('a', { href: '#/configure?target=filter' }, 'Configure matching');
  const selectPage = h('input', { type: 'checkbox', 'aria-label': 'Select every pile on this page' });
  selectPage.addEventListener('change', () => {
    for (const r of currentPage) selectPage.checked ? selection.add(r.id) : selection.delete(r.id);
    render(false);
  });

  // table: header with sort buttons, PAGE fixed rows
  const sortHeader = (key: SortKey, label: string, cls = '') => {
    const th = h('th', { class: cls, scope: 'col' }, h('button', { type: 'button', class: 'sort', onclick: () => {
      dir = sortKey === key ? (dir === 1 ? -1 : 1) : 1;
      sortKey = key;
      model.invalidate();
      render(true);
    } }, label));
    th.dataset.key = key;
    return th;
  };
  const headers = [sortHeader('id', 'Pile'), sortHeader('protocol', 'Protocol'), sortHeader('status', 'Status'),
    h('th', { scope: 'col', class: 'hide-narrow' }, 'Connectors'), sortHeader('vendor', 'Vendor / model', 'hide-narrow'),
    sortHeader('last_seen', 'Last seen')];
  ['', '10%', '12%', '', '', '14%'].forEach((w, i) => { if (w) headers[i].style.width = w; });
  interface RowEls { tr: HTMLTableRowElement; check: HTMLInputElement; link: HTMLAnchorElement; protocol: HTMLElement;
    status: HTMLElement; connectors: HTMLElement; vendor: HTMLElement; seen: HTMLElement; id: string }
  const rowEls: RowEls[] = [];
  const tbody = h('tbody');
  for (let i = 0; i < PAGE; i++) {
    const check = h('input', { type: 'checkbox' });
    const link = h('a', { href: '#' });
    const st = h('span', { class: 'badge' });
    const r: RowEls = { tr: h('tr', { hidden: true }), check, link, protocol: h('td'), status: h('td', {}, st),
      connectors: h('td', { class: 'hide-narrow' }), vendor: h('td', { class: 'hide-narrow' }), seen: h('td'), id: '' };
    r.status = st;
    check.addEventListener('change', () => { check.checked ? selection.add(r.id) : selection.delete(r.id); updateSelection(); });
    r.tr.append(h('td', {}, check), h('td', {}, link), r.protocol, h('td', {}, st), r.connectors, r.vendor, r.seen);
    rowEls.push(r);
    tbody.append(r.tr);
  }
  const table = h('table', { class: 'fixed', 'aria-label': 'Piles', 'data-testid': 'fleet-table' },
    h('thead', {}, h('tr', {}, h('th', { style: 'width:2.75rem' }, selectPage), ...headers)), tbody);
  const empty = h('p', { class: 'muted', hidden: true }, 'No pile matches this filter.');
  const range = h('span', { class: 'range', 'data-testid': 'fleet-range' });
  const prev = h('button', { type: 'button', onclick: () => { page--; render(false); } }, 'Previous');
  const next = h('button', { type: 'button', onclick: () => { page++; render(false); } }, 'Next');

  main.append(
    h('div', { class: 'page-head' }, h('h1', {}, 'Fleet'), indicator.el),
    err.el,
    h('div', { class: 'counts' }, countCard('total', 'piles'), countCard('online', 'online'), countCard('offline', 'offline'),
      countCard('charging', 'charging'), countCard('faulted', 'faulted')),
    protocolTable,
    h('h2', {}, 'Piles'),
    h('div', { class: 'row' }, search, protocol, online, status, h('span', { class: 'spacer' }), selectedInfo, configureSelected, configureMatching),
    h('div', { class: 'table-wrap' }, table), empty,
    h('div', { class: 'pager' }, range, prev, next));

  let currentPage: PileRow[] = [];
  let countsTimer = 0;
  let reloadTimer = 0;
  function updateSelection(): void {
    setText(selectedInfo, selection.size ? `${selection.size} selected` : '');
    configureSelected.hidden = selection.size === 0;
  }

  function renderCounts(): void {
    const counts = model.counts();
    const a = counts.get('all')!;
    for (const k of ['total', 'online', 'offline', 'charging', 'faulted'] as const) setText(countEls[k], a[k].toLocaleString());
    const protocols = [...counts.keys()].filter((k) => k !== 'all').sort();
    if (byProtocol.children.length !== protocols.length) {
      byProtocol.replaceChildren(...protocols.map((p) => h('tr', { dataset: { protocol: p } }, h('td', {}, p),
        ...[0, 1, 2, 3, 4].map(() => h('td', { class: 'num' })))));
      const known = new Set([...protocol.options].map((o) => o.value));
      for (const p of protocols) if (!known.has(p)) protocol.append(h('option', { value: p }, p));
      protocol.value = lastFilter.protocol;
    }
    protocols.forEach((p, i) => {
      const c = counts.get(p)!;
      const cells = byProtocol.children[i].children;
      [c.total, c.online, c.offline, c.charging, c.faulted].forEach((v, j) => setText(cells[j + 1], v.toLocaleString()));
    });
  }

  function render(now: boolean): void {
    if (!loaded) return;
    renderCounts();
    if (now) model.invalidate();
    const view = model.filtered(lastFilter, sortKey === 'status' ? 'status' : sortKey, dir);
    const pages = Math.max(1, Math.ceil(view.length / PAGE));
    page = Math.min(Math.max(page, 0), pages - 1);
    currentPage = view.slice(page * PAGE, page * PAGE + PAGE);
    for (const th of headers) {
      const k = th.dataset.key;
      if (k) th.setAttribute('aria-sort', k === sortKey ? (dir === 1 ? 'ascending' : 'descending') : 'none');
    }
    rowEls.forEach((r, i) => {
      const row = currentPage[i];
      r.tr.hidden = !row;
      if (!row) return;
      r.id = row.id;
      r.tr.dataset.pile = row.id;
      if (r.link.textContent !== row.id) { r.link.textContent = row.id; r.link.href = `#/piles/${encodeURIComponent(row.id)}`; }
      r.check.checked = selection.has(row.id);
      r.check.setAttribute('aria-label', `Select ${row.id}`);
      setText(r.protocol, row.protocol);
      setBadge(r.status, row.status);
      setText(r.connectors, [...row.connectors].filter(([c]) => c > 0).map(([c, s]) => `${c}: ${s}`).join(' · '));
      setText(r.vendor, [row.vendor, row.model].filter(Boolean).join(' '));
      setText(r.seen, fmtTime(row.last_seen));
    });
    selectPage.checked = currentPage.length > 0 && currentPage.every((r) => selection.has(r.id));
    empty.hidden = view.length > 0;
    setText(range, view.length ? `${page * PAGE + 1}–${page * PAGE + currentPage.length} of ${view.length.toLocaleString()}` : '0 piles');
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
    updateSelection();
  }

  // The sorted view is rebuilt on a timer while events stream (not per event).
  const staleTimer = window.setInterval(() => { if (model.stale) render(false); }, 1000);

  // If the stream cannot open (e.g. live events are off), load over REST anyway.
  const firstLoad = window.setTimeout(() => { if (!loaded) void resync(); }, 3000);

  async function resync(): Promise<void> {
    try {
      const piles = await all<Pile>('/piles', 'after', 1000);
      model.load(piles);
      loaded = true;
      err.hide();
      render(true);
    } catch (e) {
      err.show(e);
    }
  }

  const stream = new LiveStream({
    query: 'type=pile,connector.status',
    onEvents: (batch) => {
      if (!loaded) return;
      const changed = model.apply(batch);
      if (model.unknown > 0 && !reloadTimer) {
        // a pile registered after the load is talking: re-read the fleet (at most every 5 s)
        reloadTimer = window.setTimeout(() => { reloadTimer = 0; model.unknown = 0; void resync(); }, 5000);
      }
      if (changed.size === 0) return;
      // Counts walk every pile: at most four times a second, however fast events come.
      if (!countsTimer) countsTimer = window.setTimeout(() => { countsTimer = 0; renderCounts(); }, 250);
      // Only the visible rows are touched; order is refreshed by the timer.
      if (currentPage.some((r) => changed.has(r.id))) {
        rowEls.forEach((r, i) => {
          const row = currentPage[i];
          if (!row || !changed.has(row.id)) return;
          setBadge(r.status, row.status);
          setText(r.connectors, [...row.connectors].filter(([c]) => c > 0).map(([c, s]) => `${c}: ${s}`).join(' · '));
          setText(r.seen, fmtTime(row.last_seen));
        });
      }
    },
    resync,
    onState: indicator.set,
  }).start();

  return () => { stream.stop(); clearInterval(staleTimer); clearTimeout(firstLoad); clearTimeout(countsTimer); clearTimeout(reloadTimer); };
}
