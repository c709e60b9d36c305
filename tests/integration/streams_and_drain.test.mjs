// Long-lived streams and shutdown: an idle SSE stream outlives the request
// timeout; SIGTERM stops accepting, lets an in-flight tool call finish and
// exits 0; a stream that outlasts drain.timeout is cut at the deadline.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";

import { ProcessGroup, startSidecar, startUpstream } from "./support/processes.mjs";
import { initializeRaw, jsonRpcHeaders, post } from "./support/mcp.mjs";
import { SseParser } from "./support/sse.mjs";
import { sleep, withTimeout } from "./support/wait.mjs";

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

test("SIGTERM lets an in-flight tool call finish, refuses new connections, exits 0", group.guard(async () => {
  const upstream = await startUpstream(group, { label: "upstream-drain" });
  const sidecar = await startSidecar(group, { upstreamUrl: upstream.url, label: "sidecar-drain",
                                              set: ["drain.timeout=10s"] });
  const session = await initializeRaw(sidecar.url);
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

test("a stream that outlasts drain.timeout is cut at the deadline and the exit is still 0",
     group.guard(async () => {
  const upstream = await startUpstream(group, { label: "upstream-deadline" });
  const sidecar = await startSidecar(group, { upstreamUrl: upstream.url, label: "sidecar-deadline",
                                              set: ["drain.timeout=1s"] });
  const session = await initializeRaw(sidecar.url);
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
