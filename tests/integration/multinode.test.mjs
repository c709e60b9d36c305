// Two sidecars, two upstreams (official server-everything), one Redis, all
// on loopback; the official SDK client sends each HTTP request of ONE
// session to the other node in strict alternation, with no stickiness.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

import { join } from "node:path";

import { ProcessGroup, startSidecar, startUpstream, integrationDir, loopbackPreload } from "./support/processes.mjs";
import { freePort } from "./support/ports.mjs";
import { waitFor } from "./support/wait.mjs";
import { startRedis } from "./support/redis.mjs";
import { post } from "./support/mcp.mjs";
import { AdminClient } from "./support/admin.mjs";

const FINGERPRINT_KEY = "multinode-test-fingerprint-key";
const TOKEN = "Bearer multinode-secret";
const group = new ProcessGroup("multinode");
let redis;
const nodes = [];

async function startNode(label, { upstream, set = [] } = {}) {
  upstream ??= await startUpstream(group, { label: `${label}-upstream` });
  const sidecar = await startSidecar(group, {
    upstreamUrl: upstream.url, label,
    set: ["store.kind=redis", `store.redis.url=${redis.url}`, `session.fingerprint_key=${FINGERPRINT_KEY}`, ...set],
  });
  return { label, upstream, sidecar, admin: new AdminClient(sidecar.adminUrl) };
}

// A fetch that sends every request to the next node in turn.
function alternatingFetch(targets) {
  let next = 0;
  const log = [];
  const fn = (url, init) => {
    const target = targets[next++ % targets.length];
    const u = new URL(url);
    const rewritten = new URL(u.pathname + u.search, target.sidecar.base);
    log.push({ node: target.label, method: init?.method ?? "GET" });
    return fetch(rewritten, init);
  };
  fn.log = log;
  return fn;
}

async function connect(targets, { headers = { authorization: TOKEN } } = {}) {
  const fetchFn = alternatingFetch(targets);
  const transport = new StreamableHTTPClientTransport(new URL(targets[0].sidecar.url),
                                                      { fetch: fetchFn, requestInit: { headers } });
  const client = new Client({ name: "multinode-it", version: "1.0.0" },
                            { capabilities: { sampling: {}, elicitation: { form: {} } } });
  await client.connect(transport);
  return { client, transport, fetchFn };
}

async function metric(node, pattern) {
  const text = await (await fetch(`${node.sidecar.adminUrl}/metrics`)).text();
  const m = new RegExp(`^${pattern} (\\d+)$`, "m").exec(text);
  return m ? Number(m[1]) : 0;
}

before(async () => {
  redis = await startRedis(group);
  nodes.push(await startNode("node-a"), await startNode("node-b"));
});
after(() => group.finish());

