// Messages that must find the right node: two sidecars, each with its own
// server-everything, one Redis. What a node's upstream copy sends on its own
// GET stream reaches the client's standalone stream on the other node; the
// client's answer to a server request, POSTed to any node, reaches the copy
// that asked (ids rewritten to "mcp-sidecar.<node>.<n>", so two copies never
// clash); DELETE on one node releases the copies on every node.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  CreateMessageRequestSchema, ElicitRequestSchema, LoggingMessageNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";

import { CLUSTER_TOKEN, metric, openSse, routingFetch, startClusterNode } from "./support/cluster.mjs";
import { initializeRaw, jsonRpcHeaders, post } from "./support/mcp.mjs";
import { ProcessGroup } from "./support/processes.mjs";
import { startRedis } from "./support/redis.mjs";
import { sleep, waitFor, withTimeout } from "./support/wait.mjs";

const AUTH = { authorization: CLUSTER_TOKEN };
const SERVER_REQUEST_ID = /^mcp-sidecar\.([0-9a-f]{16})\.(\d+)$/;
const STANDALONE_ID = /^g\.[^.\s]+\.\d+$/;
const COPIES = "sidecar_upstream_session_copies";
const RELEASED = "sidecar_upstream_sessions_released_total";
const LISTENING = "sidecar_upstream_listen_streams";
const ROUTED = 'sidecar_routed_messages_total\\{result="sent"\\}';

const group = new ProcessGroup("cluster-routing");
let a;
let b;

before(async () => {
  const redis = await startRedis(group);
  const set = ["streams.lease_ttl=900ms", "streams.retry=200ms"];
  [a, b] = await Promise.all([
    startClusterNode(group, { redisUrl: redis.url, label: "node-a", set }),
    startClusterNode(group, { redisUrl: redis.url, label: "node-b", set }),
  ]);
});
after(() => group.finish());

const isResponse = (m) => m !== undefined && m.method === undefined && ("result" in m || "error" in m);
const isServerRequest = (m) => m?.method !== undefined && m.id !== undefined;

async function sdkClient(fetchFn, capabilities = {}) {
  const transport = new StreamableHTTPClientTransport(new URL(a.sidecar.url),
                                                      { fetch: fetchFn, requestInit: { headers: AUTH } });
  const client = new Client({ name: "cluster-routing-it", version: "1.0.0" }, { capabilities });
  const errors = [];
  client.onerror = (err) => errors.push(err);
  await client.connect(transport);
  return { client, transport, errors };
}

// The server requests the client received, with the node whose stream carried each.
function serverRequests(fetchFn, method) {
  return fetchFn.exchanges.flatMap((ex) => ex.events.filter((e) => e.msg?.method === method)
    .map((e) => ({ id: e.msg.id, node: ex.node, exchange: ex.n })));
}

test("log messages of node A's copy reach the client's standalone GET on node B, each once",
     group.guard(async (t) => {
  const fetchFn = routingFetch((ex) => (ex.method === "GET" ? b : a));
  const { client, transport } = await sdkClient(fetchFn);
  const logged = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => logged.push(n.params));
  const get = await fetchFn.until(() => fetchFn.exchanges.find((e) => e.method === "GET" && e.status === 200),
                                  5000, "the standalone GET");
  assert.equal(get.node, "node-b");
  assert.ok(await metric(a, LISTENING) >= 1, "node A reads its copy's GET stream");

  const toggledAt = Date.now();
  const on = await client.callTool({ name: "toggle-simulated-logging", arguments: {} });
  assert.match(on.content[0].text, /^Started simulated/);
  await waitFor(() => logged.length >= 1, { timeoutMs: 7000, what: "the first log message on node B's GET" });
  t.diagnostic(`first log message ${Date.now() - toggledAt} ms after the toggle`);
  // The copy logs every 5 s: a second one shows the stream keeps delivering.
  await waitFor(() => logged.length >= 2, { timeoutMs: 7000, what: "the second log message" });
  t.diagnostic(`second log message ${Date.now() - toggledAt} ms after the toggle`);
  const off = await client.callTool({ name: "toggle-simulated-logging", arguments: {} });
  assert.match(off.content[0].text, /^Stopped simulated/);
  await sleep(500);

  const produced = (await a.admin.allEvents(transport.sessionId))
    .filter((e) => e.direction === "server_to_client" && e.message?.method === "notifications/message");
  const delivered = get.events.filter((e) => e.msg?.method === "notifications/message");
  assert.equal(produced.length, logged.length, "the client got each logged message once");
  assert.equal(delivered.length, logged.length, "all of them on the GET held by node B");
  assert.deepEqual(delivered.map((e) => e.msg.params), produced.map((e) => e.message.params), "in log order");
  const ids = delivered.map((e) => e.id);
  for (const id of ids) assert.match(id ?? "", STANDALONE_ID);
  assert.equal(new Set(ids).size, ids.length, `ids unique: ${ids.join(" ")}`);
  await transport.terminateSession();
  await client.close();
}));

