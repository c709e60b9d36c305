// The official MCP SDK client talks to the official server-everything through
// the sidecar; every scenario then has to show up, complete and in order, in
// the sidecar's admin API. Tests run in file order and share one session.
//
//   SDK Client --HTTP--> mcp-sidecar --HTTP--> server-everything (streamableHttp)
//                              |
//                              +-- admin API (/sessions, /events, /metrics)
//
// MCP_IT_DIRECT=1 (harness development only) connects the client straight to
// the upstream and skips the admin assertions; CTest never sets it.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { isDeepStrictEqual } from "node:util";

import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";

import { AdminClient } from "./support/admin.mjs";
import { PROTOCOL_VERSION, connectClient, describeResponse, post } from "./support/mcp.mjs";
import { ProcessGroup, directMode, everythingEntry, startSidecar, startUpstream } from "./support/processes.mjs";
import { waitFor, withTimeout } from "./support/wait.mjs";

const SKIP_ADMIN = directMode && "MCP_IT_DIRECT=1: no sidecar, no admin API";
const TOKEN = `it-secret-${randomUUID()}`;
const CAPABILITIES = { sampling: {}, elicitation: { form: {} } };
const INSTRUCTIONS_URI = "demo://resource/static/document/instructions.md";
const INSTRUCTIONS_PATH = join(everythingEntry, "..", "docs", "instructions.md");
const SAMPLING_REPLY = {
  model: "it-model-1",
  role: "assistant",
  content: { type: "text", text: "sampled reply: teal" },
  stopReason: "endTurn",
};
const ELICIT_REPLY = { action: "accept", content: { name: "Ada Lovelace", check: true, integer: 7 } };
const LRO = { duration: 2, steps: 4 };  // one progress notification every 500 ms

const group = new ProcessGroup("sdk-scenarios");
const testStart = Date.now();
let upstream;
let sidecar;
let admin;
let mcpUrl;
let conn;  // { client, transport, recorder, errors }
let sessionId;
let protocolVersion;
const samplingRequests = [];
const elicitRequests = [];
const loggingNotifications = [];
const resourceUpdates = [];
let recordBeforeDelete;
let eventsAfterDelete;

before(group.guard(async () => {
  upstream = await startUpstream(group);
  if (directMode) {
    mcpUrl = upstream.url;
  } else {
    sidecar = await startSidecar(group, { upstreamUrl: upstream.url });
    admin = new AdminClient(sidecar.adminUrl);
    mcpUrl = sidecar.url;
  }
}), { timeout: 60_000 });

after(async () => {
  await conn?.client.close().catch(() => {});
  await group.finish();
});

// A stuck test fails on its own (and after() still kills the processes) well
// before CTest's TIMEOUT would kill this runner and orphan them.
const it = (name, fn, options = {}) => test(name, { timeout: 30_000, ...options }, group.guard(fn));

function toolText(result) {
  assert.ok(Array.isArray(result.content), `tool result has content: ${JSON.stringify(result)}`);
  return result.content.filter((c) => c.type === "text").map((c) => c.text).join("\n");
}

// The recorded c2s tools/call for `name`, and the exchange it travelled on.
function sentToolCall(name) {
  const found = conn.recorder.messages.filter(
    (m) => m.dir === "c2s" && m.msg.method === "tools/call" && m.msg.params?.name === name);
  assert.equal(found.length, 1, `exactly one tools/call ${name} was sent`);
  return found[0];
}

it("initialize: the SDK client gets a session id and negotiates 2025-11-25", async () => {
  conn = await connectClient(mcpUrl, { capabilities: CAPABILITIES, headers: { authorization: `Bearer ${TOKEN}` } });
  const { client, transport, recorder } = conn;
  client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
    samplingRequests.push(request);
    return SAMPLING_REPLY;
  });
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    elicitRequests.push(request);
    return ELICIT_REPLY;
  });
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => loggingNotifications.push(n));
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => resourceUpdates.push(n));

  sessionId = transport.sessionId;
  protocolVersion = transport.protocolVersion;
  assert.equal(typeof sessionId, "string");
  assert.match(sessionId, /^[\x21-\x7e]{8,}$/, "session id is visible ASCII (spec)");
  assert.equal(protocolVersion, PROTOCOL_VERSION);
  assert.equal(client.getServerVersion()?.name, "mcp-servers/everything");

  const [initEx, initializedEx] = recorder.exchanges;
  assert.equal(initEx.sent.method, "initialize");
  assert.equal(initEx.status, 200);
  assert.deepEqual(initEx.received.map((r) => r.msg.id), [initEx.sent.id], "initialize answered once, on its POST");
  assert.equal(initializedEx.sent.method, "notifications/initialized");
  assert.equal(initializedEx.status, 202, "notifications/initialized is accepted with 202");

  if (!directMode) {
    // The sidecar saw the client's notifications/initialized: ACTIVE.
    const record = await waitFor(async () => {
      const r = await admin.session(sessionId);
      return r.state === "ACTIVE" && r;
    }, { timeoutMs: 3000, what: `session ${sessionId} ACTIVE in the admin API` });
    assert.equal(record.id, sessionId);
  }
});