test("one session, every request on the other node: the whole SDK scenario works", group.guard(async () => {
  const { client, transport, fetchFn } = await connect(nodes);
  const sessionId = transport.sessionId;
  assert.ok(sessionId);

  const tools = (await client.listTools()).tools.map((t) => t.name);
  for (const name of ["echo", "trigger-long-running-operation", "trigger-sampling-request"]) {
    assert.ok(tools.includes(name), `${name} listed on a rehydrated copy`);
  }
  const echo = await client.callTool({ name: "echo", arguments: { message: "across nodes" } });
  assert.equal(echo.content[0].text, "Echo: across nodes");
  const resources = await client.listResources();
  assert.ok(resources.resources.length > 0);
  const read = await client.readResource({ uri: resources.resources[0].uri });
  assert.ok(read.contents.length > 0);
  const prompts = await client.listPrompts();
  assert.ok(prompts.prompts.some((p) => p.name === "simple-prompt"));
  const prompt = await client.getPrompt({ name: "simple-prompt" });
  assert.ok(prompt.messages.length > 0);

  const progress = [];
  const lro = await client.callTool({ name: "trigger-long-running-operation", arguments: { duration: 1, steps: 3 } },
                                    undefined, { onprogress: (p) => progress.push(p.progress) });
  assert.match(lro.content[0].text, /Long running operation completed/);
  assert.deepEqual(progress, [1, 2, 3]);

  const used = new Set(fetchFn.log.filter((r) => r.method === "POST").map((r) => r.node));
  assert.deepEqual([...used].sort(), ["node-a", "node-b"], "both nodes served POSTs of this session");
  assert.ok(await metric(nodes[1], 'sidecar_rehydrations_total\\{result="ok"\\}') >= 1, "node-b rehydrated");

  // Both nodes admitted requests from records their own writes vouched for
  // (no Redis read): the 404s below prove the close reached them anyway.
  for (const node of nodes) {
    assert.ok(await metric(node, "sidecar_store_vouched_lookups_total") > 0, `${node.label} vouched`);
  }
  await transport.terminateSession();
  for (const node of nodes) {
    const res = await post(node.sidecar.url, { jsonrpc: "2.0", id: 9, method: "tools/list" },
                           { sessionId, protocolVersion: "2025-11-25", extra: { authorization: TOKEN } });
    assert.equal(res.status, 404, `${node.label} answers 404 after DELETE`);
    assert.equal(res.json?.error?.code, -32001);
  }
  const record = await nodes[0].admin.session(sessionId);
  assert.equal(record.state, "CLOSED");
  await client.close();
}));

test("another credential on the other node gets 404, as if the session did not exist", group.guard(async () => {
  const { client, transport } = await connect([nodes[0]]);
  const res = await post(nodes[1].sidecar.url, { jsonrpc: "2.0", id: 3, method: "tools/list" },
                         { sessionId: transport.sessionId, protocolVersion: "2025-11-25",
                           extra: { authorization: "Bearer someone-else" } });
  assert.equal(res.status, 404);
  const ok = await post(nodes[1].sidecar.url, { jsonrpc: "2.0", id: 4, method: "tools/list" },
                        { sessionId: transport.sessionId, protocolVersion: "2025-11-25",
                          extra: { authorization: TOKEN } });
  assert.equal(ok.status, 200, "the owner's credential still works there");
  await client.close();
}));

test("unknown and never-issued ids get 404 from every node", group.guard(async () => {
  for (const node of nodes) {
    const res = await post(node.sidecar.url, { jsonrpc: "2.0", id: 5, method: "tools/list" },
                           { sessionId: "never-issued-0000", protocolVersion: "2025-11-25" });
    assert.equal(res.status, 404);
    assert.equal(res.json?.id, 5);
  }
}));

test("20 concurrent first requests on a fresh node: one rehydration, all succeed", group.guard(async () => {
  const { client, transport } = await connect([nodes[0]]);
  const fresh = await startNode("node-c");
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) =>
    post(fresh.sidecar.url, { jsonrpc: "2.0", id: 100 + i, method: "tools/call",
                              params: { name: "echo", arguments: { message: `n${i}` } } },
         { sessionId: transport.sessionId, protocolVersion: "2025-11-25", extra: { authorization: TOKEN } })));
  results.forEach((r, i) => {
    assert.equal(r.status, 200, `request ${i}`);
    const answer = r.messages.find((m) => m.id === 100 + i);
    assert.equal(answer?.result?.content?.[0]?.text, `Echo: n${i}`);
  });
  assert.equal(await metric(fresh, 'sidecar_rehydrations_total\\{result="ok"\\}'), 1);
  assert.equal(await metric(fresh, "sidecar_rehydration_waiters_total"), 19);
  // rehydration_done reports its time and the upstream's share of it.
  const done = /event=rehydration_done .*duration_us=(\d+) upstream_us=(\d+) initialize_us=(\d+)/
    .exec(group.log(fresh.sidecar.proc));
  assert.ok(done, "rehydration_done logged with its timings");
  const [duration, upstream, initialize] = done.slice(1).map(Number);
  assert.ok(initialize > 0 && initialize <= upstream && upstream <= duration,
            `0 < initialize ${initialize} <= upstream ${upstream} <= duration ${duration}`);
  assert.ok(duration < 5_000_000, `duration ${duration} us`);
  await client.close();
}));

