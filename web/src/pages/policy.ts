// Data-acquisition policy: the fleet default and per-pile overrides, with the estimated load
// change shown before anything is applied. The estimate (docs/console.md) counts, per pile and
// hour, heartbeats plus stored sample rows (sampled + clock-aligned) times measurands, over the
// piles each policy governs; where an interval is 0 (not limited) the pile's own rate is
// unknown and is assumed to be 60 s.
import { api, get, all, isAdmin, Parameter, Policy } from '../api';
import { h, errorBox, field, confirmDialog, notice, fmtNumber } from '../dom';

const ASSUMED_INTERVAL_S = 60;
const ASSUMED_MEASURANDS = 6;
interface PolicyDoc { policy: Policy; effective: Policy; overrides: Record<string, Policy> }

export function perPileHour(p: Policy): { heartbeats: number; rows: number; values: number } {
  const hb = p.heartbeat_interval_s ?? 0;
  const sample = p.sample_interval_s || ASSUMED_INTERVAL_S;
  const aligned = p.aligned_interval_s ?? 0;
  const rows = 3600 / sample + (aligned > 0 ? 3600 / aligned : 0);
  const m = p.measurands && p.measurands.length ? p.measurands.length : ASSUMED_MEASURANDS;
  return { heartbeats: hb > 0 ? 3600 / hb : 0, rows, values: rows * m };
}

