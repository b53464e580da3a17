import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readRpcEndpoints } from '../../../lib/chia-rpc/chia-config.js';
import { exactRatio, parseChiaJson } from '../../../lib/chia-rpc/chia-json.js';
import { ChiaRpc } from '../../../lib/chia-rpc/rpc-client.js';
import { PACKAGE_ROOT } from '../../../lib/config/home.js';
import { fixtureAnswer, startFakeChiaService, type FakeChiaService } from '../../helpers/chia-rpc-server.js';
import { makeCa, makeChiaSsl, signNodeCert, writeChiaConfig, type PemPair } from '../../helpers/chia-ssl.js';

const FIXTURES = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'chia-rpc');
const STATE = 'full_node_get_blockchain_state_v1.7-docs_mainnet-synced-h3326213.json';

describe('chia JSON numbers', () => {
  it('keeps integers beyond 2^53 exact and the rest as JSON.parse reads them', () => {
    const state = parseChiaJson(fs.readFileSync(path.join(FIXTURES, STATE), 'utf8')) as {
      blockchain_state: { space: unknown; difficulty: unknown };
    };
    assert.equal(state.blockchain_state.space, 25193321725003644928n);
    assert.equal(state.blockchain_state.difficulty, 1976);
    assert.deepEqual(
      parseChiaJson(
        '{"a": 9007199254740993, "b": 9007199254740991, "c": 1677653735.9421551, "d": -18446744073709551617}',
      ),
      { a: 9007199254740993n, b: 9007199254740991, c: 1677653735.9421551, d: -18446744073709551617n },
    );
  });

  it('reads every fixture as JSON.parse does where no number is long, and fails on what is not JSON', () => {
    for (const file of fs.readdirSync(FIXTURES).filter((name) => name.endsWith('.json'))) {
      const text = fs.readFileSync(path.join(FIXTURES, file), 'utf8');
      if (file === STATE || file.includes('blockchain_state')) continue; // netspace: the exact path, above
      assert.deepEqual(parseChiaJson(text), JSON.parse(text), file);
    }
    assert.deepEqual(parseChiaJson('{"name": "plot-1234567890123456789.plot", "n": [1, 2]}'), {
      name: 'plot-1234567890123456789.plot',
      n: [1, 2],
    });
    assert.deepEqual(parseChiaJson('[12345678901234567, -1234567890123456]'), [12345678901234567n, -1234567890123456]);
    assert.throws(() => parseChiaJson('500 Internal Server Error'));
    assert.throws(() => parseChiaJson('{"space": 12345678901234567890'));
  });

  it('divides exactly before rounding to a double', () => {
    // the double nearest 9007.199254740993 (a literal would trip the lint's precision check)
    const nearest = Number('9007.199254740993');
    assert.equal(exactRatio(9007199254740993n, 10n ** 12n), nearest);
    assert.notEqual(Number(9007199254740993n) / 1e12, nearest, 'the double division loses the last digit');
    assert.equal(exactRatio(25193321725003644928n, 2n ** 50n), 22376.16467671057);
    assert.equal(exactRatio(-5n, 2n), -2.5);
    assert.equal(
      exactRatio(674281385n, 25193321725003644928n),
      674281385 / 25193321725003644928,
      'a tiny ratio keeps its digits',
    );
  });
});

describe('config.yaml', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'chia-config-'));
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it("reads self_hostname through its anchor and each service's rpc_port; overrides win", () => {
    writeChiaConfig(root, 'localhost', { full_node: 18555, farmer: 18559 });
    assert.deepEqual(readRpcEndpoints(root), {
      host: 'localhost',
      problem: null,
      ports: { full_node: 18555, farmer: 18559, harvester: 8560, wallet: 9256 },
    });
    assert.deepEqual(readRpcEndpoints(root, { host: '10.0.0.2', ports: { wallet: 1 } }).ports.wallet, 1);
    assert.equal(readRpcEndpoints(root, { host: '10.0.0.2' }).host, '10.0.0.2');
  });

  it("says why it uses chia's defaults when config.yaml is missing or not YAML", () => {
    const missing = path.join(root, 'nowhere');
    assert.deepEqual(readRpcEndpoints(missing), {
      host: 'localhost',
      ports: { full_node: 8555, farmer: 8559, harvester: 8560, wallet: 9256 },
      problem: `${path.join(missing, 'config', 'config.yaml')}: ENOENT; using chia's default host and ports`,
    });
    fs.writeFileSync(path.join(root, 'config', 'config.yaml'), 'just text');
    assert.match(readRpcEndpoints(root).problem ?? '', /is not a YAML mapping; using chia's default host and ports$/);
  });
});

