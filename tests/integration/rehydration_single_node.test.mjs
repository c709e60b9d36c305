// Rehydration on one node: the upstream process restarts mid-session (its
// sessions are gone) and the client's next requests still succeed, on the
// session id it was first given, with the capability-gated tools back and a
// resource subscription replayed. The synthetic messages are in the audit
// log, marked synthetic, and never reached the client.
import { test, after } from "node:test";
import assert from "node:assert/strict";

import { ProcessGroup, startSidecar, everythingEntry, loopbackPreload } from "./support/processes.mjs";
import { freePort } from "./support/ports.mjs";
import { AdminClient } from "./support/admin.mjs";
import { connectClient } from "./support/mcp.mjs";
import { waitFor } from "./support/wait.mjs";

const group = new ProcessGroup("rehydration-single");
after(() => group.finish());

async function startEverythingOn(port, label) {
  const proc = group.spawn(label, process.execPath, ["--require", loopbackPreload, everythingEntry, "streamableHttp"],
                           { env: { PORT: String(port) } });
  await waitFor(() => fetch(`http://127.0.0.1:${port}/mcp`).then(() => true), { timeoutMs: 15_000, what: label });
  return proc;
}

test("an upstream restart mid-session is invisible to the client", group.guard(async () => {
  const port = await freePort();
  let upstream = await startEverythingOn(port, "upstream-1");
  const sidecar = await startSidecar(group, { upstreamUrl: `http://127.0.0.1:${port}/mcp` });
  const admin = new AdminClient(sidecar.adminUrl);

  const { client, transport } = await connectClient(sidecar.url, {
    capabilities: { sampling: {}, elicitation: { form: {} } },
  });
  const sessionId = transport.sessionId;
  const before = (await client.listTools()).tools.map((t) => t.name).sort();
  assert.ok(before.includes("trigger-sampling-request"));
  await client.setLoggingLevel("debug");
  await client.subscribeResource({ uri: "demo://resource/static/document/architecture.md" });

  await group.stop(upstream, { signal: "SIGKILL" });
  upstream = await startEverythingOn(port, "upstream-2");

  const after = (await client.listTools()).tools.map((t) => t.name).sort();
  assert.deepEqual(after, before, "the capability-gated tools are back: initialized was replayed");
  const echo = await client.callTool({ name: "echo", arguments: { message: "after restart" } });
  assert.equal(echo.content[0].text, "Echo: after restart");
  assert.equal(transport.sessionId, sessionId, "the client still uses its first session id");

  const events = await admin.allEvents(sessionId);
  const synthetic = events.filter((e) => e.synthetic);
  const sentMethods = synthetic.filter((e) => e.direction === "client_to_server").map((e) => e.message.method);
  assert.deepEqual(sentMethods, ["initialize", "notifications/initialized", "logging/setLevel", "resources/subscribe"]);
  for (const e of synthetic) {
    if (e.message.id !== undefined) assert.match(String(e.message.id), /^mcp-sidecar:rehydrate:/);
  }
  const init = synthetic.find((e) => e.message.method === "initialize");
  const original = events.find((e) => !e.synthetic && e.message.method === "initialize");
  assert.deepEqual(init.message.params, original.message.params, "the client's original params were replayed");
  const metrics = await (await fetch(`${sidecar.adminUrl}/metrics`)).text();
  assert.match(metrics, /sidecar_rehydrations_total\{result="ok"\} 1/);
  await client.close();
}));
