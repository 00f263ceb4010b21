// The console shell: hash routes, navigation, theme, and the login gate. Each page is a
// function that fills the main element and returns a cleanup (closing its live stream).
import './styles.css';
import { api, session, setSession, whenUnauthorized, Session } from './api';
import { h, timeZone, errorBox } from './dom';

export type Cleanup = () => void;
export type Page = (main: HTMLElement, params: Record<string, string>) => Cleanup | void | Promise<Cleanup | void>;

interface RouteDef { pattern: RegExp; keys: string[]; load: () => Promise<Page>; title: string; nav?: string }
const route = (path: string, title: string, load: () => Promise<Page>, nav?: string): RouteDef => {
  const keys: string[] = [];
  const pattern = new RegExp(`^${path.replace(/:(\w+)/g, (_, k) => { keys.push(k); return '([^/]+)'; })}$`);
  return { pattern, keys, load, title, nav };
};

const routes: RouteDef[] = [
  route('/fleet', 'Fleet', async () => (await import('./pages/fleet')).fleetPage, 'fleet'),
  route('/piles/:id', 'Pile', async () => (await import('./pages/pile')).pilePage, 'fleet'),
  route('/configure', 'Remote configuration', async () => (await import('./pages/configure')).configurePage, 'configure'),
  route('/jobs', 'Configuration jobs', async () => (await import('./pages/jobs')).jobsPage, 'jobs'),
  route('/jobs/:id', 'Configuration job', async () => (await import('./pages/jobs')).jobPage, 'jobs'),
  route('/policy', 'Acquisition policy', async () => (await import('./pages/policy')).policyPage, 'policy'),
  route('/access', 'Users and tokens', async () => (await import('./pages/access')).accessPage, 'access'),
  route('/vehicles', 'Vehicles', async () => (await import('./pages/upcoming')).vehiclesPage, 'vehicles'),
  route('/alarms', 'Alarms', async () => (await import('./pages/upcoming')).alarmsPage, 'alarms'),
];

const NAV: [string, string, string][] = [
  ['fleet', '#/fleet', 'Fleet'],
  ['configure', '#/configure', 'Configure'],
  ['jobs', '#/jobs', 'Jobs'],
  ['policy', '#/policy', 'Acquisition'],
  ['vehicles', '#/vehicles', 'Vehicles'],
  ['alarms', '#/alarms', 'Alarms'],
  ['access', '#/access', 'Users & tokens'],
];