it("tools/list returns server-everything's tools, including the capability-gated ones", async () => {
  const { tools } = await conn.client.listTools();
  const names = tools.map((t) => t.name);
  for (const name of ["echo", "get-sum", "trigger-long-running-operation", "toggle-subscriber-updates",
                      "toggle-simulated-logging"]) {
    assert.ok(names.includes(name), `tool ${name} listed: ${names.join(", ")}`);
  }
  // Registered upstream only after notifications/initialized, and only because
  // the client's declared capabilities (sampling, elicitation) reached it.
  assert.ok(names.includes("trigger-sampling-request"), `sampling tool listed: ${names.join(", ")}`);
  assert.ok(names.includes("trigger-elicitation-request"), `elicitation tool listed: ${names.join(", ")}`);
});

it("tools/call echo returns the echoed message", async () => {
  const message = "hello through the sidecar — ünïcødé ✓";
  const result = await conn.client.callTool({ name: "echo", arguments: { message } });
  assert.equal(toolText(result), `Echo: ${message}`);
  const sum = await conn.client.callTool({ name: "get-sum", arguments: { a: 19, b: 23 } });
  assert.equal(toolText(sum), "The sum of 19 and 23 is 42.");
});

it("a long-running tool streams progress notifications while it runs", async () => {
  const progress = [];
  const t0 = Date.now();
  const result = await conn.client.callTool(
    { name: "trigger-long-running-operation", arguments: LRO }, undefined,
    { onprogress: (p) => progress.push({ ...p, t: Date.now() }) });
  const tDone = Date.now();
  assert.equal(toolText(result),
               `Long running operation completed. Duration: ${LRO.duration} seconds, Steps: ${LRO.steps}.`);

  assert.deepEqual(progress.map((p) => p.progress), [1, 2, 3, 4]);
  assert.ok(progress.every((p) => p.total === LRO.steps));
  // Timing, not just content: a proxy that buffers the response stream would
  // deliver all four at the end. Expected: +500, +1000, +1500, +2000 ms.
  const offsets = progress.map((p) => p.t - t0);
  assert.ok(offsets[0] >= 300, `first progress not before the first step ends: ${offsets}`);
  for (let i = 1; i < progress.length; i++) {
    assert.ok(progress[i].t - progress[i - 1].t >= 250, `progress ${i} and ${i + 1} arrived spread out: ${offsets}`);
  }
  assert.ok(tDone - progress[0].t >= 1000, `first progress arrived >= 1 s before the result: ${offsets}, ` +
            `done at ${tDone - t0}`);

  // They travelled on the tools/call's own SSE response stream.
  const call = sentToolCall("trigger-long-running-operation");
  const onStream = call.exchange.received.filter((r) => r.msg.method === "notifications/progress");
  assert.equal(onStream.length, LRO.steps, "progress notifications rode the POST's SSE stream");
});

it("resources: list and read (static document and template resource)", async () => {
  const { resources } = await conn.client.listResources();
  const doc = resources.find((r) => r.uri === INSTRUCTIONS_URI);
  assert.ok(doc, `${INSTRUCTIONS_URI} listed among ${resources.map((r) => r.uri).join(", ")}`);
  assert.equal(doc.mimeType, "text/markdown");

  const read = await conn.client.readResource({ uri: INSTRUCTIONS_URI });
  assert.equal(read.contents.length, 1);
  // Byte-exact relay of a multi-kilobyte document.
  assert.equal(read.contents[0].text, readFileSync(INSTRUCTIONS_PATH, "utf8"));

  const dynamic = await conn.client.readResource({ uri: "demo://resource/dynamic/text/7" });
  assert.match(dynamic.contents[0].text, /^Resource 7: This is a plaintext resource created at /);
});

