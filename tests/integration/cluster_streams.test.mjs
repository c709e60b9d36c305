// Resumable streams across nodes: two sidecars, each with its own
// server-everything, one Redis. The sidecar owns every SSE event id
// (p.<stream>.<n> on a request's stream, g.<stream>.<seq> on the standalone
// one), so a client whose POST stream broke on one node resumes it with
// GET + Last-Event-ID on the other; a stream whose producer died ends with a
// JSON-RPC error once the producer's lease lapses.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CreateMessageRequestSchema, LoggingMessageNotificationSchema } from "@modelcontextprotocol/sdk/types.js";

import { CLUSTER_TOKEN, metric, openSse, routingFetch, startClusterNode } from "./support/cluster.mjs";
import { initializeRaw, jsonRpcHeaders, post } from "./support/mcp.mjs";
import { ProcessGroup } from "./support/processes.mjs";
import { startRedis } from "./support/redis.mjs";
import { parseSse } from "./support/sse.mjs";
import { sleep, waitFor, withTimeout } from "./support/wait.mjs";

const LEASE_MS = 900;
const RETRY_MS = 200;
const STREAM_SETTINGS = [`streams.lease_ttl=${LEASE_MS}ms`, `streams.retry=${RETRY_MS}ms`, "streams.orphan_ttl=30s"];
const AUTH = { authorization: CLUSTER_TOKEN };
const EVENT_ID = /^([pg])\.([^.\s]+)\.(\d+)$/;

const group = new ProcessGroup("cluster-streams");
let redis;
let a;
let b;

before(async () => {
  redis = await startRedis(group);
  [a, b] = await Promise.all([
    startClusterNode(group, { redisUrl: redis.url, label: "node-a", set: STREAM_SETTINGS }),
    startClusterNode(group, { redisUrl: redis.url, label: "node-b", set: STREAM_SETTINGS }),
  ]);
});
after(() => group.finish());

function parseId(id) {
  const m = EVENT_ID.exec(id ?? "");
  return m ? { kind: m[1], stream: m[2], position: Number(m[3]) } : undefined;
}

const isProgress = (e) => e.msg?.method === "notifications/progress";

async function sdkClient(fetchFn, capabilities = {}, firstNode = a) {
  const transport = new StreamableHTTPClientTransport(new URL(firstNode.sidecar.url), {
    fetch: fetchFn,
    requestInit: { headers: AUTH },
    // Two attempts at most, so a resumption that fails shows up as a failed call.
    reconnectionOptions: { initialReconnectionDelay: RETRY_MS, maxReconnectionDelay: 1000,
                           reconnectionDelayGrowFactor: 1, maxRetries: 2 },
  });
  const client = new Client({ name: "cluster-streams-it", version: "1.0.0" }, { capabilities });
  const errors = [];
  client.onerror = (err) => errors.push(err);
  await client.connect(transport);
  assert.equal(transport.protocolVersion, "2025-11-25", "the SDK negotiated a version with priming events");
  return { client, transport, errors };
}

function getHeaders(session, lastEventId) {
  const headers = jsonRpcHeaders({ ...session, extra: { ...session.extra, accept: "text/event-stream" } });
  delete headers["content-type"];
  if (lastEventId !== undefined) headers["last-event-id"] = lastEventId;
  return headers;
}

function callLro(id, args, token) {
  return { jsonrpc: "2.0", id, method: "tools/call",
           params: { name: "trigger-long-running-operation", arguments: args, _meta: { progressToken: token } } };
}

