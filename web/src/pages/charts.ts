// Live telemetry charts (uPlot) for one pile: one chart per measurand, one series per
// connector, the last 30 minutes. Values of one second are combined per measurand (values.ts):
// phases averaged for voltage and current, summed for power and energy; temperatures at several
// places (outlet, cable, battery) show the hottest.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { h } from '../dom';
import { Combine, Combined } from '../values';

export interface Sample { connector: number; measurand: string; phase?: string; value: number; at: string }

export const MEASURANDS: { name: string; title: string; unit: string; combine: Combine }[] = [
  { name: 'Power.Active.Import', title: 'Power', unit: 'W', combine: 'sum' },
  { name: 'Current.Import', title: 'Current (per phase)', unit: 'A', combine: 'average' },
  { name: 'Voltage', title: 'Voltage (per phase)', unit: 'V', combine: 'average' },
  { name: 'Energy.Active.Import.Register', title: 'Energy', unit: 'Wh', combine: 'sum' },
  { name: 'Temperature', title: 'Temperature (hottest)', unit: '°C', combine: 'max' },
];
const WINDOW_S = 30 * 60;
const COLORS = ['#0b5cd5', '#d4580b', '#1a7f37', '#8250df', '#bf3989', '#0a7ea4'];

class Chart {
  // connector -> second -> the values of that second
  private points = new Map<number, Map<number, Combined>>();
  private plot: uPlot | null = null;
  private connectors: number[] = [];
  readonly el: HTMLElement;
  private box: HTMLElement;
  dirty = false;

  constructor(readonly m: (typeof MEASURANDS)[number]) {
    this.box = h('div', { class: 'plot', role: 'img', 'aria-label': `${m.title} over the last 30 minutes` });
    this.el = h('section', { class: 'card chart', 'data-measurand': m.name }, h('h3', {}, `${m.title} [${m.unit}]`), this.box);
  }

  add(s: Sample): void {
    const t = Math.floor(Date.parse(s.at) / 1000);
    if (!Number.isFinite(t)) return;
    let series = this.points.get(s.connector);
    if (!series) { series = new Map(); this.points.set(s.connector, series); }
    let p = series.get(t);
    if (!p) { p = new Combined(); series.set(t, p); }
    p.add(s.value);
    this.dirty = true;
  }

  get pointCount(): number { let n = 0; for (const s of this.points.values()) n += s.size; return n; }

  draw(): void {
    if (!this.dirty && this.plot) return;
    this.dirty = false;
    const cutoff = Date.now() / 1000 - WINDOW_S;
    const times = new Set<number>();
    for (const s of this.points.values()) for (const t of [...s.keys()]) { if (t < cutoff) s.delete(t); else times.add(t); }
    const xs = [...times].sort((a, b) => a - b);
    this.el.dataset.points = String(xs.length); // for tests and the curious: samples in the window
    const connectors = [...this.points.keys()].sort((a, b) => a - b);
    const data: uPlot.AlignedData = [xs, ...connectors.map((c) => {
      const s = this.points.get(c)!;
      return xs.map((t) => s.get(t)?.value(this.m.combine) ?? null);
    })];
    const width = Math.max(280, this.box.clientWidth || 360);
    if (!this.plot || connectors.join() !== this.connectors.join()) {
      this.plot?.destroy();
      this.connectors = connectors;
      const styles = getComputedStyle(document.documentElement);
      const axis = { stroke: styles.getPropertyValue('--muted').trim() || '#888', grid: { stroke: styles.getPropertyValue('--border').trim() || '#ddd' } };
      this.plot = new uPlot({
        width, height: 180,
        series: [{}, ...connectors.map((c, i) => ({ label: `connector ${c}`, stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: true }))],
        axes: [axis, { ...axis, size: 60 }],
        // The window, not the data, sets the time axis: a pile with one sample so far shows it
        // at the right edge of the last 30 minutes, not on an axis uPlot stretched over years.
        scales: { x: { time: true, range: () => { const now = Date.now() / 1000; return [now - WINDOW_S, now]; } } },
        legend: { live: true },
      }, data, this.box);
    } else {
      this.plot.setData(data);
    }
  }

  resize(): void { if (this.plot) this.plot.setSize({ width: Math.max(280, this.box.clientWidth), height: 180 }); }
  destroy(): void { this.plot?.destroy(); }
}

export class PileCharts {
  readonly el = h('div', { class: 'charts' });
  private charts = new Map<string, Chart>();
  private observer: ResizeObserver;

  constructor() {
    for (const m of MEASURANDS) {
      const c = new Chart(m);
      this.charts.set(m.name, c);
      this.el.append(c.el);
    }
    this.observer = new ResizeObserver(() => { for (const c of this.charts.values()) c.resize(); });
    this.observer.observe(this.el);
  }

  add(s: Sample): void { this.charts.get(s.measurand)?.add(s); }
  draw(): void { for (const c of this.charts.values()) c.draw(); }
  points(measurand: string): number { return this.charts.get(measurand)?.pointCount ?? 0; }
  destroy(): void { this.observer.disconnect(); for (const c of this.charts.values()) c.destroy(); }
}