it("prompts: list and get (with and without arguments)", async () => {
  const { prompts } = await conn.client.listPrompts();
  const names = prompts.map((p) => p.name);
  assert.ok(names.includes("simple-prompt") && names.includes("args-prompt"), `prompts: ${names.join(", ")}`);

  const simple = await conn.client.getPrompt({ name: "simple-prompt" });
  assert.equal(simple.messages[0].content.text, "This is a simple prompt without arguments.");
  const args = await conn.client.getPrompt({ name: "args-prompt", arguments: { city: "Paris", state: "TX" } });
  assert.equal(args.messages[0].content.text, "What's weather in Paris, TX?");
});

it("sampling: the server's sampling/createMessage reaches the client and its answer reaches the tool", async () => {
  const result = await conn.client.callTool({
    name: "trigger-sampling-request", arguments: { prompt: "Name a colour", maxTokens: 25 },
  });
  assert.equal(samplingRequests.length, 1, "the client's sampling handler ran once");
  const request = samplingRequests[0];
  assert.equal(request.params.messages[0].content.text, "Resource trigger-sampling-request context: Name a colour");
  assert.equal(request.params.maxTokens, 25);

  const text = toolText(result);
  assert.match(text, /^LLM sampling result: /);
  const echoed = JSON.parse(text.slice(text.indexOf("\n") + 1));
  assert.equal(echoed.model, SAMPLING_REPLY.model);
  assert.deepEqual(echoed.content, SAMPLING_REPLY.content);

  // The request rode the tools/call's SSE stream; the answer went back as its own POST (202).
  const call = sentToolCall("trigger-sampling-request");
  const serverRequest = call.exchange.received.find((r) => r.msg.method === "sampling/createMessage");
  assert.ok(serverRequest, "sampling/createMessage arrived on the tools/call stream");
  const answer = conn.recorder.exchanges.find(
    (e) => e.sent && e.sent.id === serverRequest.msg.id && "result" in e.sent && !("method" in e.sent));
  assert.ok(answer, "the client POSTed the sampling result");
  assert.equal(answer.status, 202);
});

it("elicitation: the server's elicitation/create reaches the client and its answer reaches the tool", async () => {
  const result = await conn.client.callTool({ name: "trigger-elicitation-request", arguments: {} });
  assert.equal(elicitRequests.length, 1, "the client's elicitation handler ran once");
  assert.equal(elicitRequests[0].params.requestedSchema.type, "object");
  assert.deepEqual(elicitRequests[0].params.requestedSchema.required, ["name"]);

  const text = toolText(result);
  assert.match(text, /User provided the requested information/);
  assert.match(text, /- Name: Ada Lovelace/);
  assert.match(text, /- Agreed to terms: true/);
  assert.match(text, /- Favorite Integer: 7/);

  const call = sentToolCall("trigger-elicitation-request");
  assert.ok(call.exchange.received.some((r) => r.msg.method === "elicitation/create"),
            "elicitation/create arrived on the tools/call stream");
});

it("the standalone GET stream delivers server-initiated notifications", async () => {
  const { client, recorder } = conn;
  const getStream = await withTimeout(recorder.waitForGetStream(), 5000, "the SDK's standalone GET stream");
  assert.match(getStream.contentType ?? "", /^text\/event-stream/);

  // resources/subscribe makes server-everything log "Received Subscribe ..."
  // as a notifications/message with no related request: the GET stream.
  const logged = recorder.waitForMessage((m) => m.dir === "s2c" && m.msg.method === "notifications/message" &&
    String(m.msg.params?.data).includes(`Received Subscribe Resource request for URI: ${INSTRUCTIONS_URI}`));
  await client.subscribeResource({ uri: INSTRUCTIONS_URI });
  const logEntry = await withTimeout(logged, 5000, "the subscribe log notification");
  assert.equal(logEntry.exchange, getStream, "logging notification arrived on the GET stream");

  // toggle-subscriber-updates sends notifications/resources/updated for each
  // subscribed URI at once (then every 5 s until toggled off): the GET stream.
  const updated = recorder.waitForMessage((m) => m.dir === "s2c" &&
    m.msg.method === "notifications/resources/updated" && m.msg.params?.uri === INSTRUCTIONS_URI);
  const started = await client.callTool({ name: "toggle-subscriber-updates", arguments: {} });
  assert.match(toolText(started), /^Started simulated resource updated notifications/);
  const update = await withTimeout(updated, 5000, "notifications/resources/updated");
  assert.equal(update.exchange, getStream, "resources/updated arrived on the GET stream");
  await waitFor(() => resourceUpdates.some((n) => n.params.uri === INSTRUCTIONS_URI) &&
                      loggingNotifications.some((n) => String(n.params.data).includes("Received Subscribe")),
                { timeoutMs: 2000, what: "the SDK's notification handlers" });

  const stopped = await client.callTool({ name: "toggle-subscriber-updates", arguments: {} });
  assert.match(toolText(stopped), /^Stopped simulated resource updates/);
});

