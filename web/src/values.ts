// How the console names and combines a connector's live values (pure; unit-tested).
// `valueKey` mirrors the server's live_value_key (docs/api.md, last_values): measurand, then
// ".<phase>", then "@<location>" unless the location is Outlet, the OCPP default.
export type Combine = 'sum' | 'average' | 'max';

export function valueKey(measurand: string, phase?: string | null, location?: string | null): string {
  let key = measurand;
  if (phase) key += `.${phase}`;
  if (location && location !== 'Outlet') key += `@${location}`;
  return key;
}

// OCPP 1.6 phase names (a measurand name may itself contain dots, so only these count as phase).
const PHASES = new Set(['L1', 'L2', 'L3', 'N', 'L1-N', 'L2-N', 'L3-N', 'L1-L2', 'L2-L3', 'L3-L1']);

// Whether a last_values key is a value of measurand `name` (any phase, any location).
export function keyIsOf(key: string, name: string): boolean {
  const at = key.indexOf('@');
  const base = at < 0 ? key : key.slice(0, at);
  if (base === name) return true;
  return base.startsWith(`${name}.`) && PHASES.has(base.slice(name.length + 1));
}

// One figure out of a measurand's values at one moment: phases of power or energy add up,
// phases of voltage or current average, and temperatures at several places (outlet, cable,
// battery) show the hottest.
export class Combined {
  private sum = 0;
  private n = 0;
  private max = -Infinity;
  add(v: number): void { this.sum += v; this.n++; if (v > this.max) this.max = v; }
  get count(): number { return this.n; }
  value(how: Combine): number | null {
    if (this.n === 0) return null;
    return how === 'sum' ? this.sum : how === 'average' ? this.sum / this.n : this.max;
  }
}