// Theme: the operator's choice (kept), else the system's.
const THEME_KEY = 'chargeplane.theme';
function applyTheme(t: string | null): void {
  if (t === 'light' || t === 'dark') document.documentElement.dataset.theme = t;
  else delete document.documentElement.dataset.theme;
}
applyTheme(localStorage.getItem(THEME_KEY));
function currentTheme(): 'light' | 'dark' {
  const t = document.documentElement.dataset.theme;
  if (t === 'light' || t === 'dark') return t;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

const app = document.getElementById('app')!;
let cleanup: Cleanup | void = undefined;
let navLinks = new Map<string, HTMLAnchorElement>();
let main: HTMLElement;

function shell(s: Session): void {
  navLinks = new Map();
  const nav = h('nav', { 'aria-label': 'Main' }, h('ul', {}, ...NAV.map(([key, href, label]) => {
    const a = h('a', { href }, label);
    navLinks.set(key, a);
    return h('li', {}, a);
  })));
  const themeBtn = h('button', { type: 'button', class: 'link', onclick: () => {
    const next = currentTheme() === 'dark' ? 'light' : 'dark';
    localStorage.setItem(THEME_KEY, next);
    applyTheme(next);
    themeBtn.textContent = next === 'dark' ? 'Light theme' : 'Dark theme';
  } }, currentTheme() === 'dark' ? 'Light theme' : 'Dark theme');
  const header = h('header', { class: 'top' },
    h('a', { class: 'brand', href: '#/fleet' }, 'ChargePlane'),
    nav,
    h('div', { class: 'who' },
      h('span', { title: 'Times are shown in this time zone' }, timeZone),
      h('span', { class: 'user', 'data-testid': 'user' }, `${s.username} (${s.role})`),
      themeBtn,
      h('button', { type: 'button', class: 'link', onclick: logout }, 'Sign out')));
  main = h('main', { id: 'main', tabindex: '-1' });
  app.replaceChildren(header, main);
}

async function logout(): Promise<void> {
  try { await api('POST', '/auth/logout'); } catch { /* the token may be gone already */ }
  setSession(null);
  location.hash = '#/login';
}

function loginPage(next: string): void {
  cleanup?.();
  cleanup = undefined;
  const err = errorBox();
  const user = h('input', { name: 'username', autocomplete: 'username', required: true, autofocus: true });
  const pass = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = h('form', { class: 'login card', 'aria-labelledby': 'login-title', onsubmit: async (ev: Event) => {
    ev.preventDefault();
    err.hide();
    submit.disabled = true;
    try {
      const r = await api<Session & { id: string }>('POST', '/auth/login', { username: user.value, password: pass.value });
      setSession({ token: r.token, username: r.username, role: r.role, expires_at: r.expires_at });
      location.hash = next && next !== '/login' ? `#${next}` : '#/fleet';
    } catch (e) {
      err.show(e);
      pass.select();
    } finally {
      submit.disabled = false;
    }
  } },
  h('h1', { id: 'login-title' }, 'ChargePlane'),
  h('p', { class: 'muted' }, 'Sign in to operate the fleet.'),
  h('label', { class: 'field' }, h('span', { class: 'label' }, 'User name'), user),
  h('label', { class: 'field' }, h('span', { class: 'label' }, 'Password'), pass),
  err.el, submit);
  app.replaceChildren(h('main', { id: 'main', class: 'login-wrap' }, form));
  document.title = 'Sign in · ChargePlane';
  user.focus();
}

let rendering = 0;
async function render(): Promise<void> {
  const ticket = ++rendering;
  const path = location.hash.replace(/^#/, '') || '/fleet';
  const [bare, query = ''] = path.split('?');
  const s = session();
  if (bare === '/login' || !s) {
    const next = bare === '/login' ? new URLSearchParams(query).get('next') ?? '/fleet' : path;
    if (bare !== '/login') { location.replace(`#/login?next=${encodeURIComponent(next)}`); return; }
    return loginPage(next);
  }
  if (!main || !document.body.contains(main)) shell(s);
  cleanup?.();
  cleanup = undefined;
  const def = routes.find((r) => r.pattern.test(bare));
  for (const [key, a] of navLinks) {
    if (def?.nav === key) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  main.replaceChildren();
  if (!def) {
    main.append(h('h1', {}, 'Not found'), h('p', {}, `Nothing lives at ${bare}. `, h('a', { href: '#/fleet' }, 'Back to the fleet')));
    return;
  }
  const m = def.pattern.exec(bare)!;
  const params: Record<string, string> = Object.fromEntries(new URLSearchParams(query));
  def.keys.forEach((k, i) => { params[k] = decodeURIComponent(m[i + 1]); });
  document.title = `${def.title} · ChargePlane`;
  try {
    const page = await def.load();
    if (ticket !== rendering) return;
    const c = await page(main, params);
    if (ticket !== rendering) { if (c) c(); return; }
    cleanup = c;
  } catch (e) {
    if (ticket !== rendering) return;
    const err = errorBox();
    err.show(e);
    main.replaceChildren(h('h1', {}, def.title), err.el);
  }
}

whenUnauthorized(() => {
  const here = location.hash.replace(/^#/, '');
  if (!here.startsWith('/login')) location.hash = `#/login?next=${encodeURIComponent(here || '/fleet')}`;
});
window.addEventListener('hashchange', () => void render());
void render();