it("admin: before DELETE the session is ACTIVE with version, client params and server result", async () => {
  const { recorder } = conn;
  const record = await admin.session(sessionId);
  recordBeforeDelete = record;
  assert.equal(record.id, sessionId);
  assert.equal(record.state, "ACTIVE");
  assert.equal(record.protocol_version, PROTOCOL_VERSION);

  const initRequest = recorder.exchanges[0].sent;
  const initResult = recorder.exchanges[0].received[0].msg.result;
  assert.deepEqual(record.client_params, initRequest.params, "client_params is the client's initialize params");
  assert.deepEqual(record.client_params.capabilities, CAPABILITIES);
  assert.equal(record.client_params.clientInfo.name, "mcp-sidecar-it");
  assert.deepEqual(record.server_result, initResult, "server_result is the upstream's InitializeResult");

  // HMAC-SHA256 of the Authorization value, hex; never the value itself.
  assert.match(record.credential_fingerprint, /^[0-9a-f]{64}$/);
  assert.ok(!record.credential_fingerprint.includes(TOKEN));

  assert.ok(Number.isInteger(record.created_unix_ms) && Number.isInteger(record.last_seen_unix_ms));
  assert.ok(record.created_unix_ms >= testStart - 1000 && record.created_unix_ms <= Date.now() + 1000,
            `created_unix_ms ${record.created_unix_ms} within the test run`);
  assert.ok(record.last_seen_unix_ms >= record.created_unix_ms);
  assert.ok(Number.isInteger(record.event_count) && record.event_count >= 20, `event_count ${record.event_count}`);

  const listed = await admin.sessions();
  assert.ok(listed.some((s) => s.id === sessionId && s.state === "ACTIVE"), `/sessions lists ${sessionId}`);
}, { skip: SKIP_ADMIN });

it("terminateSession (DELETE) closes the session", async () => {
  await conn.transport.terminateSession();
  assert.equal(conn.transport.sessionId, undefined, "the SDK dropped its session id after a 2xx DELETE");
  await conn.client.close();
  if (directMode) return;

  const record = await waitFor(async () => {
    const r = await admin.session(sessionId);
    return r.state === "CLOSED" && r;
  }, { timeoutMs: 3000, what: `session ${sessionId} CLOSED` });
  assert.equal(record.protocol_version, PROTOCOL_VERSION);
  assert.ok(record.last_seen_unix_ms >= recordBeforeDelete.last_seen_unix_ms);
  eventsAfterDelete = await admin.allEvents(sessionId, { pageSize: 7 });  // small pages: exercise paging
  assert.equal(record.event_count, eventsAfterDelete.length, "event_count matches the events listed");
});

