// Pile detail: identity and connection, connectors with live status and last values, live
// charts, remote control with confirmation and the pile's answer, transactions and the
// configuration the pile reported.
import { api, get, canOperate, Pile, Connector, Command } from '../api';
import { h, setText, setBadge, badge, fmtTime, fmtNumber, errorBox, confirmDialog, field, notice } from '../dom';
import { LiveStream, LiveEvent, streamIndicator } from '../events';
import { PileCharts, MEASURANDS, Sample } from './charts';
import { Combined, keyIsOf, valueKey } from '../values';

const FINAL = (s: string) => s !== 'Pending' && s !== 'Sent';
const VALUE_COLS: [string, string][] = [['Power.Active.Import', 'W'], ['Current.Import', 'A'], ['Voltage', 'V'],
  ['Energy.Active.Import.Register', 'Wh'], ['Temperature', '°C']];

interface Tx { id: number; connector: number; id_tag: string; meter_start_wh: number; started: string;
  meter_stop_wh: number | null; stopped: string | null; stop_reason: string | null }

export async function pilePage(main: HTMLElement, params: Record<string, string>): Promise<() => void> {
  const id = params.id;
  const enc = encodeURIComponent(id);
  const indicator = streamIndicator();
  const err = errorBox();
  const charts = new PileCharts();
  let pile: Pile | null = null;

  // identity
  const onlineBadge = badge('Offline');
  onlineBadge.dataset.testid = 'pile-online';
  const info = h('dl', { class: 'kv' });
  const renderInfo = () => {
    if (!pile) return;
    setBadge(onlineBadge, pile.online ? 'Online' : 'Offline');
    info.replaceChildren(...([['Protocol', pile.protocol], ['Vendor / model', `${pile.vendor} ${pile.model}`.trim() || '—'],
      ['Serial', pile.serial || '—'], ['Firmware', pile.firmware || '—'], ['Registration', pile.registration],
      ['Address', pile.remote_address ?? '—'], ['Connected since', fmtTime(pile.connected_since)],
      ['Last seen', fmtTime(pile.last_seen)], ['Last boot', fmtTime(pile.last_boot)]] as [string, string][])
      .flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
  };

  // connectors: one row per connector, cells updated in place
  const connBody = h('tbody');
  const connRows = new Map<number, { status: HTMLElement; error: HTMLElement; tx: HTMLElement; values: Map<string, HTMLElement>; updated: HTMLElement }>();
  const connectorRow = (c: Connector) => {
    let r = connRows.get(c.connector);
    if (!r) {
      const values = new Map(VALUE_COLS.map(([m]) => [m, h('td', { class: 'num' }, '—')]));
      r = { status: badge(c.status), error: h('td'), tx: h('td'), values, updated: h('td', { class: 'hide-narrow' }) };
      connRows.set(c.connector, r);
      connBody.append(h('tr', { dataset: { connector: String(c.connector) } }, h('td', {}, String(c.connector)), h('td', {}, r.status),
        r.error, r.tx, ...values.values(), r.updated));
    }
    setBadge(r.status, c.status);
    setText(r.error, c.error_code && c.error_code !== 'NoError' ? c.error_code : '');
    setText(r.tx, c.transaction ? `#${c.transaction}` : '');
    setText(r.updated, fmtTime(c.updated));
    if (c.last_values) {
      for (const m of MEASURANDS) {
        const combined = new Combined();
        for (const [k, v] of Object.entries(c.last_values)) if (keyIsOf(k, m.name)) combined.add(v.value);
        const value = combined.value(m.combine);
        if (value !== null && r.values.has(m.name)) setText(r.values.get(m.name)!, fmtNumber(value));
      }
    }
  };
  const connectors = new Map<number, Connector>();

  // control
  const controls = h('div', { class: 'row' });
  const commandsBody = h('tbody');
  const commandRows = new Map<string, { status: HTMLElement; detail: HTMLElement }>();
  const renderCommand = (c: Command, top = false) => {
    let r = commandRows.get(c.id);
    if (!r) {
      r = { status: badge(c.status), detail: h('td') };
      commandRows.set(c.id, r);
      const tr = h('tr', { dataset: { command: c.id, type: c.type } }, h('td', {}, fmtTime(c.created)), h('td', {}, c.type),
        h('td', {}, JSON.stringify(c.args ?? {})), h('td', {}, r.status), r.detail);
      top ? commandsBody.prepend(tr) : commandsBody.append(tr);
    }
    setBadge(r.status, c.status);
    setText(r.detail, c.detail || (c.response ? JSON.stringify(c.response) : ''));
  };
  const watchCommand = (cid: string) => {
    // The command.result event usually arrives first; polling covers a lost stream.
    const poll = async (delay: number) => {
      if (stopped) return;
      try {
        const c = await get<Command>(`/commands/${encodeURIComponent(cid)}`);
        renderCommand(c);
        if (FINAL(c.status)) return;
      } catch { /* try again */ }
      timers.push(window.setTimeout(() => void poll(Math.min(delay * 2, 5000)), delay));
    };
    timers.push(window.setTimeout(() => void poll(1000), 1000));
  };
  const send = async (type: string, args: Record<string, unknown>, summary: string) => {
    const ok = await confirmDialog(`Send ${type.replace('_', ' ')} to ${id}?`, summary, 'Send', type === 'reset');
    if (!ok) return;
    try {
      const r = await api<{ id: string }>('POST', `/piles/${enc}/commands`, { type, args });
      renderCommand({ id: r.id, pile: id, type, args, status: 'Pending', detail: '', response: null, created_by: '', created: new Date().toISOString(), updated: '' }, true);
      notice(`${type} sent to ${id}`);
      watchCommand(r.id);
    } catch (e) {
      notice(e instanceof Error ? e.message : String(e), 'error');
    }
  };
  const connectorSelect = () => h('select', { 'aria-label': 'Connector' },
    ...[...connectors.keys()].filter((c) => c > 0).map((c) => h('option', { value: String(c) }, `connector ${c}`)));
  const promptForm = async (title: string, body: HTMLElement): Promise<boolean> => confirmDialog(title, body, 'Continue');
  const buttons: [string, () => Promise<void>][] = [
    ['Remote start…', async () => {
      const conn = connectorSelect();
      const tag = h('input', { required: true, maxlength: 20, value: 'OPERATOR', 'aria-label': 'Id tag' });
      if (!await promptForm('Remote start', h('div', {}, field('Connector', conn), field('Id tag', tag)))) return;
      await send('remote_start', { connector: Number(conn.value), id_tag: tag.value }, `Start a transaction on connector ${conn.value} for ${tag.value}.`);
    }],
    ['Remote stop…', async () => {
      const open = [...connectors.values()].filter((c) => c.transaction);
      if (!open.length) return notice(`${id} has no transaction running`, 'error');
      const tx = h('select', { 'aria-label': 'Transaction' }, ...open.map((c) => h('option', { value: String(c.transaction) }, `#${c.transaction} on connector ${c.connector}`)));
      if (!await promptForm('Remote stop', field('Transaction', tx))) return;
      await send('remote_stop', { transaction: Number(tx.value) }, `Stop transaction #${tx.value}.`);
    }],
    ['Reset…', async () => {
      const kind = h('select', { 'aria-label': 'Reset type' }, h('option', { value: 'soft' }, 'soft'), h('option', { value: 'hard' }, 'hard'));
      if (!await promptForm('Reset', field('Type', kind, 'The pile ends its transactions and restarts.'))) return;
      await send('reset', { type: kind.value }, `A ${kind.value} reset ends running transactions and reboots ${id}.`);
    }],
    ['Unlock…', async () => {
      const conn = connectorSelect();
      if (!await promptForm('Unlock connector', field('Connector', conn))) return;
      await send('unlock', { connector: Number(conn.value) }, `Unlock connector ${conn.value}.`);
    }],
    ['Trigger…', async () => {
      const msg = h('select', { 'aria-label': 'Message' }, ...['StatusNotification', 'MeterValues', 'Heartbeat', 'BootNotification',
        'FirmwareStatusNotification', 'DiagnosticsStatusNotification'].map((m) => h('option', { value: m }, m)));
      if (!await promptForm('Trigger a message', field('Message', msg))) return;
      await send('trigger_message', { message: msg.value }, `Ask ${id} to send ${msg.value}.`);
    }],
  ];
  // One vehicle on several guns (YKC V1.6 parallel charging): offered on YKC piles with two or
  // more guns; a V1.5 pile answers NotSupported, shown like any other answer.
  const guns = () => [...connectors.keys()].filter((c) => c > 0).sort((a, b) => a - b);
  const parallelButton = h('button', { type: 'button', onclick: () => void parallelStart() }, 'Parallel start…');
  const showParallel = () => { parallelButton.hidden = pile?.protocol !== 'ykc' || guns().length < 2; };
  const parallelStart = async () => {
    const boxes = guns().map((g, i) => h('input', { type: 'checkbox', value: String(g), checked: i < 2, 'aria-label': `Gun ${g}` }));
    const tag = h('input', { required: true, maxlength: 20, value: 'OPERATOR', 'aria-label': 'Id tag' });
    const body = h('div', {}, field('Guns', h('span', { class: 'row' }, ...boxes), 'The first gun ticked leads the session.'), field('Id tag', tag));
    if (!await promptForm('Parallel start', body)) return;
    const chosen = boxes.filter((b) => b.checked).map((b) => Number(b.value));
    if (chosen.length < 2) return notice('A parallel start needs two or more guns', 'error');
    await send('remote_start_parallel', { connectors: chosen, id_tag: tag.value },
      `Charge one vehicle on guns ${chosen.join(' and ')} at once, for ${tag.value}.`);
  };
  showParallel();
  if (canOperate()) {
    for (const [label, fn] of buttons) controls.append(h('button', { type: 'button', onclick: () => void fn() }, label));
    controls.append(parallelButton);
  } else {
    controls.append(h('p', { class: 'muted' }, 'Remote control needs the operator role.'));
  }

  // transactions and reported configuration
  const txBody = h('tbody');
  const loadTransactions = async () => {
    const r = await get<{ items: Tx[] }>(`/transactions?pile=${enc}&limit=20`);
    txBody.replaceChildren(...r.items.map((t) => h('tr', {}, h('td', {}, `#${t.id}`), h('td', {}, String(t.connector)), h('td', {}, t.id_tag),
      h('td', {}, fmtTime(t.started)), h('td', {}, t.stopped ? fmtTime(t.stopped) : h('span', { class: 'badge s-Charging' }, 'running')),
      h('td', { class: 'num' }, t.meter_stop_wh !== null ? fmtNumber((t.meter_stop_wh - t.meter_start_wh) / 1000, 2) : '—'),
      h('td', {}, t.stop_reason ?? ''))));
    if (!r.items.length) txBody.append(h('tr', {}, h('td', { colspan: 7, class: 'muted' }, 'No transactions yet.')));
  };
  const configBody = h('tbody');
  const loadConfig = async () => {
    const r = await get<{ items: { key: string; parameter: string | null; value: string; readonly: boolean; updated: string }[] }>(`/piles/${enc}/config`);
    configBody.replaceChildren(...r.items.map((c) => h('tr', {}, h('td', {}, c.key), h('td', {}, c.parameter ?? ''),
      h('td', { title: c.value }, c.value), h('td', {}, c.readonly ? 'read-only' : ''), h('td', {}, fmtTime(c.updated)))));
    if (!r.items.length) configBody.append(h('tr', {}, h('td', { colspan: 5, class: 'muted' }, 'Nothing reported yet (a configuration job or get_configuration reads it).')));
  };

  const table = (label: string, heads: string[], body: HTMLElement) => h('div', { class: 'table-wrap' },
    h('table', { 'aria-label': label }, h('thead', {}, h('tr', {}, ...heads.map((t) => h('th', { scope: 'col' }, t)))), body));

  main.append(
    h('div', { class: 'page-head' }, h('h1', {}, id), onlineBadge, indicator.el, h('span', { class: 'spacer' }),
      h('a', { href: `#/configure?piles=${enc}` }, 'Configure this pile'), h('a', { href: '#/fleet' }, 'Back to fleet')),
    err.el,
    h('div', { class: 'grid' }, h('section', { class: 'card' }, h('h2', {}, 'Identity'), info),
      h('section', { class: 'card' }, h('h2', {}, 'Remote control'), controls)),
    h('h2', {}, 'Connectors'),
    table('Connectors', ['#', 'Status', 'Error', 'Transaction', 'Power W', 'Current A', 'Voltage V', 'Energy Wh', 'Temp °C', 'Updated'], connBody),
    h('h2', {}, 'Live telemetry'), charts.el,
    h('h2', {}, 'Commands'), table('Commands', ['Sent', 'Type', 'Arguments', 'Status', 'Answer'], commandsBody),
    h('h2', {}, 'Transactions'), table('Transactions', ['Id', 'Conn.', 'Id tag', 'Started', 'Stopped', 'kWh', 'Reason'], txBody),
    h('h2', {}, 'Reported configuration'), table('Reported configuration', ['Key', 'Parameter', 'Value', '', 'Updated'], configBody));

  let stopped = false;
  const timers: number[] = [];

  async function resync(): Promise<void> {
    try {
      const since = new Date(Date.now() - 30 * 60 * 1000).toISOString();
      const [p, conns, cmds] = await Promise.all([
        get<Pile>(`/piles/${enc}`),
        get<{ items: Connector[] }>(`/piles/${enc}/connectors`),
        get<{ items: Command[] }>(`/piles/${enc}/commands?limit=10`),
      ]);
      pile = p;
      renderInfo();
      for (const c of conns.items) { connectors.set(c.connector, c); connectorRow(c); }
      showParallel();
      for (const c of cmds.items) renderCommand(c);
      err.hide();
      const history = await Promise.all(MEASURANDS.map((m) =>
        get<{ items: Sample[] }>(`/piles/${enc}/telemetry?measurand=${encodeURIComponent(m.name)}&from=${encodeURIComponent(since)}&limit=5000`)));
      for (const r of history) for (const s of r.items) charts.add(s);
      charts.draw();
      await Promise.all([loadTransactions(), loadConfig()]);
    } catch (e) {
      err.show(e);
    }
  }

  const onEvents = (batch: LiveEvent[]) => {
    let tx = false, cfg = false;
    for (const e of batch) {
      if (!pile) break;
      switch (e.type) {
        case 'pile.online': pile.online = true; pile.remote_address = e.remote_address; pile.connected_since = e.at; pile.last_seen = e.at; renderInfo(); break;
        case 'pile.offline': pile.online = false; pile.remote_address = null; pile.last_seen = e.at; renderInfo(); break;
        case 'pile.booted': Object.assign(pile, { vendor: e.vendor, model: e.model, serial: e.serial, firmware: e.firmware, last_boot: e.at }); renderInfo(); break;
        case 'connector.status': {
          const c = connectors.get(e.connector) ?? { connector: e.connector, status: e.status, error_code: e.error_code, updated: e.at, transaction: null };
          Object.assign(c, { status: e.status, error_code: e.error_code, updated: e.at });
          connectors.set(c.connector, c);
          connectorRow(c);
          showParallel();
          break;
        }
        case 'telemetry':
          for (const c of e.connectors ?? []) {
            const last: Record<string, { value: number; unit: string; at: string }> = {};
            for (const v of c.values ?? []) {
              charts.add({ connector: c.connector, measurand: v.measurand, phase: v.phase, value: v.value, at: v.at });
              last[valueKey(v.measurand, v.phase, v.location)] = v;
            }
            const conn = connectors.get(c.connector);
            if (conn) { conn.last_values = { ...(conn.last_values ?? {}), ...last }; connectorRow(conn); }
          }
          break;
        case 'transaction.started': case 'transaction.ended': {
          const conn = connectors.get(e.connector);
          if (conn) { conn.transaction = e.type === 'transaction.started' ? e.transaction : null; connectorRow(conn); }
          tx = true;
          break;
        }
        case 'command.result': renderCommand({ id: e.command, pile: id, type: e.command_type, args: undefined, status: e.status, detail: e.detail, response: e.response, created_by: '', created: e.at, updated: e.at }); break;
        case 'config_job.pile': if (e.state === 'Done') cfg = true; break;
      }
    }
    charts.draw();
    if (tx) void loadTransactions().catch(() => {});
    if (cfg) void loadConfig().catch(() => {});
  };

  const stream = new LiveStream({ query: `pile=${enc}`, onEvents, resync, onState: indicator.set }).start();
  return () => { stopped = true; stream.stop(); charts.destroy(); timers.forEach(clearTimeout); };
}
