// Live events (GET /api/v1/events, docs/api.md "Live events") for one page: trades the bearer
// token for a single-use ticket, opens an EventSource, batches events per animation frame.
// `resync` (the page re-reads its state over REST) runs on the first connection; a reconnection
// passes the last event id it saw (`last_event_id`), so the server replays what was missed, and
// resyncs only when the server says it cannot (`replay_unavailable`) or when no event had come
// yet (no id to resume from). A lost stream, a `dropped` or `closing` event reconnects with
// exponential back-off (1 s doubling to 30 s, with jitter); a refused ticket (401) ends the
// session.
import { api, ApiError } from './api';

export interface LiveEvent { type: string; pile: string; at: string; [k: string]: any }
export type StreamState = 'connecting' | 'live' | 'reconnecting';

const TYPES = ['pile.online', 'pile.offline', 'pile.booted', 'connector.status', 'telemetry', 'transaction.started',
  'transaction.ended', 'pile.firmware_status', 'pile.diagnostics_status', 'config_job.parameter', 'config_job.pile',
  'config_job.state', 'command.result'];

export interface StreamOptions {
  query: string;                            // e.g. "type=pile,connector.status"
  onEvents: (batch: LiveEvent[]) => void;   // at most once per frame
  resync: () => Promise<void> | void;       // after each (re)connection
  onState?: (s: StreamState, retryInMs?: number) => void;
}

export class LiveStream {
  private es: EventSource | null = null;
  private queue: LiveEvent[] = [];
  private frame = 0;
  private fallback = 0;
  private timer = 0;
  private attempt = 0;
  private stopped = false;
  private lastId = '';  // the id of the last event received, for the server's replay

  constructor(private o: StreamOptions) {}

  start(): this { void this.connect(); return this; }

  stop(): void {
    this.stopped = true;
    this.es?.close();
    cancelAnimationFrame(this.frame);
    clearTimeout(this.fallback);
    clearTimeout(this.timer);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    this.o.onState?.(this.attempt === 0 ? 'connecting' : 'reconnecting');
    let ticket: string;
    try {
      ticket = (await api<{ ticket: string }>('POST', '/events/ticket')).ticket;
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return; // the session ended; login takes over
      return this.retry();
    }
    if (this.stopped) return;
    const params = new URLSearchParams(this.o.query);
    params.set('ticket', ticket);
    const resuming = this.lastId !== '';
    if (resuming) params.set('last_event_id', this.lastId);
    const es = new EventSource(`/api/v1/events?${params.toString()}`);
    this.es = es;
    es.onopen = () => {
      this.attempt = 0;
      this.o.onState?.('live');
      if (!resuming) void this.o.resync(); // a resumed stream replays what was missed instead
    };
    es.onerror = () => {
      // A ticket is single use, so EventSource's own reconnection would be refused: take over.
      es.close();
      if (this.es === es) this.retry();
    };
    const onEvent = (m: MessageEvent) => {
      if (m.lastEventId) this.lastId = m.lastEventId;
      try { this.push(JSON.parse(m.data) as LiveEvent); } catch { /* a malformed event is skipped */ }
    };
    for (const t of TYPES) es.addEventListener(t, onEvent);
    // The server no longer has everything after our last id: re-read the state.
    es.addEventListener('replay_unavailable', () => void this.o.resync());
    // Dropped for falling behind: a replay would only overflow again, so start afresh (resync).
    es.addEventListener('dropped', () => { this.lastId = ''; es.close(); if (this.es === es) this.retry(); });
    es.addEventListener('closing', () => { es.close(); if (this.es === es) this.retry(); });
  }

  private retry(): void {
    if (this.stopped) return;
    this.es = null;
    const base = Math.min(30000, 1000 * 2 ** this.attempt);
    const delay = Math.round(base * (0.75 + Math.random() * 0.5));
    this.attempt = Math.min(this.attempt + 1, 5);
    this.o.onState?.('reconnecting', delay);
    this.timer = window.setTimeout(() => void this.connect(), delay);
  }

  private push(e: LiveEvent): void {
    this.queue.push(e);
    if (this.frame || this.fallback) return;
    const flush = () => {
      cancelAnimationFrame(this.frame);
      clearTimeout(this.fallback);
      this.frame = 0;
      this.fallback = 0;
      const batch = this.queue;
      this.queue = [];
      if (batch.length) this.o.onEvents(batch);
    };
    this.frame = requestAnimationFrame(flush);
    this.fallback = window.setTimeout(flush, 250); // background tabs get no animation frames
  }
}

// A small status pill for a page header.
export function streamIndicator(): { el: HTMLElement; set: (s: StreamState, retryInMs?: number) => void } {
  const el = document.createElement('span');
  el.className = 'stream connecting';
  el.setAttribute('role', 'status');
  el.textContent = 'connecting…';
  return {
    el,
    set: (s, retry) => {
      el.className = `stream ${s}`;
      el.textContent = s === 'live' ? 'live' : s === 'connecting' ? 'connecting…'
        : retry ? `reconnecting in ${Math.ceil(retry / 1000)} s` : 'reconnecting…';
    },
  };
}
