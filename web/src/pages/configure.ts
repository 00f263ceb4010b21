// Remote configuration: choose the piles (the fleet selection, a filter, every pile, or ids),
// pick parameters from the catalogue with their unit and range, validated here first, and
// submit a configuration job; its page then shows each pile × parameter result live.
import { api, get, canOperate, Parameter } from '../api';
import { h, errorBox, field, confirmDialog } from '../dom';
import { selection, lastFilter } from '../selection';
import { checkValue, rangeText, checkRawKey } from '../validate';

// crypto.randomUUID exists only in secure contexts (HTTPS, localhost); a console opened over
// plain HTTP on a LAN address still has getRandomValues.
function idempotencyKey(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export async function configurePage(main: HTMLElement, params: Record<string, string>): Promise<void> {
  const err = errorBox();
  main.append(h('div', { class: 'page-head' }, h('h1', {}, 'Remote configuration')), err.el);
  if (!canOperate()) { main.append(h('p', {}, 'Configuration jobs need the operator role.')); return; }
  const catalogue = (await get<{ items: Parameter[] }>('/parameters')).items;

  // targets
  const explicit = params.piles ? params.piles.split(',') : [];
  const mode = (v: string, label: string, checked: boolean) => h('label', {}, h('input', { type: 'radio', name: 'target', value: v, checked }), ` ${label}`);
  const initial = explicit.length ? 'ids' : params.target === 'filter' ? 'filter' : selection.size ? 'selection' : 'ids';
  const ids = h('textarea', { rows: 2, cols: 40, 'aria-label': 'Pile ids', placeholder: 'CP-1, CP-2' }, explicit.join(', ') || [...selection].join(', '));
  const fProtocol = h('input', { placeholder: 'any', 'aria-label': 'Filter: protocol', value: lastFilter.protocol });
  const fOnline = h('select', { 'aria-label': 'Filter: online' }, h('option', { value: '' }, 'any'), h('option', { value: 'true' }, 'online'), h('option', { value: 'false' }, 'offline'));
  fOnline.value = lastFilter.online;
  const fStatus = h('input', { placeholder: 'any connector status', 'aria-label': 'Filter: status', value: lastFilter.status === 'Offline' ? '' : lastFilter.status });
  const targets = h('fieldset', {}, h('legend', {}, 'Piles'),
    h('div', { class: 'row' }, mode('selection', `the ${selection.size} selected on the fleet page`, initial === 'selection'),
      mode('filter', 'every pile matching a filter', initial === 'filter'), mode('all', 'every pile', false), mode('ids', 'these ids', initial === 'ids')),
    h('div', { class: 'row' }, field('Ids', ids), field('Protocol', fProtocol), field('Online', fOnline), field('Status', fStatus)));

  // parameters
  interface Row { p: Parameter; use: HTMLInputElement; input: HTMLInputElement; error: HTMLElement }
  const rows: Row[] = [];
  const tbody = h('tbody');
  for (const p of catalogue) {
    const use = h('input', { type: 'checkbox', 'aria-label': `Set ${p.name}` });
    const input = h('input', { 'aria-label': `${p.name} value`, name: p.name, disabled: true,
      list: p.type === 'boolean' ? 'bools' : undefined, placeholder: rangeText(p) });
    const error = h('div', { class: 'field-error', 'aria-live': 'polite' });
    input.setAttribute('aria-describedby', `${p.name}-err`);
    error.id = `${p.name}-err`;
    const row = { p, use, input, error };
    use.addEventListener('change', () => { input.disabled = !use.checked; if (use.checked) input.focus(); validate(row); });
    input.addEventListener('input', () => validate(row));
    rows.push(row);
    const supported = p.mappings.map((m) => m.protocol).join(', ') || 'no protocol yet';
    tbody.append(h('tr', { dataset: { parameter: p.name } }, h('td', {}, use), h('td', { title: p.description ?? '' }, p.name,
      p.reboot_may_be_needed ? h('small', {}, 'may need a reboot') : null),
      h('td', {}, rangeText(p)), h('td', { class: 'hide-narrow' }, supported), h('td', {}, input, error)));
  }
  const rawKey = h('input', { 'aria-label': 'Vendor key', placeholder: 'ocpp1.6:Key' });
  const rawValue = h('input', { 'aria-label': 'Vendor key value' });
  const rawError = h('div', { class: 'field-error' });
  const deliver = h('input', { type: 'checkbox' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Send configuration');

  function validate(r: Row): boolean {
    if (!r.use.checked) { r.input.removeAttribute('aria-invalid'); r.error.textContent = ''; return true; }
    const c = checkValue(r.p, r.input.value);
    r.input.setAttribute('aria-invalid', String(!c.ok));
    r.error.textContent = c.ok ? '' : `Expected ${c.error}`;
    return c.ok;
  }

  const form = h('form', { novalidate: true, onsubmit: async (ev: Event) => {
    ev.preventDefault();
    err.hide();
    const parameters: Record<string, unknown> = {};
    let ok = true;
    for (const r of rows) {
      if (!validate(r)) ok = false;
      else if (r.use.checked) { const c = checkValue(r.p, r.input.value); if (c.ok) parameters[r.p.name] = c.value; }
    }
    rawError.textContent = '';
    if (rawKey.value.trim()) {
      const e = checkRawKey(rawKey.value.trim());
      if (e) { rawError.textContent = e; ok = false; } else parameters[rawKey.value.trim()] = rawValue.value;
    }
    if (!ok) return err.show('Fix the highlighted values first.');
    if (!Object.keys(parameters).length) return err.show('Pick at least one parameter.');
    const m = (form.querySelector('input[name=target]:checked') as HTMLInputElement).value;
    let target: unknown;
    let who: string;
    if (m === 'selection') { target = { piles: [...selection] }; who = `${selection.size} selected piles`; }
    else if (m === 'all') { target = { all: true }; who = 'every pile'; }
    else if (m === 'filter') {
      const f: Record<string, unknown> = {};
      if (fProtocol.value) f.protocol = fProtocol.value;
      if (fOnline.value) f.online = fOnline.value === 'true';
      if (fStatus.value) f.status = fStatus.value;
      target = { filter: f }; who = `piles matching ${JSON.stringify(f)}`;
    } else {
      const list = ids.value.split(/[\s,]+/).filter(Boolean);
      target = { piles: list }; who = list.length === 1 ? list[0] : `${list.length} piles`;
    }
    const summary = h('div', {}, h('p', {}, `Send to ${who}:`),
      h('ul', {}, ...Object.entries(parameters).map(([k, v]) => h('li', {}, `${k} = ${Array.isArray(v) ? v.join(',') : String(v)}`))));
    if (!await confirmDialog('Send this configuration?', summary, 'Send')) return;
    submit.disabled = true;
    try {
      const r = await api<{ id: string }>('POST', '/config-jobs', { targets: target, parameters, deliver_when_online: deliver.checked },
        { 'Idempotency-Key': idempotencyKey() });
      location.hash = `#/jobs/${encodeURIComponent(r.id)}`;
    } catch (e) {
      err.show(e);
    } finally {
      submit.disabled = false;
    }
  } },
  targets,
  h('h2', {}, 'Parameters'),
  h('datalist', { id: 'bools' }, h('option', { value: 'true' }), h('option', { value: 'false' })),
  h('div', { class: 'table-wrap' }, h('table', { 'aria-label': 'Parameter catalogue' },
    h('thead', {}, h('tr', {}, ...['', 'Parameter', 'Range', 'Protocols', 'Value'].map((t) => h('th', { scope: 'col' }, t)))), tbody)),
  h('fieldset', {}, h('legend', {}, 'Vendor key (passed through unchanged)'), h('div', { class: 'row' }, field('Key', rawKey), field('Value', rawValue)), rawError),
  h('div', { class: 'row' }, h('label', {}, deliver, ' deliver to offline piles when they connect (24 h)'), h('span', { class: 'spacer' }), submit));
  main.append(form);
}
