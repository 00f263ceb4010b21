// Users (admins) and API tokens (everyone: their own; admins: all). A new token's secret is
// shown once, as the API returns it once.
import { api, get, isAdmin, canOperate, session } from '../api';
import { h, errorBox, field, confirmDialog, notice, fmtTime } from '../dom';

interface User { username: string; role: string; created: string }
interface Token { id: string; name: string; owner: string; role: string; created: string; expires_at: string | null; last_used: string | null }
const ROLES = ['viewer', 'operator', 'admin'];
const roleSelect = (value: string, label: string) => {
  const s = h('select', { 'aria-label': label }, ...ROLES.map((r) => h('option', { value: r }, r)));
  s.value = value;
  return s;
};

export async function accessPage(main: HTMLElement): Promise<void> {
  main.append(h('div', { class: 'page-head' }, h('h1', {}, isAdmin() ? 'Users and tokens' : 'API tokens')));
  if (isAdmin()) main.append(await usersSection());
  main.append(await tokensSection());
}

async function usersSection(): Promise<HTMLElement> {
  const err = errorBox();
  const body = h('tbody');
  const load = async () => {
    const users = (await get<{ items: User[] }>('/users')).items;
    body.replaceChildren(...users.map((u) => {
      const role = roleSelect(u.role, `Role of ${u.username}`);
      role.addEventListener('change', async () => {
        try { await api('PATCH', `/users/${encodeURIComponent(u.username)}`, { role: role.value }); notice(`${u.username} is now ${role.value}`); }
        catch (e) { role.value = u.role; notice(e instanceof Error ? e.message : String(e), 'error'); }
      });
      return h('tr', { dataset: { user: u.username } }, h('td', {}, u.username), h('td', {}, role), h('td', {}, fmtTime(u.created)),
        h('td', {}, u.username === session()?.username ? '' : h('button', { type: 'button', class: 'link', onclick: async () => {
          if (!await confirmDialog(`Delete ${u.username}?`, 'Their sessions and API tokens stop working at once.', 'Delete', true)) return;
          try { await api('DELETE', `/users/${encodeURIComponent(u.username)}`); await load(); }
          catch (e) { notice(e instanceof Error ? e.message : String(e), 'error'); }
        } }, 'Delete')));
    }));
  };
  await load();
  const name = h('input', { 'aria-label': 'New user name', autocomplete: 'off' });
  const pass = h('input', { type: 'password', 'aria-label': 'New user password', autocomplete: 'new-password', minlength: 12 });
  const role = roleSelect('viewer', 'New user role');
  const form = h('form', { class: 'row', onsubmit: async (ev: Event) => {
    ev.preventDefault();
    err.hide();
    if (pass.value.length < 12) return err.show('Passwords have at least 12 characters.');
    try {
      await api('POST', '/users', { username: name.value, password: pass.value, role: role.value });
      name.value = ''; pass.value = '';
      await load();
    } catch (e) { err.show(e); }
  } }, field('User name', name), field('Password', pass, '12 or more characters'), field('Role', role), h('button', { type: 'submit' }, 'Add user'));
  return h('section', {}, h('h2', {}, 'Users'), h('div', { class: 'table-wrap' }, h('table', { 'aria-label': 'Users' },
    h('thead', {}, h('tr', {}, ...['User', 'Role', 'Created', ''].map((t) => h('th', { scope: 'col' }, t)))), body)),
  h('div', { class: 'card' }, form, err.el));
}

async function tokensSection(): Promise<HTMLElement> {
  const err = errorBox();
  const body = h('tbody');
  const secret = h('div', { hidden: true, class: 'card', role: 'status' });
  const load = async () => {
    const tokens = (await get<{ items: Token[] }>('/tokens')).items;
    body.replaceChildren(...tokens.map((t) => h('tr', {}, h('td', {}, t.name), h('td', {}, t.owner), h('td', {}, t.role),
      h('td', {}, fmtTime(t.created)), h('td', {}, t.expires_at ? fmtTime(t.expires_at) : 'never'), h('td', {}, fmtTime(t.last_used)),
      h('td', {}, h('button', { type: 'button', class: 'link', onclick: async () => {
        if (!await confirmDialog(`Revoke ${t.name}?`, 'Requests with this token are refused at once.', 'Revoke', true)) return;
        try { await api('DELETE', `/tokens/${encodeURIComponent(t.id)}`); await load(); }
        catch (e) { notice(e instanceof Error ? e.message : String(e), 'error'); }
      } }, 'Revoke')))));
    if (!tokens.length) body.append(h('tr', {}, h('td', { colspan: 7, class: 'muted' }, 'No API tokens.')));
  };
  await load();
  const name = h('input', { 'aria-label': 'Token name', maxlength: 64 });
  const role = roleSelect(session()?.role ?? 'viewer', 'Token role');
  const days = h('input', { type: 'number', min: 1, max: 3650, placeholder: 'never', 'aria-label': 'Expires in days' });
  const form = h('form', { class: 'row', onsubmit: async (ev: Event) => {
    ev.preventDefault();
    err.hide();
    const body: Record<string, unknown> = { name: name.value, role: role.value };
    if (days.value) body.expires_in_days = Number(days.value);
    try {
      const t = await api<Token & { token: string }>('POST', '/tokens', body);
      secret.hidden = false;
      secret.replaceChildren(h('p', {}, `Token ${t.name} created. Copy it now: it is not shown again.`), h('div', { class: 'secret' }, t.token));
      name.value = '';
      await load();
    } catch (e) { err.show(e); }
  } }, field('Name', name), field('Role', role), field('Expires in days', days), h('button', { type: 'submit' }, 'Create token'));
  return h('section', {}, h('h2', {}, 'API tokens'), h('div', { class: 'table-wrap' }, h('table', { 'aria-label': 'API tokens' },
    h('thead', {}, h('tr', {}, ...['Name', 'Owner', 'Role', 'Created', 'Expires', 'Last used', ''].map((t) => h('th', { scope: 'col' }, t)))), body)),
  secret, canOperate() ? h('div', { class: 'card' }, form, err.el) : h('p', { class: 'muted' }, 'Creating API tokens needs the operator role.'));
}