test("a POST stream dropped on node A resumes on node B: every progress once, in order, then the result",
     group.guard(async () => {
  const STEPS = 8;
  const CUT_AFTER = 3;
  const orphanedBefore = await metric(a, "sidecar_streams_orphaned_total");
  const cancelledBefore = await metric(a, "sidecar_orphan_streams_cancelled_total");
  const logStreamsBefore = await metric(b, "sidecar_log_streams_total");

  // Everything goes to A, except the SDK's resumption GET, which goes to B;
  // the tools/call response body is dropped after CUT_AFTER progress events.
  const fetchFn = routingFetch((ex) => {
    if (ex.method === "GET" && ex.lastEventId) return b;
    if (ex.message?.method === "tools/call") {
      return { node: a, cut: (e) => e.events.filter(isProgress).length >= CUT_AFTER };
    }
    return a;
  });
  const { client, errors } = await sdkClient(fetchFn);
  const progress = [];
  const result = await client.callTool(
    { name: "trigger-long-running-operation", arguments: { duration: 4, steps: STEPS } }, undefined,
    { onprogress: (p) => progress.push(p.progress), timeout: 20_000 });

  assert.match(result.content[0].text, /Long running operation completed/);
  assert.deepEqual(progress, Array.from({ length: STEPS }, (_, i) => i + 1), "each progress once, in order");

  const call = fetchFn.exchanges.filter((e) => e.message?.method === "tools/call");
  assert.equal(call.length, 1);
  assert.equal(call[0].cut, true, "the client dropped the POST stream");
  const priming = call[0].events[0];
  assert.equal(priming.data, "", "the POST stream starts with a priming event");
  assert.equal(priming.retry, RETRY_MS);
  assert.equal(parseId(priming.id)?.position, 0, `priming id ${priming.id}`);
  const seenOnPost = call[0].events.filter(isProgress);
  assert.ok(seenOnPost.length >= CUT_AFTER && seenOnPost.length < STEPS, `${seenOnPost.length} progress on the POST`);

  const resumes = fetchFn.exchanges.filter((e) => e.method === "GET" && e.lastEventId);
  assert.equal(resumes.length, 1, "exactly one resumption");
  const [resume] = resumes;
  assert.equal(resume.node, "node-b");
  assert.equal(resume.status, 200);
  assert.equal(resume.lastEventId, call[0].events.at(-1).id, "resumed from the last id the client saw");
  const stream = parseId(priming.id).stream;
  let position = parseId(resume.lastEventId).position;
  for (const ev of resume.events.filter((e) => e.data !== "")) {
    const id = parseId(ev.id);
    assert.ok(id && id.kind === "p" && id.stream === stream, `resumed event id ${ev.id} is on stream ${stream}`);
    assert.ok(id.position > position, `positions increase: ${ev.id} after ${position}`);
    position = id.position;
  }
  assert.equal(resume.events.filter(isProgress).length, STEPS - seenOnPost.length, "the rest of the progress");
  assert.ok(resume.events.some((e) => e.msg?.result?.content), "the tool result came on the resumed GET");
  await fetchFn.until(() => resume.ended, 2000, "node B to end the GET after the response");

  assert.equal(await metric(a, "sidecar_streams_orphaned_total"), orphanedBefore + 1);
  assert.equal(await metric(a, "sidecar_orphan_streams_cancelled_total"), cancelledBefore,
               "a stream that finished is not cancelled");
  assert.equal(await metric(b, "sidecar_log_streams_total"), logStreamsBefore + 1);
  assert.deepEqual(errors.filter((e) => !/SSE stream disconnected/.test(e.message)).map(String), []);
  await client.close();
}));

test("kill -9 of the producing node: B replays what was persisted after the id, then errors the call",
     group.guard(async (t) => {
  const victim = await startClusterNode(group, { redisUrl: redis.url, label: "node-victim", set: STREAM_SETTINGS });
  const session = await initializeRaw(victim.sidecar.url, { extraHeaders: AUTH });
  const postStream = await openSse(victim.sidecar.url, {
    method: "POST", headers: jsonRpcHeaders(session),
    body: JSON.stringify(callLro(7, { duration: 6, steps: 6 }, "kill-9")),
  });
  assert.equal(postStream.status, 200);
  await postStream.next((e) => isProgress(e) && e.msg.params.progress === 3, 8000, "progress 3");
  await sleep(300);  // well before progress 4 (1 s per step): 1..3 are persisted
  await group.stop(victim.sidecar.proc, { signal: "SIGKILL" });
  const killedAt = Date.now();
  await postStream.done;

  const seen = postStream.events.filter(isProgress);
  assert.deepEqual(seen.map((e) => e.msg.params.progress), [1, 2, 3]);
  const stream = parseId(seen[0].id)?.stream;
  assert.ok(stream, `progress id ${seen[0].id}`);

  const resumed = await openSse(b.sidecar.url, { method: "GET", headers: getHeaders(session, seen[0].id) });
  assert.equal(resumed.status, 200, resumed.text);
  await withTimeout(resumed.done, LEASE_MS + 4000, "the resumed stream to end");
  const elapsed = resumed.endedAt - killedAt;
  t.diagnostic(`the resumed stream ended ${elapsed} ms after the kill`);
  const data = resumed.events.filter((e) => e.data !== "");
  assert.deepEqual(data.slice(0, 2).map((e) => e.id), [seen[1].id, seen[2].id], "exactly the events after the id");
  assert.deepEqual(data.slice(0, 2).map((e) => e.msg.params?.progress), [2, 3]);
  assert.equal(data.length, 3, `replayed two progress events and one error: ${JSON.stringify(data)}`);
  const error = data[2].msg;
  assert.equal(error.id, 7);
  assert.equal(error.error?.code, -32000);
  assert.match(error.error?.message ?? "", /stopped before the response/);
  // The error is the sidecar's own, not in the stream's log: no id, or one on the call's stream.
  assert.ok(data[2].id === undefined || parseId(data[2].id)?.stream === stream, `error event id ${data[2].id}`);
  assert.ok(elapsed >= LEASE_MS / 3, `ended ${elapsed} ms after the kill: not before the lease could lapse`);
  assert.ok(elapsed <= LEASE_MS + 2500, `ended ${elapsed} ms after the kill (lease ${LEASE_MS} ms)`);
}));

