// Long-lived streams and shutdown: an idle SSE stream outlives the request
// timeout; SIGTERM stops accepting, lets an in-flight tool call finish and
// exits 0; a stream that outlasts drain.timeout is cut at the deadline.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";

import { ProcessGroup, startSidecar, startUpstream } from "./support/processes.mjs";
import { initializeRaw, jsonRpcHeaders, post } from "./support/mcp.mjs";
import { SseParser } from "./support/sse.mjs";
import { sleep, waitFor, withTimeout } from "./support/wait.mjs";
import { AdminClient } from "./support/admin.mjs";

const group = new ProcessGroup("streams-drain");
after(() => group.finish());

// Opens the standalone GET stream and yields parsed JSON-RPC messages.
async function openGetStream(url, session) {
  const controller = new AbortController();
  const res = await fetch(url, {
    method: "GET",
    headers: jsonRpcHeaders({ ...session, extra: { accept: "text/event-stream" } }),
    signal: controller.signal,
  });
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/event-stream/);
  const messages = [];
  const waiters = [];
  const parser = new SseParser((ev) => {
    if (!ev.data) return;
    messages.push(JSON.parse(ev.data));
    waiters.splice(0).forEach((w) => w());
  });
  (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body) parser.feed(decoder.decode(chunk, { stream: true }));
    } catch { /* aborted */ }
  })();
  return {
    messages,
    close: () => controller.abort(),
    next: (pred) => new Promise((resolve) => {
      const check = () => {
        const m = messages.find(pred);
        if (m) resolve(m); else waiters.push(check);
      };
      check();
    }),
  };
}

function connectRefused(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => { socket.destroy(); resolve(false); });
    socket.once("error", (err) => resolve(err.code === "ECONNREFUSED"));
  });
}

test("an idle SSE stream outlives limits.request_timeout", group.guard(async () => {
  const upstream = await startUpstream(group, { label: "upstream-idle" });
  const sidecar = await startSidecar(group, { upstreamUrl: upstream.url, label: "sidecar-idle",
                                              set: ["limits.request_timeout=1s"] });
  const session = await initializeRaw(sidecar.url);
  const stream = await openGetStream(sidecar.url, session);
  await sleep(2500);  // silent for 2.5 request timeouts

  const uri = "demo://resource/static/document/architecture.md";
  const logged = stream.next((m) => m.method === "notifications/message" &&
                                    String(m.params?.data).includes("Received Subscribe"));
  const sub = await post(sidecar.url, { jsonrpc: "2.0", id: 5, method: "resources/subscribe", params: { uri } },
                         session);
  assert.equal(sub.status, 200);
  await withTimeout(logged, 5000, "a notification on the long-idle GET stream");
  stream.close();
}));

test("SIGTERM, before 2025-11-25: an in-flight tool call finishes on its stream, new connections are refused, exit 0",
     group.guard(async () => {
  const upstream = await startUpstream(group, { label: "upstream-drain" });
  const sidecar = await startSidecar(group, { upstreamUrl: upstream.url, label: "sidecar-drain",
                                              set: ["drain.timeout=10s"] });
  // Older revisions expect the stream to stay open until the response.
  const session = await initializeRaw(sidecar.url, { protocolVersion: "2025-06-18" });
  assert.equal(session.protocolVersion, "2025-06-18");
  const call = post(sidecar.url, {
    jsonrpc: "2.0", id: 7, method: "tools/call",
    params: { name: "trigger-long-running-operation", arguments: { duration: 2, steps: 2 } },
  }, session);
  await sleep(500);
  process.kill(sidecar.proc.pid, "SIGTERM");
  await sleep(200);
  assert.ok(await connectRefused(sidecar.port), "new connections are refused while draining");
  assert.equal(group.running(sidecar.proc), true, "still running while the call is in flight");

  const res = await call;
  assert.equal(res.status, 200);
  const result = res.messages.find((m) => m.id === 7);
  assert.match(result?.result?.content?.[0]?.text ?? "", /Long running operation completed/);
  await withTimeout(sidecar.proc.exited, 5000, "exit after the drain");
  assert.equal(sidecar.proc.exitCode, 0);
  assert.match(group.log(sidecar.proc), /event=drained/);
}));

