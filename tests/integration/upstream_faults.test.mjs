// What a client sees when the upstream misbehaves: a slow answer still
// arrives (the client's request timeout does not cut it), no answer at all
// becomes 504, and a stream that breaks after its headers is visibly broken
// for the client (never a clean end of a truncated body).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";

import { ProcessGroup, startSidecar, integrationDir, loopbackPreload } from "./support/processes.mjs";
import { freePort } from "./support/ports.mjs";
import { jsonRpcHeaders } from "./support/mcp.mjs";
import { waitFor } from "./support/wait.mjs";

const group = new ProcessGroup("upstream-faults");
let sidecar;

before(async () => {
  const port = await freePort();
  group.spawn("fault-upstream", process.execPath,
              ["--require", loopbackPreload, join(integrationDir, "support", "fault_upstream.mjs")],
              { env: { PORT: String(port) } });
  await waitFor(() => fetch(`http://127.0.0.1:${port}/`, { method: "POST", body: "{}" }).then(() => true),
                { timeoutMs: 10_000, what: "fault upstream" });
  sidecar = await startSidecar(group, {
    upstreamUrl: `http://127.0.0.1:${port}/mcp`,
    set: ["limits.request_timeout=1s", "upstream.response_timeout=3s"],
  });
});
after(() => group.finish());

function call(mode, id) {
  return fetch(`${sidecar.url}?mode=${mode}`, {
    method: "POST",
    headers: jsonRpcHeaders(),
    body: JSON.stringify({ jsonrpc: "2.0", id, method: "tools/list" }),
  });
}

test("an answer slower than limits.request_timeout still reaches the client", group.guard(async () => {
  const t0 = Date.now();
  const res = await call("slow", 11);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { jsonrpc: "2.0", id: 11, result: { ok: true } });
  assert.ok(Date.now() - t0 >= 1900, "the answer took the upstream's 2 s");
}));

test("an upstream that never answers becomes 504 with the request's id", group.guard(async () => {
  const t0 = Date.now();
  const res = await call("hang", 12);
  assert.equal(res.status, 504);
  const body = await res.json();
  assert.equal(body.id, 12);
  assert.equal(body.error.code, -32000);
  assert.ok(Date.now() - t0 >= 2500, "after upstream.response_timeout");
}));

test("an SSE stream that breaks mid-way is broken for the client too", group.guard(async () => {
  const res = await call("break-sse", 13);
  assert.equal(res.status, 200);
  await assert.rejects(res.text(), "reading the body fails instead of ending cleanly");
}));

test("a body cut short of its Content-Length is broken for the client at once", group.guard(async () => {
  const t0 = Date.now();
  const res = await call("break-length", 14);
  assert.equal(res.status, 200);
  await assert.rejects(res.text());
  assert.ok(Date.now() - t0 < 2000, "no wait for a timeout");
}));

test("a DELETE with a body is refused before reaching the upstream", group.guard(async () => {
  // fetch() cannot send a GET body; DELETE takes the same path in the parser.
  const res = await fetch(sidecar.url, { method: "DELETE", headers: jsonRpcHeaders(),
                                         body: "GET /smuggled HTTP/1.1\r\n\r\n" });
  assert.equal(res.status, 400);
  const body = await res.json();
  assert.equal(body.error.code, -32600);
  assert.match(body.error.message, /carry no body/);
}));

async function gauge(name) {
  const text = await (await fetch(`${sidecar.adminUrl}/metrics`)).text();
  const m = new RegExp(`^${name} (\\d+)$`, "m").exec(text);
  return m ? Number(m[1]) : 0;
}

test("a client that hangs up while the upstream thinks is seen at once and releases the exchange",
     group.guard(async () => {
  const before = await gauge("sidecar_client_hangups_total");
  const controller = new AbortController();
  const pending = fetch(`${sidecar.url}?mode=slow`, {
    method: "POST", headers: jsonRpcHeaders(), signal: controller.signal,
    body: JSON.stringify({ jsonrpc: "2.0", id: 15, method: "tools/list" }),
  }).catch(() => "aborted");
  await waitFor(async () => (await gauge("sidecar_exchanges_active")) === 1, { timeoutMs: 2000, what: "in flight" });
  const t0 = Date.now();
  controller.abort();
  assert.equal(await pending, "aborted");
  await waitFor(async () => (await gauge("sidecar_client_hangups_total")) === before + 1 &&
                            (await gauge("sidecar_exchanges_active")) === 0,
                { timeoutMs: 1500, what: "hang-up seen and exchange released" });
  assert.ok(Date.now() - t0 < 1500, "well before the upstream's 2 s answer");
}));

test("end-to-end headers pass both ways, hop-by-hop ones do not, X-Forwarded-* are added",
     group.guard(async () => {
  const http = await import("node:http");
  const { port } = new URL(sidecar.url);
  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" });
  const answer = await new Promise((resolve, reject) => {
    const req = http.request({
      host: "127.0.0.1", port, path: "/mcp?mode=headers", method: "POST",
      headers: {
        "content-type": "application/json", accept: "application/json, text/event-stream",
        authorization: "Bearer e2e", "mcp-protocol-version": "2025-11-25", "mcp-method": "tools/list",
        connection: "keep-alive, x-private", "x-private": "hop", "keep-alive": "timeout=5",
        te: "trailers", "content-length": Buffer.byteLength(body),
      },
    }, (res) => {
      let text = "";
      res.on("data", (c) => { text += c; });
      res.on("end", () => resolve({ headers: res.headers, json: JSON.parse(text) }));
    });
    req.on("error", reject);
    req.end(body);
  });
  const seen = answer.json.result.headers;
  assert.equal(seen.authorization, "Bearer e2e");
  assert.equal(seen["mcp-protocol-version"], "2025-11-25");
  assert.equal(seen["mcp-method"], "tools/list");
  assert.equal(seen.host, `127.0.0.1:${port}`, "the client's Host by default");
  assert.equal(seen["x-forwarded-for"], "127.0.0.1");
  assert.equal(seen["x-forwarded-proto"], "http");
  for (const hop of ["x-private", "keep-alive", "te"]) assert.equal(seen[hop], undefined, `${hop} not forwarded`);
  assert.equal(answer.headers["x-upstream-private"], undefined, "hop-by-hop response header dropped");
}));