it("admin: the event log holds every message of the session, in order", () => {
  const events = eventsAfterDelete;
  const { recorder } = conn;
  assert.ok(Array.isArray(events) && events.length > 0, "events were fetched after DELETE");

  // Shape of every event.
  events.forEach((e, i) => {
    assert.equal(e.seq, i + 1, "seq runs 1, 2, 3, ...");
    assert.ok(e.direction === "client_to_server" || e.direction === "server_to_client", `direction ${e.direction}`);
    assert.equal(typeof e.stream_id, "string");
    assert.ok(e.stream_id.length > 0, `event ${e.seq} has a stream_id`);
    assert.ok(Number.isInteger(e.stream_seq) && e.stream_seq >= 1, `event ${e.seq} stream_seq ${e.stream_seq}`);
    assert.equal(e.synthetic, false, `event ${e.seq} is not synthetic`);
    assert.ok(e.unix_ms >= testStart - 1000 && e.unix_ms <= Date.now() + 1000, `event ${e.seq} unix_ms`);
    if (i > 0) assert.ok(e.unix_ms >= events[i - 1].unix_ms, `unix_ms non-decreasing at seq ${e.seq}`);
    assert.equal(e.message?.jsonrpc, "2.0", `event ${e.seq} message is JSON-RPC: ${JSON.stringify(e.message)}`);
    if (e.direction === "server_to_client") {
      // server-everything has an event store: every SSE event it sends has an id.
      assert.equal(typeof e.upstream_event_id, "string");
      assert.ok(e.upstream_event_id.length > 0, `event ${e.seq} keeps the upstream's SSE id`);
    }
  });
  const c2s = events.filter((e) => e.direction === "client_to_server");
  const s2c = events.filter((e) => e.direction === "server_to_client");

  // The handshake comes first.
  assert.equal(events[0].direction, "client_to_server");
  assert.equal(events[0].message.method, "initialize");
  assert.equal(events[1].direction, "server_to_client");
  assert.equal(events[1].message.id, events[0].message.id);
  assert.equal(events[1].message.result.protocolVersion, PROTOCOL_VERSION);
  assert.equal(events[2].direction, "client_to_server");
  assert.equal(events[2].message.method, "notifications/initialized");

  // Client-to-server: exactly what the client POSTed, in the same order.
  const sent = recorder.messages.filter((m) => m.dir === "c2s").map((m) => m.msg);
  assert.deepEqual(c2s.map((e) => e.message), sent);

  // Server-to-client: exactly what the client received (streams interleave, so as a multiset).
  const received = recorder.messages.filter((m) => m.dir === "s2c").map((m) => m.msg);
  const unmatched = [...s2c];
  for (const msg of received) {
    const i = unmatched.findIndex((e) => isDeepStrictEqual(e.message, msg));
    assert.ok(i >= 0, `received message is in the log: ${JSON.stringify(msg).slice(0, 300)}`);
    unmatched.splice(i, 1);
  }
  assert.deepEqual(unmatched.map((e) => e.message), [], "the log has no server message the client did not get");

  // stream_id is the HTTP exchange: each POST (its body, then its response
  // events) and the GET stream show up as one stream, in order.
  const streams = new Map();
  for (const e of events) {
    if (!streams.has(e.stream_id)) streams.set(e.stream_id, []);
    streams.get(e.stream_id).push(e);
  }
  for (const [id, list] of streams) {
    for (let i = 1; i < list.length; i++) {
      assert.ok(list[i].stream_seq > list[i - 1].stream_seq, `stream ${id}: stream_seq increases`);
    }
  }
  const groups = [...streams.values()].map((list) => list.map((e) => e.message));
  for (const ex of recorder.exchanges) {
    const expected = [...(ex.sent ? [ex.sent] : []), ...ex.received.map((r) => r.msg)];
    if (expected.length === 0) continue;
    assert.ok(groups.some((g) => isDeepStrictEqual(g, expected)),
              `${ex.method} exchange #${ex.n} is one stream in the log: ${JSON.stringify(expected).slice(0, 300)}`);
  }

  // Every request is answered once, after it, in the other direction.
  for (const req of events.filter((e) => "method" in e.message && "id" in e.message)) {
    const answers = events.filter((e) => e.direction !== req.direction && !("method" in e.message) &&
                                         e.message.id === req.message.id);
    assert.equal(answers.length, 1, `one answer to ${req.message.method} id ${req.message.id}`);
    assert.ok(answers[0].seq > req.seq, `${req.message.method} id ${req.message.id} answered after it was sent`);
  }
  const callOf = (name) => {
    const req = c2s.find((e) => e.message.method === "tools/call" && e.message.params.name === name);
    assert.ok(req, `tools/call ${name} logged`);
    const res = s2c.find((e) => !("method" in e.message) && e.message.id === req.message.id);
    return { req, res };
  };
  const between = (e, { req, res }) => e.seq > req.seq && e.seq < res.seq;

  // Progress notifications sit between the long-running call and its result,
  // and were persisted as they streamed (not all at the end).
  const lro = callOf("trigger-long-running-operation");
  const token = lro.req.message.params._meta.progressToken;
  const progress = s2c.filter((e) => e.message.method === "notifications/progress" &&
                                     e.message.params.progressToken === token);
  assert.deepEqual(progress.map((e) => e.message.params.progress), [1, 2, 3, 4]);
  assert.ok(progress.every((e) => between(e, lro)), "progress between tools/call and its result");
  assert.ok(progress.every((e) => e.stream_id === lro.req.stream_id), "progress on the tools/call's stream");
  assert.ok(lro.res.unix_ms - progress[0].unix_ms >= 1000,
            `first progress logged >= 1 s before the result (${progress[0].unix_ms} vs ${lro.res.unix_ms})`);

  // Sampling and elicitation round trips nest inside their tools/call.
  for (const [tool, method] of [["trigger-sampling-request", "sampling/createMessage"],
                                ["trigger-elicitation-request", "elicitation/create"]]) {
    const call = callOf(tool);
    const serverReq = s2c.find((e) => e.message.method === method);
    assert.ok(serverReq, `${method} logged`);
    const clientRes = c2s.find((e) => !("method" in e.message) && e.message.id === serverReq.message.id);
    assert.ok(clientRes, `the client's answer to ${method} logged`);
    assert.ok(between(serverReq, call) && between(clientRes, call), `${method} round trip inside tools/call ${tool}`);
    assert.ok(serverReq.seq < clientRes.seq);
    assert.equal(serverReq.stream_id, call.req.stream_id, `${method} on the tools/call's stream`);
    assert.notEqual(clientRes.stream_id, call.req.stream_id, `the answer to ${method} came on its own POST`);
  }
  const elicitAnswer = c2s.find((e) => !("method" in e.message) && e.message.result?.action === "accept");
  assert.deepEqual(elicitAnswer.message.result.content, ELICIT_REPLY.content);

  // The GET stream's notifications are logged on a stream of their own.
  const update = s2c.find((e) => e.message.method === "notifications/resources/updated");
  assert.ok(update, "notifications/resources/updated logged");
  assert.equal(update.message.params.uri, INSTRUCTIONS_URI);
  const subscribeLog = s2c.find((e) => e.message.method === "notifications/message" &&
                                       String(e.message.params.data).includes("Received Subscribe"));
  assert.ok(subscribeLog, "the subscribe log notification logged");
  assert.equal(update.stream_id, subscribeLog.stream_id, "both on the standalone GET stream");
  const toggle = callOf("toggle-subscriber-updates");
  assert.notEqual(update.stream_id, toggle.req.stream_id, "not on the POST that triggered it");
}, { skip: SKIP_ADMIN });