describe("config.yaml's host and ports kept in a cache file between runs", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'chia-config-cache-'));
  const cache = path.join(root, 'logs', 'chia-endpoints.json');
  const configFile = path.join(root, 'config', 'config.yaml');
  fs.mkdirSync(path.dirname(cache));
  after(() => fs.rmSync(root, { recursive: true, force: true }));
  const readCache = () => JSON.parse(fs.readFileSync(cache, 'utf8')) as { file: string; endpoints: object };
  const tamperedFarmerPort = (port: number) => {
    const written = JSON.parse(fs.readFileSync(cache, 'utf8')) as { endpoints: { ports: Record<string, number> } };
    written.endpoints.ports.farmer = port;
    fs.writeFileSync(cache, JSON.stringify(written));
  };

  it('keeps what config.yaml gave and answers from the cache while the text is the same; overrides still win', () => {
    writeChiaConfig(root, 'node.lan', { full_node: 18555, farmer: 18559 });
    assert.deepEqual(readRpcEndpoints(root, {}, cache).ports.farmer, 18559);
    assert.deepEqual(readCache(), {
      ...readCache(),
      file: configFile,
      endpoints: { host: 'node.lan', ports: { full_node: 18555, farmer: 18559 } },
    });
    // a port only the cache holds: the answer comes from it, not from config.yaml
    tamperedFarmerPort(28559);
    assert.deepEqual(readRpcEndpoints(root, {}, cache), {
      host: 'node.lan',
      problem: null,
      ports: { full_node: 18555, farmer: 28559, harvester: 8560, wallet: 9256 },
    });
    assert.equal(readRpcEndpoints(root, { ports: { farmer: 1 } }, cache).ports.farmer, 1);
  });

  it('reads config.yaml again once its text changed, even at the same size and time, and keeps the new values', () => {
    writeChiaConfig(root, 'node.lan', { full_node: 18555, farmer: 18559 });
    readRpcEndpoints(root, {}, cache);
    tamperedFarmerPort(28559);
    const { mtime } = fs.statSync(configFile);
    writeChiaConfig(root, 'node.lan', { full_node: 18555, farmer: 38559 });
    fs.utimesSync(configFile, mtime, mtime);
    assert.equal(readRpcEndpoints(root, {}, cache).ports.farmer, 38559);
    assert.deepEqual(readCache().endpoints, { host: 'node.lan', ports: { full_node: 18555, farmer: 38559 } });
  });

  it('makes the cache again when it is not JSON, not its shape, or holds a port out of range', () => {
    writeChiaConfig(root, 'node.lan', { farmer: 18559 });
    for (const broken of [
      '{',
      '[]',
      JSON.stringify({ file: configFile, key: 'x', endpoints: { ports: { farmer: 0 } } }),
    ]) {
      fs.writeFileSync(cache, broken);
      assert.equal(readRpcEndpoints(root, {}, cache).ports.farmer, 18559, broken);
      assert.deepEqual(readCache().endpoints, { host: 'node.lan', ports: { farmer: 18559 } }, broken);
    }
  });

  it('writes no cache for a config.yaml that is not YAML, and a cache it cannot write costs nothing', () => {
    fs.rmSync(cache, { force: true });
    fs.writeFileSync(configFile, 'just text');
    assert.match(
      readRpcEndpoints(root, {}, cache).problem ?? '',
      /is not a YAML mapping; using chia's default host and ports$/,
    );
    assert.equal(fs.existsSync(cache), false);
    writeChiaConfig(root, 'node.lan', { farmer: 18559 });
    const noFolder = path.join(root, 'no-such-folder', 'chia-endpoints.json');
    assert.equal(readRpcEndpoints(root, {}, noFolder).ports.farmer, 18559);
  });
});

