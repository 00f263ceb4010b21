// Pages whose APIs arrive with their own issues: the route, navigation entry and page frame
// exist now, so adding them is filling in a page, not restructuring the console.
import { h } from '../dom';

const upcoming = (title: string, what: string) => (main: HTMLElement) => {
  main.append(h('div', { class: 'page-head' }, h('h1', {}, title)),
    h('div', { class: 'card' }, h('p', {}, what), h('p', { class: 'muted' }, 'This server does not offer that API yet; this page fills in when it does.')));
};

export const vehiclesPage = upcoming('Vehicles', 'Vehicle terminals (GB/T 32960): their live reports, logins and upstream forwarding.');
export const alarmsPage = upcoming('Alarms', 'Alarms raised by diagnosis rules, with their raised → acknowledged → cleared lifecycle.');