test("SIGTERM, 2025-11-25: open streams get retry: and close, the work is read to the end and persisted, exit 0",
     group.guard(async () => {
  const upstream = await startUpstream(group, { label: "upstream-drain-new" });
  const sidecar = await startSidecar(group, { upstreamUrl: upstream.url, label: "sidecar-drain-new",
                                              set: ["drain.timeout=4s", "streams.retry=750ms"] });
  const session = await initializeRaw(sidecar.url);
  assert.equal(session.protocolVersion, "2025-11-25");
  // An older session's stream runs on to drain.timeout: it keeps the node
  // (and its memory store) up long enough to read the log after the call.
  const older = await initializeRaw(sidecar.url, { protocolVersion: "2025-06-18" });
  const olderStream = await openGetStream(sidecar.url, older);
  const admin = new AdminClient(sidecar.adminUrl);
  const call = post(sidecar.url, {
    jsonrpc: "2.0", id: 7, method: "tools/call",
    params: { name: "trigger-long-running-operation", arguments: { duration: 2, steps: 4 },
              _meta: { progressToken: "drain" } },
  }, session);
  await sleep(700);
  process.kill(sidecar.proc.pid, "SIGTERM");

  // The client is told to come back (to another node) and the stream ends
  // without the response...
  const res = await withTimeout(call, 1500, "the stream closed for the drain");
  assert.equal(res.status, 200);
  assert.match(res.text, /^retry: 750$/m, "a retry: hint before the close");
  assert.equal(res.messages.find((m) => m.id === 7), undefined, "no response on the closed stream");
  const ids = [...res.text.matchAll(/^id: (.*)$/gm)].map((m) => m[1]);
  assert.ok(ids.length >= 2 && ids.every((id) => id.startsWith("p.")), `the sidecar's ids: ${ids}`);
  // ...while the node reads the call to its end and records it.
  assert.equal(group.running(sidecar.proc), true, "still running while the call is in flight");
  const events = await waitFor(async () => {
    const all = await admin.allEvents(session.sessionId);
    return all.some((e) => e.direction === "server_to_client" &&
                           JSON.stringify(e.message).includes("Long running operation completed"))
      ? all : null;
  }, { timeoutMs: 5000, what: "the tool's result in the log" });
  const progress = events.filter((e) => e.message.method === "notifications/progress");
  assert.equal(progress.length, 4, "every progress notification recorded");
  await withTimeout(sidecar.proc.exited, 5000, "exit at the drain deadline");
  olderStream.close();
  assert.equal(sidecar.proc.exitCode, 0);
  assert.equal((group.log(sidecar.proc).match(/event=stream_closed_for_drain/g) ?? []).length, 1,
               "only the 2025-11-25 stream was closed for the drain");
  assert.match(group.log(sidecar.proc), /event=orphan_stream_completed/);
}));

test("a stream that outlasts drain.timeout is cut at the deadline and the exit is still 0",
     group.guard(async () => {
  const upstream = await startUpstream(group, { label: "upstream-deadline" });
  const sidecar = await startSidecar(group, { upstreamUrl: upstream.url, label: "sidecar-deadline",
                                              set: ["drain.timeout=1s"] });
  // 2025-11-25 streams are closed at once for a drain; older ones run on.
  const session = await initializeRaw(sidecar.url, { protocolVersion: "2025-06-18" });
  const stream = await openGetStream(sidecar.url, session);
  const t0 = Date.now();
  process.kill(sidecar.proc.pid, "SIGTERM");
  await withTimeout(sidecar.proc.exited, 5000, "exit at the drain deadline");
  const waited = Date.now() - t0;
  assert.ok(waited >= 900, `waited ${waited} ms for the open stream`);
  assert.equal(sidecar.proc.exitCode, 0);
  assert.match(group.log(sidecar.proc), /event=drain_timeout/);
  stream.close();
}));