export async function policyPage(main: HTMLElement): Promise<void> {
  const err = errorBox();
  const [doc, catalogue, piles] = await Promise.all([
    get<PolicyDoc>('/acquisition-policy'),
    get<{ items: Parameter[] }>('/parameters'),
    all<{ id: string }>('/piles', 'after', 1000),
  ]);
  const allowed = catalogue.items.find((p) => p.name === 'meter_values_sampled_data')?.allowed ?? [];
  const pileCount = piles.length;
  const overrideCount = Object.keys(doc.overrides).length;
  const governed = Math.max(0, pileCount - overrideCount);
  const admin = isAdmin();

  const num = (label: string, v: number | null | undefined, hint: string) => {
    const input = h('input', { type: 'number', min: 0, max: 86400, step: 1, value: v ?? '', placeholder: 'inherit', 'aria-label': label, disabled: !admin });
    return { input, el: field(label, input, hint) };
  };
  const sample = num('Sample interval (s)', doc.policy.sample_interval_s, 'MeterValueSampleInterval; samples faster than this are not stored');
  const heartbeat = num('Heartbeat interval (s)', doc.policy.heartbeat_interval_s, 'HeartbeatInterval');
  const aligned = num('Clock-aligned interval (s)', doc.policy.aligned_interval_s, 'ClockAlignedDataInterval; 0 = off');
  const boxes = allowed.map((m) => h('input', { type: 'checkbox', value: m, checked: doc.policy.measurands?.includes(m) ?? false, disabled: !admin }));
  const measurands = h('fieldset', {}, h('legend', {}, 'Measurands kept (none checked = all)'),
    h('div', { class: 'measurands' }, ...boxes.map((b) => h('label', {}, b, b.value))));
  const estimate = h('div', { class: 'card', 'data-testid': 'estimate', 'aria-live': 'polite' });

  const readForm = (): Policy => {
    const n = (i: HTMLInputElement) => (i.value.trim() === '' ? null : Number(i.value));
    const picked = boxes.filter((b) => b.checked).map((b) => b.value);
    return { sample_interval_s: n(sample.input), heartbeat_interval_s: n(heartbeat.input), aligned_interval_s: n(aligned.input), measurands: picked.length ? picked : null };
  };
  const effectiveOf = (p: Policy): Policy => ({
    sample_interval_s: p.sample_interval_s ?? 0,
    heartbeat_interval_s: p.heartbeat_interval_s ?? doc.effective.heartbeat_interval_s,
    aligned_interval_s: p.aligned_interval_s ?? 0,
    measurands: p.measurands ?? null,
  });
  const invalid = (p: Policy) => [p.sample_interval_s, p.heartbeat_interval_s, p.aligned_interval_s]
    .some((v) => v !== null && v !== undefined && (!Number.isInteger(v) || v < 0 || v > 86400));
  let estimateText = '';
  const renderEstimate = () => {
    const next = readForm();
    if (invalid(next)) { estimate.textContent = 'Intervals are whole seconds from 0 to 86400.'; return; }
    const a = perPileHour(doc.effective), b = perPileHour(effectiveOf(next));
    const pct = (x: number, y: number) => (x === 0 ? '' : ` (${y >= x ? '+' : ''}${fmtNumber(((y - x) / x) * 100, 0)} %)`);
    estimateText = `Stored values ${fmtNumber(a.values * governed, 0)} → ${fmtNumber(b.values * governed, 0)} per hour${pct(a.values, b.values)}; ` +
      `heartbeats ${fmtNumber(a.heartbeats * governed, 0)} → ${fmtNumber(b.heartbeats * governed, 0)} per hour${pct(a.heartbeats, b.heartbeats)}`;
    estimate.replaceChildren(h('h3', {}, 'Estimated load change'),
      h('p', {}, `${governed.toLocaleString()} piles follow the fleet default (${overrideCount} have an override).`),
      h('p', { 'data-testid': 'estimate-text' }, estimateText),
      h('small', {}, `Per pile while charging; an interval of 0 assumes the pile's own ${ASSUMED_INTERVAL_S} s, "all measurands" assumes ${ASSUMED_MEASURANDS}.`));
  };
  for (const el of [sample.input, heartbeat.input, aligned.input, ...boxes]) el.addEventListener('input', renderEstimate);
  renderEstimate();

  const apply = h('button', { type: 'submit', class: 'primary', disabled: !admin }, 'Apply to the fleet');
  const form = h('form', { class: 'card', novalidate: true, onsubmit: async (ev: Event) => {
    ev.preventDefault();
    err.hide();
    const p = readForm();
    if (invalid(p)) return err.show('Intervals are whole seconds from 0 to 86400.');
    if (!await confirmDialog('Apply the fleet acquisition policy?', h('div', {}, h('p', {}, estimateText),
      h('p', {}, 'A configuration job pushes the new values to every affected pile (also when offline piles connect, for 7 days).')), 'Apply')) return;
    apply.disabled = true;
    try {
      const r = await api<{ job: string | null }>('PUT', '/acquisition-policy', p);
      doc.policy = p;
      doc.effective = effectiveOf(p);
      renderEstimate();
      notice(`Fleet policy applied${r.job ? ` (job ${r.job})` : ''}`);
      if (r.job) jobLink.replaceChildren('Delivery: ', h('a', { href: `#/jobs/${encodeURIComponent(r.job)}` }, `job ${r.job}`));
    } catch (e) {
      err.show(e);
    } finally {
      apply.disabled = !admin;
    }
  } }, h('h2', {}, 'Fleet default'), h('div', { class: 'row' }, sample.el, heartbeat.el, aligned.el), measurands,
  h('div', { class: 'row' }, h('span', { class: 'spacer' }), apply));
  const jobLink = h('p', { 'data-testid': 'policy-job' });

  // per-pile overrides
  const fmtPolicy = (p: Policy) => [p.sample_interval_s != null ? `sample ${p.sample_interval_s} s` : '', p.heartbeat_interval_s != null ? `heartbeat ${p.heartbeat_interval_s} s` : '',
    p.aligned_interval_s != null ? `aligned ${p.aligned_interval_s} s` : '', p.measurands?.length ? `${p.measurands.length} measurands` : ''].filter(Boolean).join(', ') || 'inherits everything';
  const overrides = h('tbody');
  const renderOverrides = () => {
    overrides.replaceChildren(...Object.entries(doc.overrides).map(([pile, p]) => h('tr', { dataset: { pile } },
      h('td', {}, h('a', { href: `#/piles/${encodeURIComponent(pile)}` }, pile)), h('td', {}, fmtPolicy(p)),
      h('td', {}, admin ? h('button', { type: 'button', class: 'link', onclick: async () => {
        if (!await confirmDialog(`Remove ${pile}'s override?`, 'The pile goes back to the fleet default.', 'Remove', true)) return;
        try {
          await api('DELETE', `/piles/${encodeURIComponent(pile)}/acquisition-policy`);
          delete doc.overrides[pile];
          renderOverrides();
        } catch (e) { notice(String(e instanceof Error ? e.message : e), 'error'); }
      } }, 'Remove') : null))));
    if (!overrides.children.length) overrides.append(h('tr', {}, h('td', { colspan: 3, class: 'muted' }, 'No per-pile overrides.')));
  };
  renderOverrides();
  const oPile = h('input', { 'aria-label': 'Override: pile id', required: true });
  const oSample = h('input', { type: 'number', min: 0, max: 86400, 'aria-label': 'Override: sample interval', placeholder: 'inherit' });
  const oHeartbeat = h('input', { type: 'number', min: 0, max: 86400, 'aria-label': 'Override: heartbeat interval', placeholder: 'inherit' });
  const oErr = errorBox();
  const oForm = h('form', { class: 'row', novalidate: true, onsubmit: async (ev: Event) => {
    ev.preventDefault();
    oErr.hide();
    const n = (i: HTMLInputElement) => (i.value.trim() === '' ? null : Number(i.value));
    const p: Policy = { sample_interval_s: n(oSample), heartbeat_interval_s: n(oHeartbeat) };
    if (!oPile.value.trim() || invalid(p)) return oErr.show('Give a pile id and whole-second intervals (0–86400).');
    const eff = effectiveOf({ ...doc.policy, ...Object.fromEntries(Object.entries(p).filter(([, v]) => v !== null)) });
    const a = perPileHour(doc.effective), b = perPileHour(eff);
    if (!await confirmDialog(`Override ${oPile.value}'s policy?`, `Stored values for this pile: ${fmtNumber(a.values, 0)} → ${fmtNumber(b.values, 0)} per hour.`, 'Apply')) return;
    try {
      await api('PUT', `/piles/${encodeURIComponent(oPile.value.trim())}/acquisition-policy`, p);
      doc.overrides[oPile.value.trim()] = p;
      renderOverrides();
      notice(`Override for ${oPile.value} applied`);
    } catch (e) { oErr.show(e); }
  } }, field('Pile', oPile), field('Sample interval (s)', oSample), field('Heartbeat interval (s)', oHeartbeat), h('button', { type: 'submit', disabled: !admin }, 'Set override'));

  main.append(h('div', { class: 'page-head' }, h('h1', {}, 'Data-acquisition policy')),
    admin ? '' : h('p', { class: 'muted' }, 'Changing policies needs the admin role.'),
    err.el, h('div', { class: 'grid' }, form, estimate), jobLink,
    h('h2', {}, 'Per-pile overrides'), h('div', { class: 'table-wrap' }, h('table', { 'aria-label': 'Per-pile overrides' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Pile'), h('th', {}, 'Override'), h('th', {}, ''))), overrides)),
    admin ? h('div', { class: 'card' }, oForm, oErr.el) : '');
}
