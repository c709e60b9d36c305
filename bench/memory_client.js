#!/usr/bin/env node
// bench/memory_client.js: the MCP client bench/memory.sh drives (node >= 18,
// no npm packages). Loopback only; every phase is bounded by a deadline.
//
//   node memory_client.js sessions URL N PARALLEL
//       N x (initialize + notifications/initialized) through URL, PARALLEL at
//       a time on keep-alive connections. Prints
//       SESSIONS ok=N failed=F seconds=S sid=<one session id> init_result_bytes=B
//   node memory_client.js streams URL N READY_FILE HOLD_S
//       N clients, each a session of its own (2025-11-25, so the sidecar
//       primes its streams) with its standalone GET stream open (one TCP
//       connection each, 64 clients starting at a time; a session has one
//       standalone stream: the sidecar ends older ones), waits until every
//       stream got its response headers and its priming event, writes
//       "READY opened=N failed=F" to READY_FILE and holds the streams open
//       until SIGTERM or HOLD_S seconds.
//   node memory_client.js rehydrate URL_A URL_B UPSTREAM_B_URL N
//       per round: a session is created on node A; then, on node B, the first
//       tools/call for it (B rehydrates), the same call repeated (B mapped,
//       median of 3), and a direct initialize to B's upstream. Prints
//       REHYDRATE rounds=N first_p50_us=.. first_p99_us=.. mapped_p50_us=..
//       mapped_p99_us=.. upinit_p50_us=.. upinit_p99_us=.. extra_p50_us=.. extra_p99_us=..
//       (first - mapped, per round) overhead_p50_us=..
//       overhead_p99_us=.. failed=F

'use strict';
const http = require('http');
const fs = require('fs');

const PROTOCOL = '2025-06-18';
// Streams are measured on sessions that get priming events.
const STREAM_PROTOCOL = '2025-11-25';
const INIT = (id, protocol = PROTOCOL) => JSON.stringify({
  jsonrpc: '2.0', id, method: 'initialize',
  params: { protocolVersion: protocol, capabilities: {}, clientInfo: { name: 'bench-memory', version: '1.0.0' } },
});
const INITIALIZED = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' });
const CALL = (id) => JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo', arguments: { text: 'hi' } } });

function die(msg) { process.stderr.write(`memory_client: ${msg}\n`); process.exit(1); }

function post(agent, url, body, sid, timeoutMs = 10000, protocol = PROTOCOL) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const headers = {
      'Content-Type': 'application/json',
      'Accept': 'application/json, text/event-stream',
      'Content-Length': Buffer.byteLength(body),
      'MCP-Protocol-Version': protocol,
    };
    if (sid) headers['Mcp-Session-Id'] = sid;
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, sid: res.headers['mcp-session-id'], body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

async function createSession(agent, url, id, protocol = PROTOCOL) {
  const r = await post(agent, url, INIT(id, protocol), undefined, 10000, protocol);
  if (r.status !== 200 || !r.sid) throw new Error(`initialize: status ${r.status}`);
  const n = await post(agent, url, INITIALIZED, r.sid, 10000, protocol);
  if (n.status !== 202) throw new Error(`notifications/initialized: status ${n.status}`);
  return r;
}

function initResultBytes(body) {
  // The InitializeResult ("result" member) as the upstream sent it; SSE or JSON.
  let text = body;
  const m = /^data: (.*)$/m.exec(body);
  if (m && !body.trimStart().startsWith('{')) text = m[1];
  try { return Buffer.byteLength(JSON.stringify(JSON.parse(text).result)); } catch { return -1; }
}

async function sessions(url, n, parallel) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: parallel });
  const t0 = process.hrtime.bigint();
  let next = 0, ok = 0, failed = 0, sid = '', initBytes = -1;
  async function worker() {
    while (next < n) {
      const i = next++;
      try {
        const r = await createSession(agent, url, i + 1);
        ok++;
        if (!sid) { sid = r.sid; initBytes = initResultBytes(r.body); }
      } catch (e) {
        if (++failed <= 3) process.stderr.write(`session ${i}: ${e.message}\n`);
      }
    }
  }
  await Promise.all(Array.from({ length: parallel }, worker));
  agent.destroy();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`SESSIONS ok=${ok} failed=${failed} seconds=${s.toFixed(2)} sid=${sid} init_result_bytes=${initBytes}`);
  process.exit(failed ? 1 : 0);
}

