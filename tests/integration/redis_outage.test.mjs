// Redis failure behaviour seen from outside: not ready until Redis was
// reached once; a Redis outage keeps the node in the balancer (reported, not
// acted on), known sessions keep working, new sessions are refused with 503
// + Retry-After, and every message of the outage reaches the stream once
// Redis is back (AOF on, so nothing acknowledged before the crash is lost).
import { test, after } from "node:test";
import assert from "node:assert/strict";

import { ProcessGroup, startSidecar, startUpstream } from "./support/processes.mjs";
import { startRedis } from "./support/redis.mjs";
import { freePort } from "./support/ports.mjs";
import { AdminClient } from "./support/admin.mjs";
import { connectClient, initializeRequest, post } from "./support/mcp.mjs";
import { sleep, waitFor } from "./support/wait.mjs";

const group = new ProcessGroup("redis-outage");
after(() => group.finish());

const AOF = ["--appendonly", "yes", "--appendfsync", "always"];

test("Redis down at start, lost while running, restarted with AOF: nothing lost", group.guard(async () => {
  const redisPort = await freePort();
  const upstream = await startUpstream(group);
  const sidecar = await startSidecar(group, {
    upstreamUrl: upstream.url,
    set: ["store.kind=redis", `store.redis.url=redis://127.0.0.1:${redisPort}`, "store.cache.ttl=60s"],
  });
  const admin = new AdminClient(sidecar.adminUrl);
  const readyz = async () => {
    const res = await fetch(`${sidecar.adminUrl}/readyz`);
    return { status: res.status, body: await res.json() };
  };

  // 1. Unreachable at start: alive, not ready.
  let r = await readyz();
  assert.equal(r.status, 503);
  assert.equal(r.body.store_ever_reachable, false);
  let redis = await startRedis(group, { port: redisPort, args: AOF, label: "redis-1" });
  await waitFor(async () => (await readyz()).status === 200, { timeoutMs: 10_000, what: "ready once Redis is up" });

  // 2. A session with some traffic.
  const { client, transport } = await connectClient(sidecar.url);
  const sessionId = transport.sessionId;
  await client.callTool({ name: "echo", arguments: { message: "before outage" } });

  // 3. Redis dies: still ready (reported in the body), known session works.
  await group.stop(redis.proc, { signal: "SIGKILL" });
  await waitFor(async () => (await readyz()).body.store === false, { timeoutMs: 10_000, what: "outage reported" });
  r = await readyz();
  assert.equal(r.status, 200, "a store outage does not pull the node out of the balancer");
  const during = [];
  for (let i = 0; i < 5; i++) {
    const res = await client.callTool({ name: "echo", arguments: { message: `during outage ${i}` } });
    during.push(res.content[0].text);
  }
  assert.deepEqual(during, [0, 1, 2, 3, 4].map((i) => `Echo: during outage ${i}`));
  const metrics = await (await fetch(`${sidecar.adminUrl}/metrics`)).text();
  assert.match(metrics, /sidecar_redis_connected 0/);
  assert.match(metrics, /sidecar_store_buffered_events [1-9]/);

  // A new session cannot be recorded: refused before the client learns an id.
  const fresh = await post(sidecar.url, initializeRequest(42));
  assert.equal(fresh.status, 503);
  assert.equal(fresh.json?.id, 42);
  assert.ok(fresh.headers.get("retry-after"));

  // 4. Redis back (AOF replayed): the outage's messages arrive, in order.
  redis = await startRedis(group, { port: redisPort, args: AOF, label: "redis-2" });
  await waitFor(async () => (await readyz()).body.store === true, { timeoutMs: 15_000, what: "reconnected" });
  await waitFor(async () => {
    const events = await admin.allEvents(sessionId);
    return events.filter((e) => String(e.message?.params?.arguments?.message ?? "").startsWith("during outage"))
      .length === 5;
  }, { timeoutMs: 10_000, what: "buffered events flushed" });
  const events = await admin.allEvents(sessionId);
  assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => i + 1), "seq 1..n, no gap, no duplicate");
  const calls = events.filter((e) => e.direction === "client_to_server" && e.message.method === "tools/call");
  assert.deepEqual(calls.map((e) => e.message.params.arguments.message),
                   ["before outage", ...[0, 1, 2, 3, 4].map((i) => `during outage ${i}`)]);
  const answers = events.filter((e) => e.direction === "server_to_client" &&
                                       String(e.message?.result?.content?.[0]?.text ?? "").startsWith("Echo:"));
  assert.equal(answers.length, 6, "every answer the client received is recorded");
  const record = await admin.session(sessionId);
  assert.equal(record.state, "ACTIVE", "acknowledged before the crash, still there after AOF replay");
  await client.close();
  await sleep(10);
}));
