// Client-side validation of configuration values against the catalogue (GET /parameters):
// the same rules the server applies (docs/api.md "Remote configuration"), so the operator
// sees a mistake next to the field before anything is sent. Returns the value to send, or an
// error message.
import type { Parameter } from './api';

export type Checked = { ok: true; value: unknown } | { ok: false; error: string };

export function checkValue(p: Parameter, raw: string): Checked {
  const text = raw.trim();
  switch (p.type) {
    case 'integer': {
      if (!/^-?\d+$/.test(text)) return { ok: false, error: 'a whole number' };
      const n = Number(text);
      if (p.min !== undefined && n < p.min) return { ok: false, error: `at least ${p.min}${p.unit ? ` ${p.unit}` : ''}` };
      if (p.max !== undefined && n > p.max) return { ok: false, error: `at most ${p.max}${p.unit ? ` ${p.unit}` : ''}` };
      return { ok: true, value: n };
    }
    case 'number': {
      const n = Number(text);
      if (text === '' || !Number.isFinite(n)) return { ok: false, error: 'a number' };
      if (p.min !== undefined && n < p.min) return { ok: false, error: `at least ${p.min}` };
      if (p.max !== undefined && n > p.max) return { ok: false, error: `at most ${p.max}` };
      return { ok: true, value: n };
    }
    case 'boolean':
      if (text !== 'true' && text !== 'false') return { ok: false, error: 'true or false' };
      return { ok: true, value: text === 'true' };
    case 'measurand_list': {
      const items = text.split(',').map((s) => s.trim()).filter(Boolean);
      const unknown = items.filter((m) => p.allowed && !p.allowed.includes(m));
      if (unknown.length) return { ok: false, error: `unknown measurand ${unknown[0]}` };
      return { ok: true, value: items };
    }
    default:
      if (text.length > 500) return { ok: false, error: 'at most 500 characters' };
      return { ok: true, value: text };
  }
}

export function rangeText(p: Parameter): string {
  const unit = p.unit ? ` ${p.unit}` : '';
  if (p.type === 'boolean') return 'true / false';
  if (p.type === 'measurand_list') return 'measurands, comma-separated';
  if (p.min !== undefined && p.max !== undefined) return `${p.min}–${p.max}${unit}`;
  return `${p.type}${unit}`;
}

// Raw vendor keys: "ocpp1.6:<Key>" (docs/api.md), 1–50 characters of key.
export function checkRawKey(key: string): string | null {
  return /^ocpp1\.6:[A-Za-z0-9_.-]{1,50}$/.test(key) ? null : 'write ocpp1.6:<Key>';
}
