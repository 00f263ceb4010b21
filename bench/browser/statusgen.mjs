// Status event generator for the console benchmark: N OCPP 1.6 piles (Basic auth, BootNotification)
// over real WebSockets, then StatusNotifications at a fixed total rate spread over random piles
// and connectors (Available <-> Charging <-> Faulted ...), so the server publishes that many
// `connector.status` events per second to every console. Prints one JSON line per second.
//   node statusgen.mjs --url ws://host:port/ocpp --prefix BR --piles 10000 --password P --rate 500 --duration 60
import WebSocket from 'ws';

const args = Object.fromEntries(process.argv.slice(2).reduce((a, v, i, all) => (v.startsWith('--') ? [...a, [v.slice(2), all[i + 1]]] : a), []));
const url = args.url, prefix = args.prefix ?? 'BR', piles = Number(args.piles ?? 10000);
const password = args.password, rate = Number(args.rate ?? 500), duration = Number(args.duration ?? 60);
const STATUSES = ['Available', 'Preparing', 'Charging', 'SuspendedEV', 'Finishing', 'Faulted'];
const socks = [];
let nextId = 1, sent = 0, answered = 0, errors = 0, skipped = 0, firstError = null;

function call(ws, action, payload) {
  return new Promise((resolve) => {
    const id = String(nextId++);
    const onMsg = (data) => {
      const m = JSON.parse(data.toString());
      if (m[1] !== id) return;
      ws.off('message', onMsg);
      if (m[0] !== 3) { errors++; firstError ??= m.slice(2); }
      resolve(m);
    };
    ws.on('message', onMsg);
    ws.send(JSON.stringify([2, id, action, payload]));
  });
}

async function connect(i) {
  const id = `${prefix}-${String(i + 1).padStart(5, '0')}`;
  const ws = new WebSocket(`${url}/${id}`, ['ocpp1.6'], {
    headers: { authorization: `Basic ${Buffer.from(`${id}:${password}`).toString('base64')}` }, perMessageDeflate: false });
  await new Promise((res, rej) => { ws.once('open', res); ws.once('error', rej); });
  ws.on('message', (data) => { // answer any server CALL with an empty CALLRESULT
    const m = JSON.parse(data.toString());
    if (m[0] === 2) ws.send(JSON.stringify([3, m[1], m[2] === 'GetConfiguration' ? { configurationKey: [] } : { status: 'Accepted' }]));
  });
  await call(ws, 'BootNotification', { chargePointVendor: 'Bench', chargePointModel: 'Status' });
  socks.push(ws);
}

const conc = 200;
for (let i = 0; i < piles; i += conc) {
  await Promise.all(Array.from({ length: Math.min(conc, piles - i) }, (_, k) => connect(i + k).catch(() => { errors++; })));
}
console.log(JSON.stringify({ connected: socks.length, errors }));

const start = Date.now();
const tick = 50; // ms
const timer = setInterval(() => {
  const n = Math.round((rate * tick) / 1000);
  for (let k = 0; k < n; k++) {
    const ws = socks[Math.floor(Math.random() * socks.length)];
    // OCPP-J allows one outstanding CALL per connection: a pile still waiting is skipped
    if (!ws || ws.readyState !== WebSocket.OPEN || ws.busy) { skipped++; continue; }
    sent++;
    ws.busy = true;
    call(ws, 'StatusNotification', { connectorId: 1 + Math.floor(Math.random() * 2), errorCode: 'NoError',
      status: STATUSES[Math.floor(Math.random() * STATUSES.length)], timestamp: new Date().toISOString() })
      .then(() => { ws.busy = false; answered++; });
  }
}, tick);
const report = setInterval(() => console.log(JSON.stringify({ t: Math.round((Date.now() - start) / 1000), sent, answered, skipped, errors, first_error: firstError })), 1000);
setTimeout(() => { clearInterval(timer); clearInterval(report); for (const ws of socks) ws.terminate(); process.exit(0); }, duration * 1000);
