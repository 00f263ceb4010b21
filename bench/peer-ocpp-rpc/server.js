// Peer baseline: a minimal OCPP 1.6 central system on ocpp-rpc (node), strict mode, so every
// CALL is validated against the official schemas as ChargePlane validates it. Accepts any pile
// without credentials and answers the calls a pile needs to boot, charge and report.
//
//   node peer-ocpp-rpc/server.js [--port P]     prints "peer ready port=<P>" when listening
import rpc from 'ocpp-rpc';

const { RPCServer } = rpc;
const args = process.argv.slice(2);
const port = Number(args[args.indexOf('--port') + 1] ?? 0) || 0;

const server = new RPCServer({
  protocols: ['ocpp1.6'],
  strictMode: true,
  pingIntervalMs: 0, // the floor and ChargePlane do not ping either: measure the calls only
});
server.auth((accept) => accept({}));

let transactionSeq = 0;
const now = () => new Date().toISOString();
server.on('client', (client) => {
  client.handle('BootNotification', () => ({ status: 'Accepted', currentTime: now(), interval: 300 }));
  client.handle('Heartbeat', () => ({ currentTime: now() }));
  client.handle('StatusNotification', () => ({}));
  client.handle('MeterValues', () => ({}));
  client.handle('Authorize', () => ({ idTagInfo: { status: 'Accepted' } }));
  client.handle('StartTransaction', () => ({ transactionId: ++transactionSeq, idTagInfo: { status: 'Accepted' } }));
  client.handle('StopTransaction', () => ({ idTagInfo: { status: 'Accepted' } }));
  client.handle('DiagnosticsStatusNotification', () => ({}));
  client.handle('FirmwareStatusNotification', () => ({}));
  client.on('error', () => {});
});

const http = await server.listen(port, '127.0.0.1');
console.log(`peer ready port=${http.address().port}`);
const stop = () => server.close({ force: true }).then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