test("kill -9 of the producing node under the SDK: its resumption on B rejects callTool with the error",
     group.guard(async () => {
  const victim = await startClusterNode(group, { redisUrl: redis.url, label: "node-victim2", set: STREAM_SETTINGS });
  const fetchFn = routingFetch((ex) => (ex.method === "GET" && ex.lastEventId ? b : victim));
  const transport = new StreamableHTTPClientTransport(new URL(victim.sidecar.url),
                                                      { fetch: fetchFn, requestInit: { headers: AUTH } });
  const client = new Client({ name: "cluster-streams-it", version: "1.0.0" }, { capabilities: {} });
  client.onerror = () => {};
  await client.connect(transport);
  const progress = [];
  const call = client.callTool({ name: "trigger-long-running-operation", arguments: { duration: 6, steps: 6 } },
                               undefined, { onprogress: (p) => progress.push(p.progress), timeout: 20_000 });
  await waitFor(() => progress.length >= 2, { timeoutMs: 5000, what: "two progress notifications" });
  await sleep(300);
  await group.stop(victim.sidecar.proc, { signal: "SIGKILL" });
  const killedAt = Date.now();
  const outcome = await call.then((result) => ({ result }), (error) => ({ error }));
  const elapsed = Date.now() - killedAt;
  assert.equal(outcome.error?.code, -32000, `callTool: ${JSON.stringify(outcome.result ?? String(outcome.error))}`);
  assert.match(outcome.error.message, /stopped before the response/);
  assert.ok(elapsed <= LEASE_MS + 2500, `rejected ${elapsed} ms after the kill`);
  assert.deepEqual(progress, [1, 2], "no progress after the kill, none twice");
  const resumes = fetchFn.exchanges.filter((e) => e.method === "GET" && /^p\./.test(e.lastEventId ?? ""));
  assert.ok(resumes.length >= 1 && resumes.every((e) => e.node === "node-b" && e.status === 200));
  await client.close();
}));

test("a Last-Event-ID of another session's stream, or a malformed one, gets HTTP 400", group.guard(async () => {
  const mine = await initializeRaw(a.sidecar.url, { extraHeaders: AUTH });
  const other = await initializeRaw(a.sidecar.url, { extraHeaders: AUTH });
  const res = await post(a.sidecar.url, callLro(3, { duration: 1, steps: 2 }, "own"), mine);
  assert.equal(res.status, 200);
  const events = parseSse(res.text).filter((e) => e.data !== "");
  assert.equal(events.length, 3, res.text);
  const firstId = events[0].id;
  const { stream } = parseId(firstId) ?? {};
  assert.ok(stream, `progress id ${firstId}`);

  // Control: the id works in its own session, on either node.
  const own = await openSse(b.sidecar.url, { method: "GET", headers: getHeaders(mine, firstId) });
  assert.equal(own.status, 200, own.text);
  await withTimeout(own.done, 5000, "the replay of a finished stream to end");
  assert.deepEqual(own.events.filter((e) => e.data !== "").map((e) => e.id), [events[1].id, events[2].id]);

  for (const node of [a, b]) {
    const foreign = await openSse(node.sidecar.url, { method: "GET", headers: getHeaders(other, firstId) });
    assert.equal(foreign.status, 400, `${node.label}: another session's id`);
    assert.equal(foreign.events.length, 0);
    assert.doesNotMatch(foreign.text, /notifications\/progress|Long running/);
    assert.ok(!foreign.text.includes(events[1].id), "no event of the other stream");
  }

  const malformed = ["garbage", "p.", "p..1", `p.${stream}`, `p.${stream}.x`, `p.${stream}.-1`, `q.${stream}.1`,
                     `${stream}_1`, "0f8fad5b-d9cb-469f-a165-70867728950e", `p.${stream}.1.2`];
  for (const bad of malformed) {
    const r = await openSse(b.sidecar.url, { method: "GET", headers: getHeaders(mine, bad) });
    assert.equal(r.status, 400, `Last-Event-ID ${JSON.stringify(bad)}`);
    assert.equal(r.events.length, 0);
  }
}));

