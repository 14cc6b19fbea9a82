// Drives the real @grpc/grpc-js-xds client against a Fairlead control plane.
//
// It starts one grpc-js backend per address (same port), makes an xDS client whose bootstrap
// points at Fairlead, runs the scenarios given on the command line and prints one JSON line on
// stdout. Exit status: 0 only if every RPC succeeded; 1 if one failed (its scenario stops there);
// 2 for bad arguments; 3 when the time limit was reached.
//
//   node client.mjs --xds 127.0.0.1:18000 --backend-port 50051 \
//     [--backends 127.0.0.11,127.0.0.12,127.0.0.13] [--node-id ID] [--zone ZONE] \
//     [--timeout-ms 30000] [--deadline-ms 10000] [--hold] \
//     --target xds:///rr.demo.svc.cluster.local:50051 [--name rr] [--warmup 6] [--requests 90] \
//     --target xds:///hash.demo.svc.cluster.local:50051 --header x-user --keys u1,u2,u3 --requests 5
//
// Each --target starts a scenario; the options after it apply to it. With --header and --keys,
// --requests is per key and every call carries the header set to its key. --hold keeps the xDS
// stream open after printing, until stdin closes, so the caller can inspect the control plane.

import { fileURLToPath } from 'node:url';

const USAGE =
  'usage: client.mjs --xds HOST:PORT --backend-port PORT [--backends IP,IP,..] [--node-id ID] ' +
  '[--zone ZONE] [--timeout-ms MS] [--deadline-ms MS] [--hold] ' +
  '(--target xds:///NAME:PORT [--name N] [--warmup N] [--requests N] [--header H --keys K,K,..])...';

class UsageError extends Error {}

function parseArgs(argv) {
  const opts = {
    xds: null,
    backendPort: null,
    backends: ['127.0.0.11', '127.0.0.12', '127.0.0.13'],
    nodeId: 'fairlead-grpc-node-e2e',
    zone: null,
    timeoutMs: 30000,
    deadlineMs: 10000,
    hold: false,
    scenarios: [],
  };
  const current = (flag) => {
    const s = opts.scenarios.at(-1);
    if (!s) throw new UsageError(`${flag} must follow a --target`);
    return s;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new UsageError(`${flag} needs a value`);
      return argv[++i];
    };
    const count = (min) => {
      const text = value();
      if (!/^\d+$/.test(text) || Number(text) < min) {
        throw new UsageError(`${flag} must be an integer >= ${min}, got '${text}'`);
      }
      return Number(text);
    };
    switch (flag) {
      case '--xds': opts.xds = value(); break;
      case '--backend-port': opts.backendPort = count(1); break;
      case '--backends': opts.backends = value().split(',').filter((b) => b); break;
      case '--node-id': opts.nodeId = value(); break;
      case '--zone': opts.zone = value(); break;
      case '--timeout-ms': opts.timeoutMs = count(1); break;
      case '--deadline-ms': opts.deadlineMs = count(1); break;
      case '--hold': opts.hold = true; break;
      case '--target': {
        const target = value();
        if (!target.startsWith('xds:///')) throw new UsageError(`--target must be xds:///..., got '${target}'`);
        opts.scenarios.push({ name: target.slice('xds:///'.length), target, requests: 30, warmup: 0, header: null, keys: [] });
        break;
      }
      case '--name': current(flag).name = value(); break;
      case '--requests': current(flag).requests = count(1); break;
      case '--warmup': current(flag).warmup = count(0); break;
      case '--header': current(flag).header = value().toLowerCase(); break;
      case '--keys': current(flag).keys = value().split(',').filter((k) => k); break;
      default: throw new UsageError(`unknown option '${flag}'`);
    }
  }
  if (!opts.xds) throw new UsageError('--xds is required');
  if (opts.backendPort === null) throw new UsageError('--backend-port is required');
  if (opts.backends.length === 0) throw new UsageError('--backends is empty');
  if (opts.scenarios.length === 0) throw new UsageError('at least one --target is required');
  for (const s of opts.scenarios) {
    if ((s.header === null) !== (s.keys.length === 0)) {
      throw new UsageError(`scenario ${s.name}: --header and --keys go together`);
    }
  }
  return opts;
}

let opts;
try {
  opts = parseArgs(process.argv.slice(2));
} catch (e) {
  if (!(e instanceof UsageError)) throw e;
  process.stdout.write(JSON.stringify({ ok: false, error: e.message, usage: USAGE }) + '\n');
  process.exit(2);
}

const results = [];
let finished = false;

