// Hostile and broken input, and a broken upstream, with raw fetch: each case
// must get the documented HTTP status and a JSON-RPC error body, never a hang,
// a crash or an HTML error page.
//
//   sidecar "limits"   -> server-everything   (small body/header limits)
//   sidecar "down"     -> a closed port       (upstream unreachable)
//   sidecar "readyz"   -> server-everything   (killed mid-test)
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { AdminClient } from "./support/admin.mjs";
import { describeResponse, initializeRaw, initializeRequest, jsonRpcHeaders, post, readResponse }
  from "./support/mcp.mjs";
import { freePort } from "./support/ports.mjs";
import { ProcessGroup, directMode, startSidecar, startUpstream } from "./support/processes.mjs";
import { waitFor } from "./support/wait.mjs";

const MAX_BODY = 1024;
const MAX_HEADERS = 4096;
const group = new ProcessGroup("bad-input");
let limits;   // { url, base, adminUrl, ... }
let down;
let readyUpstream;
let ready;

before(group.guard(async () => {
  if (directMode) return;  // every case here is about the sidecar
  const [upstream, upstreamForReady, closedPort] = await Promise.all([
    startUpstream(group, { label: "upstream" }),
    startUpstream(group, { label: "upstream-readyz" }),
    freePort(),
  ]);
  readyUpstream = upstreamForReady;
  [limits, down, ready] = await Promise.all([
    startSidecar(group, {
      label: "sidecar-limits",
      upstreamUrl: upstream.url,
      set: [`limits.max_body_bytes=${MAX_BODY}`, `limits.max_header_bytes=${MAX_HEADERS}`],
    }),
    startSidecar(group, { label: "sidecar-down", upstreamUrl: `http://127.0.0.1:${closedPort}/mcp` }),
    startSidecar(group, { label: "sidecar-readyz", upstreamUrl: upstreamForReady.url }),
  ]);
}), { timeout: 60_000 });

after(() => group.finish());

// Per-test timeouts: a stuck case fails here, and after() still kills the processes.
const SKIP = directMode && "MCP_IT_DIRECT=1: these cases need the sidecar";
const it = (name, fn) => test(name, { timeout: 30_000, skip: SKIP }, group.guard(fn));

function assertJsonRpcError(res, { status, code, id } = {}) {
  const what = describeResponse(res);
  if (status !== undefined) assert.equal(res.status, status, what);
  assert.equal(res.contentType, "application/json", `JSON body: ${what}`);
  assert.ok(res.json && typeof res.json === "object" && !Array.isArray(res.json), `JSON object: ${what}`);
  assert.equal(res.json.jsonrpc, "2.0", what);
  assert.ok(!("result" in res.json), what);
  assert.ok(Number.isInteger(res.json.error?.code), `integer error.code: ${what}`);
  assert.equal(typeof res.json.error.message, "string", what);
  if (code !== undefined) assert.equal(res.json.error.code, code, what);
  if (id !== undefined) {
    assert.ok("id" in res.json, `error carries an id: ${what}`);
    assert.deepEqual(res.json.id, id, what);
  }
}

// A valid initialize request whose JSON text is exactly `bytes` long.
function initializeOfSize(bytes) {
  const base = initializeRequest(1, "");
  const overhead = JSON.stringify(base).length;
  assert.ok(bytes >= overhead);
  base.params.clientInfo.name = "x".repeat(bytes - overhead);
  const text = JSON.stringify(base);
  assert.equal(Buffer.byteLength(text), bytes);
  return text;
}

it("malformed JSON -> 400 with a -32700 parse error and id null", async () => {
  for (const body of ['{"jsonrpc":"2.0","id":1,"method":"initialize",', "not json at all", '{"a":1} trailing']) {
    const res = await post(limits.url, body);
    assertJsonRpcError(res, { status: 400, code: -32700, id: null });
  }
});

it(`body over limits.max_body_bytes (${MAX_BODY}) -> 413 with a JSON-RPC error; under it -> accepted`, async () => {
  const ok = await post(limits.url, initializeOfSize(MAX_BODY - 100));
  assert.equal(ok.status, 200, `a body under the limit is served: ${describeResponse(ok)}`);
  assert.ok(ok.headers.get("mcp-session-id"), "and gets a session");

  const res = await post(limits.url, initializeOfSize(MAX_BODY * 4));
  assertJsonRpcError(res, { status: 413 });
});

it(`headers over limits.max_header_bytes (${MAX_HEADERS}) -> 431 with a JSON-RPC error`, async () => {
  const res = await post(limits.url, initializeRequest(1), { extra: { "x-padding": "p".repeat(MAX_HEADERS * 2) } });
  assertJsonRpcError(res, { status: 431 });
});