describe("ChiaRpc against a TLS 1.3 server that wants chia's client certificate", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'chia-rpc-'));
  const chiaRoot = path.join(root, 'mainnet');
  let ssl: { ca: PemPair; daemon: PemPair };
  let node: FakeChiaService;
  const clients: ChiaRpc[] = [];
  const client = (timeoutMs = 5000, root = chiaRoot) => {
    const rpc = new ChiaRpc({ chiaRoot: root, timeoutMs });
    clients.push(rpc);
    return rpc;
  };

  before(async () => {
    ssl = makeChiaSsl(chiaRoot, ['full_node']);
    node = await startFakeChiaService({ ca: ssl.ca, server: ssl.daemon, lifetimeMs: 60_000 });
    writeChiaConfig(chiaRoot, '127.0.0.1', { full_node: node.port });
  });
  after(async () => {
    clients.forEach((rpc) => rpc.close());
    await node.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('POSTs {} and reads the real answer with netspace exact', async () => {
    node.answers.set('get_blockchain_state', fixtureAnswer(FIXTURES, STATE));
    const result = await client().call('full_node', 'get_blockchain_state');
    assert.ok(result.ok, result.ok ? '' : result.problem);
    assert.equal((result.data.blockchain_state as { space: bigint }).space, 25193321725003644928n);
    assert.equal(node.requests.at(-1), 'get_blockchain_state {}');
  });

  it('gives success: false, an HTTP 500 page and an empty error back as data naming service and port', async () => {
    const where = `full_node RPC at 127.0.0.1:${node.port}`;
    node.answers.set(
      'get_wallet_balance',
      fixtureAnswer(FIXTURES, 'wallet_get_wallet_balance_v1.1-issue2989_error-keyerror-wallet-id-0.json'),
    );
    node.answers.set(
      'get_network_info',
      fixtureAnswer(FIXTURES, 'wallet_get_wallet_balance_v1.1-pool-reference-issue20_error-empty-string.json'),
    );
    node.answers.set(
      'get_blockchain_state',
      fixtureAnswer(FIXTURES, 'full_node_get_blockchain_state_v1.1-issue2536_http500-plain-text-not-json.txt', {
        status: 500,
      }),
    );
    const rpc = client();
    assert.deepEqual(await rpc.call('full_node', 'get_wallet_balance', { wallet_id: 0 }), {
      ok: false,
      reached: true,
      problem: `${where}: get_wallet_balance failed: "0"`,
    });
    assert.equal(node.requests.at(-1), 'get_wallet_balance {"wallet_id":0}');
    assert.deepEqual(await rpc.call('full_node', 'get_network_info'), {
      ok: false,
      reached: true,
      problem: `${where}: get_network_info failed: (chia gave no error text)`,
    });
    assert.deepEqual(await rpc.call('full_node', 'get_blockchain_state'), {
      ok: false,
      reached: true,
      problem: `${where}: get_blockchain_state answered HTTP 500: "500 Internal Server Error Server got itself in trouble"`,
    });
  });

  it('takes `{"success": true}` without the data its readers need as a failed answer, naming what is missing', async () => {
    const where = `full_node RPC at 127.0.0.1:${node.port}`;
    node.answers.set('get_blockchain_state', { text: '{"success": true}' });
    assert.deepEqual(await client().call('full_node', 'get_blockchain_state'), {
      ok: false,
      reached: true,
      problem: `${where}: get_blockchain_state answered success without its blockchain_state: "{\\"success\\": true}"`,
    });
  });

  it('reads no answer larger than its limit: it stops reading and says so', async () => {
    const where = `full_node RPC at 127.0.0.1:${node.port}`;
    const big = fs
      .readFileSync(path.join(FIXTURES, STATE), 'utf8')
      .replace('{', `{"padding": "${'x'.repeat(300_000)}",`);
    node.answers.set('get_blockchain_state', { text: big });
    const rpc = new ChiaRpc({ chiaRoot, timeoutMs: 5000, maxAnswerBytes: 100_000 });
    clients.push(rpc);
    assert.deepEqual(await rpc.call('full_node', 'get_blockchain_state'), {
      ok: false,
      reached: true,
      problem: `${where}: get_blockchain_state answered more than 100000 bytes; not read (no chia answer is that large)`,
    });
    // the same answer within the limit is read whole
    assert.equal((await client().call('full_node', 'get_blockchain_state')).ok, true);
  });

  it('gives up after the timeout, without retrying', async () => {
    node.answers.set('get_blockchain_state', fixtureAnswer(FIXTURES, STATE, { delayMs: 5000 }));
    const before = node.requests.length;
    const result = await client(300).call('full_node', 'get_blockchain_state');
    assert.deepEqual(result, {
      ok: false,
      reached: false,
      problem: `full_node RPC at 127.0.0.1:${node.port}: no answer to get_blockchain_state within 300 ms`,
    });
    assert.equal(node.requests.length, before + 1, 'one request, no retry');
  });

  it('is refused with a client certificate from another CA, and says so', async () => {
    const otherRoot = path.join(root, 'other');
    const otherCa = makeCa(path.join(root, 'other-ca'), 'Someone Else CA');
    const ssl2 = path.join(otherRoot, 'config', 'ssl');
    signNodeCert(
      otherCa,
      path.join(ssl2, 'full_node', 'private_full_node.crt'),
      path.join(ssl2, 'full_node', 'private_full_node.key'),
    );
    fs.mkdirSync(path.join(ssl2, 'ca'), { recursive: true });
    fs.copyFileSync(ssl.ca.cert, path.join(ssl2, 'ca', 'private_ca.crt')); // trusts the server, but is not trusted by it
    writeChiaConfig(otherRoot, '127.0.0.1', { full_node: node.port });
    node.answers.set('get_blockchain_state', fixtureAnswer(FIXTURES, STATE));
    const refusedBefore = node.refusedHandshakes;
    const requestsBefore = node.requests.length;
    const result = await client(5000, otherRoot).call('full_node', 'get_blockchain_state');
    assert.equal(result.ok, false);
    assert.ok(!result.ok);
    assert.equal(result.reached, false);
    // TLS 1.3: the refusal comes after our request left, as an alert or a reset, whichever is read first
    const where = `full_node RPC at 127.0.0.1:${node.port}`;
    const asAlert = `${where}: the service refused our client certificate (ERR_SSL_TLSV1_ALERT_UNKNOWN_CA): it is not signed by the CA this service trusts`;
    const asReset =
      `${where}: the service closed the connection without an answer (ECONNRESET): a chia service does that when it does not trust ` +
      `our client certificate ${path.join(ssl2, 'full_node', 'private_full_node.crt')} (not signed by its private CA), or while it stops`;
    assert.ok([asAlert, asReset].includes(result.problem), result.problem);
    assert.equal(node.requests.length, requestsBefore, 'the request never reached the handler');
    assert.equal(node.refusedHandshakes, refusedBefore + 1);
  });

  it("refuses a server whose certificate is not from chia's private CA", async () => {
    const strangerCa = makeCa(path.join(root, 'stranger-ca'), 'Stranger CA');
    const stranger = signNodeCert(
      strangerCa,
      path.join(root, 'stranger', 'server.crt'),
      path.join(root, 'stranger', 'server.key'),
    );
    // trusts our CA for clients, presents a certificate ours does not know
    const impostor = await startFakeChiaService({ ca: ssl.ca, server: stranger, lifetimeMs: 30_000 });
    try {
      const rpc = new ChiaRpc({ chiaRoot, timeoutMs: 5000, ports: { full_node: impostor.port } });
      clients.push(rpc);
      const result = await rpc.call('full_node', 'get_blockchain_state');
      assert.ok(!result.ok);
      assert.match(
        result.problem,
        /: the service's certificate is not signed by config\/ssl\/ca\/private_ca\.crt \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)/,
      );
      assert.deepEqual(impostor.requests, []);
    } finally {
      await impostor.close();
    }
  });

  it('says which file is missing, and that nothing answers on a closed port', async () => {
    const result = await client(2000, path.join(root, 'empty')).call('farmer', 'get_pool_state');
    assert.deepEqual(result, {
      ok: false,
      reached: false,
      problem: `farmer RPC at localhost:8559: cannot read ${path.join(root, 'empty', 'config', 'ssl', 'ca', 'private_ca.crt')} (ENOENT)`,
    });
    const closed = await startFakeChiaService({ ca: ssl.ca, server: ssl.daemon });
    const port = closed.port;
    await closed.close();
    const down = await new ChiaRpc({ chiaRoot, timeoutMs: 2000, ports: { full_node: port } }).call(
      'full_node',
      'get_blockchain_state',
    );
    assert.deepEqual(down, {
      ok: false,
      reached: false,
      problem: `full_node RPC at 127.0.0.1:${port}: connection refused (is the service running, and is this its rpc_port?)`,
    });
  });
});