test("elicitation and sampling from node A's copy, answered through node B, complete the calls",
     group.guard(async () => {
  const fetchFn = routingFetch((ex) => (isResponse(ex.message) ? b : a));
  const { client, transport } = await sdkClient(fetchFn, { sampling: {}, elicitation: { form: {} } });
  const seen = [];
  client.setRequestHandler(ElicitRequestSchema, async (req, extra) => {
    seen.push(extra.requestId);
    return { action: "accept", content: { name: "Ada via B", check: true } };
  });
  client.setRequestHandler(CreateMessageRequestSchema, async (req, extra) => {
    seen.push(extra.requestId);
    return { model: "it-model", role: "assistant", content: { type: "text", text: "sampled via B" },
             stopReason: "endTurn" };
  });
  const routedBefore = await metric(a, ROUTED);

  const elicited = await withTimeout(client.callTool({ name: "trigger-elicitation-request", arguments: {} }),
                                     15_000, "the elicitation tool call");
  assert.match(elicited.content.map((c) => c.text).join("\n"), /- Name: Ada via B/);
  const sampled = await withTimeout(
    client.callTool({ name: "trigger-sampling-request", arguments: { prompt: "hi", maxTokens: 5 } }),
    15_000, "the sampling tool call");
  assert.match(sampled.content[0].text, /sampled via B/);

  const asked = [...serverRequests(fetchFn, "elicitation/create"),
                 ...serverRequests(fetchFn, "sampling/createMessage")];
  assert.equal(asked.length, 2);
  for (const r of asked) {
    assert.match(String(r.id), SERVER_REQUEST_ID, "server request ids are the sidecar's");
    assert.equal(r.node, "node-a", "asked on the tools/call stream on node A");
  }
  assert.deepEqual(seen, asked.map((r) => r.id));
  const answers = fetchFn.exchanges.filter((e) => isResponse(e.message));
  assert.deepEqual(answers.map((e) => [e.node, e.status, e.message.id]),
                   asked.map((r) => ["node-b", 202, r.id]), "answered on node B, accepted");
  assert.equal(await metric(a, ROUTED), routedBefore + 2, "node A delivered both answers to its copy");
  await transport.terminateSession();
  await client.close();
}));

test("two copies asking at once in one session get distinct ids, and each answer reaches its asker",
     group.guard(async () => {
  let calls = 0;
  const fetchFn = routingFetch((ex) => {
    if (isResponse(ex.message)) {
      // Each answer goes to the node that did not ask.
      const asker = serverRequests(fetchFn, "elicitation/create").find((r) => r.id === ex.message.id)?.node;
      return asker === "node-a" ? b : a;
    }
    if (ex.message?.method === "tools/call") return calls++ === 0 ? a : b;
    return a;
  });
  const { client, transport } = await sdkClient(fetchFn, { elicitation: { form: {} } });
  let release;
  const bothAsked = new Promise((resolve) => { release = resolve; });
  const pending = [];
  client.setRequestHandler(ElicitRequestSchema, async (req, extra) => {
    pending.push(extra.requestId);
    if (pending.length === 2) release();
    await withTimeout(bothAsked, 10_000, "both elicitation requests");  // answer only while both are open
    return { action: "accept", content: { name: `answer-${extra.requestId}` } };
  });

  const viaA = client.callTool({ name: "trigger-elicitation-request", arguments: {} }, undefined, { timeout: 20_000 });
  await fetchFn.until(() => calls === 1, 5000, "the first tools/call sent");
  const viaB = client.callTool({ name: "trigger-elicitation-request", arguments: {} }, undefined, { timeout: 20_000 });
  const [resultA, resultB] = await withTimeout(Promise.all([viaA, viaB]), 20_000, "both tool calls");

  const asked = serverRequests(fetchFn, "elicitation/create");
  assert.equal(asked.length, 2);
  assert.deepEqual(asked.map((r) => r.node).sort(), ["node-a", "node-b"]);
  const fromA = asked.find((r) => r.node === "node-a");
  const fromB = asked.find((r) => r.node === "node-b");
  assert.notEqual(fromA.id, fromB.id, "distinct ids although both copies count from 0");
  const nodeIdA = SERVER_REQUEST_ID.exec(String(fromA.id))?.[1];
  const nodeIdB = SERVER_REQUEST_ID.exec(String(fromB.id))?.[1];
  assert.ok(nodeIdA && nodeIdB, `ids ${fromA.id} ${fromB.id}`);
  assert.notEqual(nodeIdA, nodeIdB, "each id names its node");
  // Each call's result carries the answer given to the request its own copy sent.
  const names = (result) => result.content.map((c) => c.text).join("\n").match(/- Name: (\S+)/)?.[1];
  assert.equal(names(resultA), `answer-${fromA.id}`);
  assert.equal(names(resultB), `answer-${fromB.id}`);
  const answers = fetchFn.exchanges.filter((e) => isResponse(e.message));
  assert.deepEqual(answers.map((e) => e.status), [202, 202]);
  await transport.terminateSession();
  await client.close();
}));