function report(extra) {
  process.stdout.write(JSON.stringify({ ok: extra.ok, nodeId: opts.nodeId, ...extra, scenarios: results }) + '\n');
}

// Whatever hangs (an xDS resource that never arrives, a backend that never answers), the caller
// gets an answer within the limit.
setTimeout(() => {
  if (!finished) report({ ok: false, error: `timed out after ${opts.timeoutMs} ms` });
  process.exit(3);
}, opts.timeoutMs).unref();

// The bootstrap must be in place before grpc-js-xds is loaded and makes its xDS client.
process.env.GRPC_XDS_BOOTSTRAP_CONFIG = JSON.stringify({
  xds_servers: [{ server_uri: opts.xds, channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] }],
  node: {
    id: opts.nodeId,
    // grpc-js refuses a bootstrap whose node has no locality; an empty one will do.
    locality: opts.zone ? { zone: opts.zone } : {},
    metadata: { 'fairlead.io/role': 'proxyless' },
  },
});
delete process.env.GRPC_XDS_BOOTSTRAP;

const { default: grpc } = await import('@grpc/grpc-js');
const { default: protoLoader } = await import('@grpc/proto-loader');
const { default: grpcXds } = await import('@grpc/grpc-js-xds');
grpcXds.register();

let WhoAmI;

function loadService() {
  const protoPath = fileURLToPath(new URL('./whoami.proto', import.meta.url));
  const proto = grpc.loadPackageDefinition(protoLoader.loadSync(protoPath, { keepCase: true }));
  WhoAmI = proto.fairlead.e2e.WhoAmI;
}

function startBackend(ip) {
  const address = `${ip}:${opts.backendPort}`;
  const server = new grpc.Server();
  server.addService(WhoAmI.service, { Get: (_call, callback) => callback(null, { backend: address }) });
  return new Promise((resolve, reject) =>
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err) =>
      err ? reject(new Error(`backend ${address}: ${err.message}`)) : resolve(server)));
}

function call(client, metadata) {
  const deadline = new Date(Date.now() + opts.deadlineMs);
  return new Promise((resolve) =>
    client.Get({}, metadata, { deadline }, (err, reply) =>
      resolve(err ? { error: `${grpc.status[err.code] ?? err.code}: ${err.details}` } : { backend: reply.backend })));
}

function increment(map, key) {
  map[key] = (map[key] ?? 0) + 1;
}

async function runScenario(s, clients) {
  const client = new WhoAmI(s.target, grpc.credentials.createInsecure());
  clients.push(client);
  const result = {
    name: s.name,
    target: s.target,
    warmup: s.warmup,
    requests: 0,
    succeeded: 0,
    failed: 0,
    backends: {},
    keys: {},
    errors: {},
  };
  results.push(result);
  const record = (outcome, counted, key) => {
    if (outcome.error) {
      result.failed++;
      increment(result.errors, outcome.error);
      return;
    }
    if (!counted) return;
    result.succeeded++;
    increment(result.backends, outcome.backend);
    if (key !== null) increment((result.keys[key] ??= {}), outcome.backend);
  };
  // A scenario stops at its first failed RPC: that error tells what is wrong, and a config the
  // client rejected would otherwise cost a whole deadline per call.
  // Warm-up calls let every subchannel connect; only their failures are counted.
  for (let i = 0; i < s.warmup && result.failed === 0; i++) {
    record(await call(client, new grpc.Metadata()), false, null);
  }
  const keys = s.keys.length > 0 ? s.keys : [null];
  for (let i = 0; i < s.requests && result.failed === 0; i++) {
    for (const key of keys) {
      const metadata = new grpc.Metadata();
      if (key !== null) metadata.set(s.header, key);
      result.requests++;
      record(await call(client, metadata), true, key);
      if (result.failed > 0) break;
    }
  }
}

const servers = [];
const clients = [];
let ok = false;
try {
  loadService();
  for (const ip of opts.backends) servers.push(await startBackend(ip));
  for (const s of opts.scenarios) await runScenario(s, clients);
  ok = results.every((r) => r.failed === 0 && r.succeeded > 0);
  report({ ok });
} catch (e) {
  report({ ok: false, error: String(e?.message ?? e) });
}
finished = true;

if (opts.hold) {
  await new Promise((resolve) => {
    process.stdin.on('end', resolve);
    process.stdin.on('close', resolve);
    process.stdin.resume();
  });
}
for (const c of clients) c.close();
for (const s of servers) s.forceShutdown();
process.exit(ok ? 0 : 1);