test("kill -9 of the node that created the session: the other node carries on", group.guard(async () => {
  const victim = await startNode("node-d");
  const { client, transport } = await connect([victim]);
  await client.callTool({ name: "echo", arguments: { message: "before" } });
  await group.stop(victim.sidecar.proc, { signal: "SIGKILL" });
  const res = await post(nodes[1].sidecar.url, { jsonrpc: "2.0", id: 7, method: "tools/call",
                                                 params: { name: "echo", arguments: { message: "after" } } },
                         { sessionId: transport.sessionId, protocolVersion: "2025-11-25",
                           extra: { authorization: TOKEN } });
  assert.equal(res.status, 200);
  assert.equal(res.messages.find((m) => m.id === 7)?.result?.content?.[0]?.text, "Echo: after");
  await client.close().catch(() => {});
}));

function callEcho(node, sessionId, id, message) {
  return post(node.sidecar.url, { jsonrpc: "2.0", id, method: "tools/call",
                                  params: { name: "echo", arguments: { message } } },
              { sessionId, protocolVersion: "2025-11-25", extra: { authorization: TOKEN } });
}

test("a sidecar restarted mid-session serves the session again by rehydration", group.guard(async () => {
  const { client, transport } = await connect([nodes[0]]);
  const node = await startNode("node-e");
  assert.equal((await callEcho(node, transport.sessionId, 1, "first")).status, 200);
  await group.stop(node.sidecar.proc);
  const restarted = await startNode("node-e2", { upstream: node.upstream });
  const res = await callEcho(restarted, transport.sessionId, 2, "after restart");
  assert.equal(res.status, 200);
  assert.equal(res.messages.find((m) => m.id === 2)?.result?.content?.[0]?.text, "Echo: after restart");
  await client.close();
}));

test("an upstream with other capabilities fails rehydration cleanly with 404", group.guard(async () => {
  const { client, transport } = await connect([nodes[0]]);
  const port = await freePort();
  group.spawn("minimal-upstream", process.execPath,
              ["--require", loopbackPreload, join(integrationDir, "support", "minimal_mcp_server.mjs")],
              { env: { PORT: String(port) } });
  await waitFor(() => fetch(`http://127.0.0.1:${port}/mcp`).then(() => true), { timeoutMs: 10_000, what: "minimal" });
  const odd = await startNode("node-odd", { upstream: { url: `http://127.0.0.1:${port}/mcp` } });
  const res = await callEcho(odd, transport.sessionId, 3, "x");
  assert.equal(res.status, 404, "the client is told to re-initialize");
  assert.equal(res.json?.error?.code, -32001);
  assert.equal(await metric(odd, 'sidecar_rehydrations_total\\{result="mismatch"\\}'), 1);
  // The session itself is untouched and still works where it can.
  assert.equal((await callEcho(nodes[0], transport.sessionId, 4, "still fine")).status, 200);
  await client.close();
}));

test("copies beyond rehydration.max_upstream_sessions are released upstream, then rehydrated again", group.guard(async () => {
  const one = await connect([nodes[0]]);
  const two = await connect([nodes[0]]);
  const small = await startNode("node-small", { set: ["rehydration.max_upstream_sessions=1"] });
  assert.equal((await callEcho(small, one.transport.sessionId, 5, "a")).status, 200);
  assert.equal((await callEcho(small, two.transport.sessionId, 6, "b")).status, 200);
  assert.equal(await metric(small, "sidecar_upstream_sessions_released_total"), 1);
  assert.equal((await callEcho(small, one.transport.sessionId, 7, "a again")).status, 200);
  assert.equal(await metric(small, 'sidecar_rehydrations_total\\{result="ok"\\}'), 3);
  await one.client.close();
  await two.client.close();
}));