it("a foreign Origin -> 403 with an id-less JSON-RPC error; a loopback Origin is served", async () => {
  const res = await post(limits.url, initializeRequest(7), { extra: { origin: "http://evil.example" } });
  assertJsonRpcError(res, { status: 403 });
  assert.ok(res.json.id === undefined || res.json.id === null, `no request id echoed: ${describeResponse(res)}`);

  const okRes = await post(limits.url, initializeRequest(8), { extra: { origin: "http://localhost" } });
  assert.equal(okRes.status, 200, `loopback origin served: ${describeResponse(okRes)}`);
});

it("after DELETE, the session id gets 404 with a JSON-RPC error (POST and GET)", async () => {
  const session = await initializeRaw(limits.url);
  const listed = await post(limits.url, { jsonrpc: "2.0", id: 2, method: "tools/list" }, session);
  assert.equal(listed.status, 200, `the live session works: ${describeResponse(listed)}`);

  const del = await fetch(limits.url, { method: "DELETE", headers: jsonRpcHeaders(session) });
  await del.body?.cancel();
  assert.ok(del.status >= 200 && del.status < 300, `DELETE -> ${del.status}`);

  const res = await post(limits.url, { jsonrpc: "2.0", id: 3, method: "tools/list" }, session);
  assertJsonRpcError(res, { status: 404 });

  const get = await readResponse(await fetch(limits.url, {
    method: "GET",
    headers: { ...jsonRpcHeaders(session), accept: "text/event-stream" },
    signal: AbortSignal.timeout(5000),
  }));
  assertJsonRpcError(get, { status: 404 });
});

it("a session id the memory store does not know is forwarded; the upstream's verdict is relayed", async () => {
  // The embedded store cannot know sessions the upstream minted before this
  // process started, so the upstream decides (server-everything: 400). A
  // malformed id never reaches it.
  const res = await post(limits.url, { jsonrpc: "2.0", id: 4, method: "tools/list" },
                         { sessionId: "no-such-session-4b1d", protocolVersion: "2025-11-25" });
  assert.equal(res.status, 400, describeResponse(res));
  assert.match(res.json?.error?.message ?? "", /No valid session ID/, describeResponse(res));
  const sessionless = await new AdminClient(limits.adminUrl).sessionlessEvents();
  assert.ok(sessionless.events.some((e) => e.message?.id === 4 && e.message?.method === "tools/list"),
            "the forwarded request is in the sessionless audit log");

  const bad = await post(limits.url, { jsonrpc: "2.0", id: 5, method: "tools/list" },
                         { sessionId: "has space", protocolVersion: "2025-11-25" });
  assertJsonRpcError(bad, { status: 400 });
});

it("a method other than GET/POST/DELETE -> 405 with an Allow header", async () => {
  const res = await fetch(limits.url, { method: "PUT", headers: jsonRpcHeaders(), body: "{}" });
  await res.body?.cancel();
  assert.equal(res.status, 405);
  const allow = (res.headers.get("allow") ?? "").split(",").map((m) => m.trim().toUpperCase());
  for (const method of ["GET", "POST", "DELETE"]) assert.ok(allow.includes(method), `Allow lists ${method}: ${allow}`);
  assert.ok(!allow.includes("PUT"), "Allow does not list PUT");
});

it("upstream unreachable -> 502 with a JSON-RPC error carrying the request's id", async () => {
  for (const id of ["req-502", 502]) {
    const res = await post(down.url, initializeRequest(id));
    assertJsonRpcError(res, { status: 502, id });
  }
});

it("/readyz is 200 while the upstream is up and 503 within 5 s after it is killed", async () => {
  await waitFor(async () => (await new AdminClient(ready.adminUrl).readyz()) === 200,
                { timeoutMs: 5000, what: "readyz 200 with the upstream up" });
  // The unreachable-upstream sidecar is alive (healthz answered) but not ready.
  const downAdmin = new AdminClient(down.adminUrl);
  await waitFor(async () => (await downAdmin.readyz()) === 503,
                { timeoutMs: 5000, what: "readyz 503 with the upstream port closed" });
  assert.equal(await downAdmin.healthz(), 200, "healthz is liveness only");

  await group.stop(readyUpstream.proc, { signal: "SIGKILL" });
  const killedAt = Date.now();
  const admin = new AdminClient(ready.adminUrl);
  await waitFor(async () => (await admin.readyz()) === 503,
                { timeoutMs: 5000, intervalMs: 100, what: "readyz 503 after the upstream was killed" });
  assert.ok(Date.now() - killedAt <= 5500);
  assert.equal(await admin.healthz(), 200, "the sidecar itself is still alive");
});