it("a request with the terminated session id gets HTTP 404", async () => {
  const res = await post(mcpUrl, { jsonrpc: "2.0", id: 99, method: "tools/list" },
                         { sessionId, protocolVersion, extra: { authorization: `Bearer ${TOKEN}` } });
  if (directMode) {
    // server-everything itself answers 400 here (the spec says 404); the sidecar fixes that.
    assert.equal(res.status, 400, describeResponse(res));
    return;
  }
  assert.equal(res.status, 404, describeResponse(res));
  assert.equal(res.json?.jsonrpc, "2.0", `JSON-RPC error body: ${describeResponse(res)}`);
  assert.ok(Number.isInteger(res.json.error?.code), describeResponse(res));
  assert.equal(typeof res.json.error.message, "string");
});

it("the sidecar's log never contains the client's bearer token", () => {
  const log = group.log(sidecar.proc);
  assert.ok(log.length > 0, "the sidecar logged something at debug level");
  assert.ok(!log.includes(TOKEN), "bearer token absent from the sidecar's log");
}, { skip: SKIP_ADMIN });

it("admin: /metrics is Prometheus text and /healthz, /readyz are 200", async () => {
  assert.equal(await admin.healthz(), 200);
  assert.equal(await admin.readyz(), 200);
  const { status, headers, text } = await admin.metrics();
  assert.equal(status, 200);
  assert.match(headers.get("content-type") ?? "", /^text\/plain/);
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const sample = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? (-?[0-9.]+([eE][+-]?[0-9]+)?|NaN|[+-]Inf)( -?[0-9]+)?$/;
  const meta = /^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]*( .*)?$/;
  const bad = lines.filter((l) => !sample.test(l) && !meta.test(l) && !l.startsWith("#"));
  assert.deepEqual(bad, [], "every line is a sample or a comment");
  assert.ok(lines.some((l) => /^# TYPE \S+ (counter|gauge|histogram|summary|untyped)$/.test(l)), "has # TYPE lines");
  assert.ok(lines.some((l) => sample.test(l)), "has samples");
}, { skip: SKIP_ADMIN });