test("DELETE on node A releases the copy on node B too; the session is gone there", group.guard(async () => {
  const session = await initializeRaw(a.sidecar.url, { extraHeaders: AUTH });
  const echo = (node, id) => post(node.sidecar.url, { jsonrpc: "2.0", id, method: "tools/call",
                                                      params: { name: "echo", arguments: { message: "x" } } }, session);
  assert.equal((await echo(b, 2)).status, 200, "node B holds a copy now");
  // Copies listen upstream while the session has a standalone GET open,
  // wherever it is: open one on node A.
  const getHeaders = jsonRpcHeaders({ ...session, extra: { ...session.extra, accept: "text/event-stream" } });
  delete getHeaders["content-type"];
  const standalone = await openSse(a.sidecar.url, { method: "GET", headers: getHeaders });
  assert.equal(standalone.status, 200);
  for (const node of [a, b]) {
    await waitFor(async () => await metric(node, LISTENING) >= 1,
                  { timeoutMs: 3000, what: `${node.label}'s listen stream` });
  }
  const before = {};
  for (const node of [a, b]) {
    before[node.label] = { copies: await metric(node, COPIES), released: await metric(node, RELEASED),
                           listening: await metric(node, LISTENING) };
  }

  const del = await fetch(a.sidecar.url, { method: "DELETE", headers: jsonRpcHeaders(session) });
  assert.ok(del.status === 200 || del.status === 204, `DELETE -> ${del.status}`);
  const wasB = before["node-b"];
  await waitFor(async () => await metric(b, RELEASED) === wasB.released + 1,
                { timeoutMs: 3000, what: "node B to release its copy" });
  for (const node of [a, b]) {
    const was = before[node.label];
    await waitFor(async () => await metric(node, COPIES) === was.copies - 1,
                  { timeoutMs: 3000, what: `${node.label} to drop its copy` });
    await waitFor(async () => await metric(node, LISTENING) === was.listening - 1,
                  { timeoutMs: 3000, what: `${node.label} to close its copy's GET stream` });
  }
  await withTimeout(standalone.done, 3000, "the standalone GET to end with the session");
  await sleep(300);
  assert.equal(await metric(b, RELEASED), before["node-b"].released + 1, "released exactly once");
  const late = await echo(b, 3);
  assert.equal(late.status, 404);
  assert.equal(late.json?.error?.code, -32001);
}));

test("a cancellation sent to node B reaches the copy on node A running the request", group.guard(async () => {
  const isCancel = (m) => m?.method === "notifications/cancelled";
  const fetchFn = routingFetch((ex) => (isCancel(ex.message) ? b : a));
  const { client, transport } = await sdkClient(fetchFn);
  const routedBefore = await metric(a, ROUTED);
  const abort = new AbortController();
  const call = client.callTool({ name: "trigger-long-running-operation", arguments: { duration: 5, steps: 5 } },
                               undefined, { signal: abort.signal, onprogress: () => {} });
  await fetchFn.until(() => fetchFn.exchanges.find((e) => e.message?.method === "tools/call" &&
                                                         e.events.some((ev) => ev.msg?.method === "notifications/progress")),
                      10_000, "the call running on node A");
  abort.abort("changed my mind");
  await assert.rejects(call);
  const cancel = await fetchFn.until(() => fetchFn.exchanges.find((e) => isCancel(e.message) && e.status !== undefined),
                                     5000, "the cancellation POSTed");
  assert.equal(cancel.node, "node-b");
  assert.equal(cancel.status, 202);
  // Node B forwards it to its own copy and over the bus to every other
  // node's; node A's copy is the one running the request.
  await waitFor(async () => await metric(a, ROUTED) === routedBefore + 1,
                { timeoutMs: 5000, what: "node A delivering the cancellation to its copy" });
  await transport.terminateSession();
  await client.close();
}));

test("a newer standalone GET on node B ends the older one on node A: a message goes to one stream",
     group.guard(async () => {
  const session = await initializeRaw(a.sidecar.url, { extraHeaders: AUTH });
  const getHeaders = jsonRpcHeaders({ ...session, extra: { ...session.extra, accept: "text/event-stream" } });
  delete getHeaders["content-type"];
  const older = await openSse(a.sidecar.url, { method: "GET", headers: getHeaders });
  assert.equal(older.status, 200);
  const newer = await openSse(b.sidecar.url, { method: "GET", headers: getHeaders });
  assert.equal(newer.status, 200);
  await withTimeout(older.done, 3000, "the older standalone GET to end");
  assert.equal(older.error, undefined, "ended cleanly, not broken");

  const toggle = await post(a.sidecar.url, { jsonrpc: "2.0", id: 5, method: "tools/call",
                                             params: { name: "toggle-simulated-logging", arguments: {} } }, session);
  assert.equal(toggle.status, 200);
  const logged = await newer.next((e) => e.msg?.method === "notifications/message", 7000,
                                  "a log message on the newer stream");
  assert.match(logged.id, STANDALONE_ID);
  assert.equal(older.events.filter((e) => e.msg?.method === "notifications/message").length, 0);
  newer.close();
  await fetch(a.sidecar.url, { method: "DELETE", headers: jsonRpcHeaders(session) });
}));
