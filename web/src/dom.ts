// A very small view layer: element construction, formatting in the operator's time zone,
// notices and a confirmation dialog. Pages build DOM once and update text in place, so live
// data never re-creates rows (no layout jumps, no lost focus).

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, unknown>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v as EventListener);
    else if (k === 'class') el.className = String(v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value' && 'value' in el) (el as HTMLInputElement).value = String(v);
    else if (k === 'checked' && 'checked' in el) (el as HTMLInputElement).checked = Boolean(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

export function clear(el: Element): void { el.replaceChildren(); }

export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

// Times: the API speaks UTC; the operator reads their own zone (the browser's).
export const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
const dateTime = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
});
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const today = new Date();
  return d.toDateString() === today.toDateString() ? timeOnly.format(d) : dateTime.format(d);
}

export function fmtNumber(v: number | null | undefined, digits = 1): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  return v.toLocaleString(undefined, { maximumFractionDigits: digits });
}

export function badge(status: string): HTMLSpanElement {
  return h('span', { class: `badge s-${status}` }, status);
}

export function setBadge(el: HTMLElement, status: string): void {
  if (el.textContent === status) return;
  el.textContent = status;
  el.className = `badge s-${status}`;
}

// Notices: one polite live region for results, one alert region for errors.
let noticeEl: HTMLElement | null = null;
export function notice(message: string, kind: 'info' | 'error' = 'info'): void {
  if (!noticeEl) {
    noticeEl = h('div', { class: 'notices', 'aria-live': 'polite' });
    document.body.append(noticeEl);
  }
  const item = h('div', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, message,
    h('button', { type: 'button', class: 'link', 'aria-label': 'Dismiss', onclick: () => item.remove() }, '×'));
  noticeEl.append(item);
  setTimeout(() => item.remove(), kind === 'error' ? 12000 : 5000);
}

// An inline error box for a form or a page section.
export function errorBox(): { el: HTMLElement; show: (e: unknown) => void; hide: () => void } {
  const el = h('div', { class: 'error-box', role: 'alert', hidden: true });
  return {
    el,
    show: (e: unknown) => { el.hidden = false; el.textContent = e instanceof Error ? e.message : String(e); },
    hide: () => { el.hidden = true; el.textContent = ''; },
  };
}

// A modal confirmation (the native <dialog>: focus trapping and Escape for free).
export function confirmDialog(title: string, body: Node | string, confirmLabel = 'Confirm', danger = false): Promise<boolean> {
  return new Promise((resolve) => {
    const ok = h('button', { type: 'submit', class: danger ? 'danger' : 'primary', value: 'ok' }, confirmLabel);
    const dialog = h('dialog', { 'aria-labelledby': 'dlg-title' },
      h('form', { method: 'dialog' },
        h('h2', { id: 'dlg-title' }, title),
        h('div', { class: 'dialog-body' }, body),
        h('div', { class: 'actions' },
          h('button', { type: 'submit', value: 'cancel' }, 'Cancel'), ok)));
    document.body.append(dialog);
    dialog.addEventListener('close', () => { resolve(dialog.returnValue === 'ok'); dialog.remove(); });
    dialog.showModal();
    ok.focus();
  });
}

export function field(label: string, control: HTMLElement, hint?: string): HTMLLabelElement {
  return h('label', { class: 'field' }, h('span', { class: 'label' }, label), control, hint ? h('small', {}, hint) : null);
}