test("every event id the client sees is the sidecar's, unique in the session; no upstream id leaks",
     group.guard(async () => {
  let n = 0;
  const nodes = [a, b];
  const fetchFn = routingFetch(() => nodes[n++ % 2]);
  const { client, transport } = await sdkClient(fetchFn, { sampling: {} });
  client.setRequestHandler(CreateMessageRequestSchema, async () => ({
    model: "it-model", role: "assistant", content: { type: "text", text: "ids" },
  }));
  const logged = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (m) => logged.push(m));

  await client.listTools();
  await client.callTool({ name: "echo", arguments: { message: "ids" } });
  const progress = [];
  await client.callTool({ name: "trigger-long-running-operation", arguments: { duration: 1, steps: 2 } },
                        undefined, { onprogress: (p) => progress.push(p.progress) });
  assert.deepEqual(progress, [1, 2]);
  await client.callTool({ name: "trigger-sampling-request", arguments: { prompt: "ids", maxTokens: 5 } });
  await client.callTool({ name: "toggle-simulated-logging", arguments: {} });
  await waitFor(() => logged.length >= 1, { timeoutMs: 7000, what: "a log message on the standalone stream" });
  await client.callTool({ name: "toggle-simulated-logging", arguments: {} });

  const sse = fetchFn.exchanges.filter((e) => e.contentType?.startsWith("text/event-stream"));
  const all = sse.flatMap((e) => e.events.map((ev) => ({ ...ev, method: e.method, exchange: e.n })));
  assert.ok(all.length >= 10, `${all.length} events`);
  for (const ev of all) {
    const id = parseId(ev.id);
    assert.ok(id, `event id ${JSON.stringify(ev.id)} (${ev.method} #${ev.exchange}) is [pg].<stream>.<n>`);
    assert.equal(id.kind, ev.method === "POST" ? "p" : "g", `${ev.id} on a ${ev.method}`);
  }
  const ids = all.map((e) => e.id);
  assert.equal(new Set(ids).size, ids.length, `ids unique across the session: ${ids.join(" ")}`);
  assert.ok(all.some((e) => e.method === "GET" && e.msg?.method === "notifications/message"),
            "a g. event carried the log message");
  // initialize is answered before a version is negotiated: no priming there.
  for (const ex of sse.filter((e) => e.method === "POST" && e.message?.method !== "initialize")) {
    assert.equal(ex.events[0].data, "", `POST #${ex.n} starts with a priming event`);
    assert.equal(parseId(ex.events[0].id).position, 0);
    const streams = new Set(ex.events.map((e) => parseId(e.id).stream));
    assert.equal(streams.size, 1, `POST #${ex.n}: one stream id`);
  }

  const upstreamIds = new Set((await a.admin.allEvents(transport.sessionId))
    .map((e) => e.upstream_event_id).filter(Boolean));
  assert.ok(upstreamIds.size > 0, "the log kept the upstream ids");
  for (const id of ids) {
    assert.ok(!upstreamIds.has(id), `upstream id ${id} reached the client`);
    assert.doesNotMatch(id, /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|_\d+$/);
  }
  await transport.terminateSession();
  await client.close();
}));

test("SIGTERM on the producing node: the stream closes with retry:, the SDK resumes on B, the call completes",
     group.guard(async () => {
  const draining = await startClusterNode(group, { redisUrl: redis.url, label: "node-draining",
                                                   set: [...STREAM_SETTINGS, "drain.timeout=20s"] });
  // Everything goes to the draining node until it drains; the resumption to B.
  const fetchFn = routingFetch((ex) => (ex.method === "GET" && ex.lastEventId ? b : draining));
  const { client } = await sdkClient(fetchFn, {}, draining);
  const progress = [];
  const call = client.callTool({ name: "trigger-long-running-operation", arguments: { duration: 3, steps: 6 } },
                               undefined, { onprogress: (p) => progress.push(p.progress), timeout: 20_000 });
  await waitFor(() => progress.length >= 1, { timeoutMs: 5000, what: "the first progress notification" });
  process.kill(draining.sidecar.proc.pid, "SIGTERM");

  const result = await call;
  assert.match(result.content[0].text, /Long running operation completed/);
  assert.deepEqual(progress, [1, 2, 3, 4, 5, 6], "each progress once, in order, across the drain");
  const post = fetchFn.exchanges.find((e) => e.message?.method === "tools/call");
  assert.equal(post.events.at(-1).retry, RETRY_MS, "the drained stream ended with a retry: hint");
  assert.equal(post.cut, false, "the node closed it, not the client");
  // (The SDK's standalone GET is closed by the drain too and resumes on B
  // with a g. id; the call's stream is the p. one.)
  const resumes = fetchFn.exchanges.filter((e) => e.method === "GET" && /^p\./.test(e.lastEventId ?? ""));
  assert.equal(resumes.length, 1);
  assert.equal(resumes[0].node, "node-b");
  // The draining node read the call to its end, then exited cleanly.
  await withTimeout(draining.sidecar.proc.exited, 10_000, "the drained node's exit");
  assert.equal(draining.sidecar.proc.exitCode, 0);
  assert.match(group.log(draining.sidecar.proc), /event=orphan_stream_completed/);
  await client.close();
}));