function streams(url, n, readyFile, holdS) {
  const u = new URL(url);
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const posts = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const reqs = [];
  let started = 0, inflight = 0, opened = 0, failed = 0, done = false;
  const deadline = setTimeout(() => finish('deadline'), holdS * 1000);
  function finish(why) {
    if (done) return;
    done = true;
    clearTimeout(deadline);
    for (const r of reqs) r.destroy();
    posts.destroy();
    process.stderr.write(`memory_client streams: closing (${why}) opened=${opened} failed=${failed}\n`);
    setTimeout(() => process.exit(0), 200);
  }
  process.on('SIGTERM', () => finish('SIGTERM'));
  process.on('SIGINT', () => finish('SIGINT'));
  function settled(good) {
    inflight--;
    if (good) opened++; else failed++;
    if (opened + failed === n) {
      fs.writeFileSync(readyFile, `READY opened=${opened} failed=${failed}\n`);
    } else {
      pump();
    }
  }
  async function openOne() {
    started++; inflight++;
    let counted = false;
    const once = (good) => { if (!counted) { counted = true; settled(good); } };
    let sid;
    try {
      sid = (await createSession(posts, url, started, STREAM_PROTOCOL)).sid;
    } catch (e) {
      if (failed < 3) process.stderr.write(`session: ${e.message}\n`);
      once(false);
      return;
    }
    if (done) return;
    const req = http.request({
      host: u.hostname, port: u.port, path: u.pathname, method: 'GET', agent,
      headers: { 'Accept': 'text/event-stream', 'Mcp-Session-Id': sid, 'MCP-Protocol-Version': STREAM_PROTOCOL },
    }, (res) => {
      if (res.statusCode !== 200) { once(false); res.resume(); return; }
      res.on('data', () => once(true));  // the priming event arrived
      res.on('error', () => {});
      res.on('close', () => { if (!done && counted) process.stderr.write('a stream closed early\n'); });
    });
    req.on('error', (e) => { if (!done) { if (failed < 3) process.stderr.write(`stream: ${e.message}\n`); once(false); } });
    req.end();
    reqs.push(req);
  }
  function pump() {
    while (!done && started < n && inflight < 64) openOne();
  }
  pump();
}

function pct(a, p) {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
}

async function timed(fn) {
  const t0 = process.hrtime.bigint();
  const r = await fn();
  return [Number(process.hrtime.bigint() - t0) / 1000, r];
}

async function rehydrate(urlA, urlB, upB, n) {
  const agentA = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const agentB = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const agentU = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const first = [], mapped = [], upinit = [], overhead = [], extra = [];
  let failed = 0, id = 1;
  // Warm the keep-alive connections (and node's JIT) first.
  for (let i = 0; i < 20; i++) {
    const w = await createSession(agentB, urlB, id++);
    await post(agentB, urlB, CALL(id++), w.sid);
    await post(agentU, upB, INIT(id++));
  }
  for (let i = 0; i < n; i++) {
    try {
      const s = await createSession(agentA, urlA, id++);
      const [f, r1] = await timed(() => post(agentB, urlB, CALL(id++), s.sid));
      if (r1.status !== 200) throw new Error(`first call on B: status ${r1.status} ${r1.body.slice(0, 120)}`);
      const m = [];
      for (let k = 0; k < 3; k++) {
        const [t, r2] = await timed(() => post(agentB, urlB, CALL(id++), s.sid));
        if (r2.status !== 200) throw new Error(`mapped call on B: status ${r2.status}`);
        m.push(t);
      }
      const [u, r3] = await timed(() => post(agentU, upB, INIT(id++)));
      if (r3.status !== 200) throw new Error(`direct initialize: status ${r3.status}`);
      const mm = pct(m, 0.5);
      first.push(f); mapped.push(mm); upinit.push(u); overhead.push(f - mm - u); extra.push(f - mm);
    } catch (e) {
      if (++failed <= 3) process.stderr.write(`round ${i}: ${e.message}\n`);
    }
  }
  for (const a of [agentA, agentB, agentU]) a.destroy();
  const f = (a, p) => (a.length ? pct(a, p).toFixed(0) : 'nan');
  console.log(`REHYDRATE rounds=${first.length} first_p50_us=${f(first, 0.5)} first_p99_us=${f(first, 0.99)} ` +
    `mapped_p50_us=${f(mapped, 0.5)} mapped_p99_us=${f(mapped, 0.99)} upinit_p50_us=${f(upinit, 0.5)} ` +
    `upinit_p99_us=${f(upinit, 0.99)} extra_p50_us=${f(extra, 0.5)} extra_p99_us=${f(extra, 0.99)} overhead_p50_us=${f(overhead, 0.5)} overhead_p99_us=${f(overhead, 0.99)} failed=${failed}`);
  process.exit(failed ? 1 : 0);
}

const [cmd, ...a] = process.argv.slice(2);
const guard = setTimeout(() => die('hard time limit (300 s) reached'), 300000);
guard.unref();
if (cmd === 'sessions') sessions(a[0], +a[1], +(a[2] || 4)).catch((e) => die(e.message));
else if (cmd === 'streams') streams(a[0], +a[1], a[2], +(a[3] || 120));
else if (cmd === 'rehydrate') rehydrate(a[0], a[1], a[2], +a[3]).catch((e) => die(e.message));
else die('usage: memory_client.js sessions|streams|rehydrate ...');
