// The operator CLI against a running sidecar: `mcp-sidecar sessions
// list|show|events|delete` reads what the daemon recorded (through its admin
// listener, found via the same config file) and prints it as tables or JSON.
//
//   mcp-sidecar sessions ...  --admin HTTP-->  sidecar  -->  server-everything
//                                               ^
//                       initializeRaw + tools/call (raw fetch)
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, test } from "node:test";

import { AdminClient } from "./support/admin.mjs";
import { describeResponse, initializeRaw, post } from "./support/mcp.mjs";
import { freePort } from "./support/ports.mjs";
import { ProcessGroup, directMode, sidecarBin, startSidecar, startUpstream } from "./support/processes.mjs";
import { startRedis } from "./support/redis.mjs";
import { waitFor } from "./support/wait.mjs";

const group = new ProcessGroup("cli");
let sidecar;   // { url, adminUrl, configPath, ... }
let admin;
let session;   // { sessionId, protocolVersion }

before(group.guard(async () => {
  if (directMode) return;  // the CLI reads the sidecar's records
  const upstream = await startUpstream(group);
  sidecar = await startSidecar(group, { upstreamUrl: upstream.url });
  admin = new AdminClient(sidecar.adminUrl);
  session = await initializeRaw(sidecar.url);
  const call = await toolsCall(2, "recorded by the sidecar");
  assert.equal(call.status, 200, describeResponse(call));
}), { timeout: 60_000 });

after(() => group.finish());

const SKIP = directMode && "MCP_IT_DIRECT=1: the CLI needs the sidecar";
const it = (name, fn) => test(name, { timeout: 30_000, skip: SKIP }, group.guard(fn));

function toolsCall(id, message) {
  return post(sidecar.url, {
    jsonrpc: "2.0", id, method: "tools/call", params: { name: "echo", arguments: { message } },
  }, session);
}

// Runs the binary to completion: { code, signal, stdout, stderr }.
function cli(args, { timeoutMs = 15_000 } = {}) {
  return new Promise((resolve) => {
    execFile(sidecarBin(), args, { timeout: timeoutMs, encoding: "utf8" }, (err, stdout, stderr) => {
      resolve({ code: err ? err.code : 0, signal: err?.signal ?? null, stdout, stderr });
    });
  });
}

function describeRun(args, run) {
  return `mcp-sidecar ${args.join(" ")} -> code=${run.code} signal=${run.signal}\n` +
         `stdout: ${run.stdout.slice(0, 2000)}\nstderr: ${run.stderr.slice(0, 2000)}`;
}

// Runs and requires exit 0 with nothing on stderr.
async function cliOk(args) {
  const run = await cli(args);
  assert.equal(run.code, 0, describeRun(args, run));
  assert.equal(run.stderr, "", describeRun(args, run));
  return run.stdout;
}

function ndjson(text) {
  return text.split("\n").filter((line) => line.length > 0).map((line) => JSON.parse(line));
}

function assertSeqOrder(events) {
  events.forEach((e, i) => assert.equal(e.seq, i + 1, `event ${i} has seq ${e.seq}: ${JSON.stringify(e)}`));
}

it("sessions list --json: global flags before or after the subcommand mean the same", async () => {
  const before = JSON.parse(await cliOk(["--config", sidecar.configPath, "sessions", "list", "--json"]));
  const afterwards = JSON.parse(await cliOk(["sessions", "list", "--config", sidecar.configPath, "--json"]));
  for (const listed of [before, afterwards]) {
    assert.ok(Array.isArray(listed.sessions), JSON.stringify(listed));
    const mine = listed.sessions.find((s) => s.id === session.sessionId);
    assert.ok(mine, `session ${session.sessionId} listed: ${JSON.stringify(listed)}`);
    assert.equal(mine.state, "ACTIVE");
    // initialize, its result, notifications/initialized, tools/call, its result
    assert.ok(mine.event_count >= 5, `event_count ${mine.event_count}`);
    assert.deepEqual(mine, await admin.session(session.sessionId));
  }
});

it("sessions show ID --json prints the record with the initialize exchange", async () => {
  const record = JSON.parse(await cliOk(["--config", sidecar.configPath, "sessions", "show", session.sessionId, "--json"]));
  assert.equal(record.id, session.sessionId);
  assert.equal(record.state, "ACTIVE");
  assert.equal(record.protocol_version, session.protocolVersion);
  assert.equal(record.client_params.clientInfo.name, "raw-fetch");
  assert.equal(record.server_result.protocolVersion, session.protocolVersion);
  assert.deepEqual(record, await admin.session(session.sessionId));
});

it("sessions events ID --json prints one event per line in seq order, initialize first", async () => {
  const events = ndjson(await cliOk(["--config", sidecar.configPath, "sessions", "events", session.sessionId, "--json"]));
  const record = await admin.session(session.sessionId);
  assert.equal(events.length, record.event_count);
  assertSeqOrder(events);
  assert.equal(events[0].direction, "client_to_server");
  assert.equal(events[0].message.method, "initialize");
  assert.ok(events.some((e) => e.message.method === "tools/call" && e.message.id === 2), "the tools/call request");
  assert.ok(events.some((e) => e.direction === "server_to_client" && e.message.id === 2 && e.message.result),
            "the tools/call result");
  assert.deepEqual(events, await admin.allEvents(session.sessionId));
});

it("the human tables have a header row and the session", async () => {
  const list = (await cliOk(["--config", sidecar.configPath, "sessions", "list"])).split("\n");
  assert.match(list[0], /^ID\s+STATE\s+PROTOCOL\s+CREATED\s+LAST SEEN\s+EVENTS$/);
  const row = list.find((line) => line.startsWith(`${session.sessionId} `));
  assert.ok(row, `a row for ${session.sessionId}:\n${list.join("\n")}`);
  assert.match(row, /\bACTIVE\b/);
  assert.match(row, /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/);

  const events = (await cliOk(["--config", sidecar.configPath, "sessions", "events", session.sessionId]))
    .split("\n").filter((line) => line.length > 0);
  assert.match(events[0], /^SEQ\s+TIME\s+DIRECTION\s+STREAM\s+STREAM SEQ\s+MESSAGE$/);
  assert.equal(events.length, (await admin.session(session.sessionId)).event_count + 1);
  assert.match(events[1], /^1\s+\S+Z\s+client->server\s+\S+\s+1\s+\{"jsonrpc":"2.0"/);
});

it("sessions events ID --follow --json streams an event produced after it started", async () => {
  const known = (await admin.session(session.sessionId)).event_count;
  const follower = group.spawn("cli-follow", sidecarBin(),
                               ["--config", sidecar.configPath, "sessions", "events", session.sessionId, "--follow", "--json"]);
  const lines = () => ndjson(group.log(follower));
  await waitFor(() => lines().length >= known, { timeoutMs: 10_000, what: `the ${known} recorded events` });
  assert.ok(group.running(follower), "--follow keeps running once caught up");

  const call = await toolsCall(3, "after the follower started");
  assert.equal(call.status, 200, describeResponse(call));
  await waitFor(() => lines().some((e) => e.message.id === 3 && e.direction === "server_to_client"),
                { timeoutMs: 10_000, what: "the new tools/call and its result on the follower" });

  await group.stop(follower, { signal: "SIGINT" });
  assert.equal(follower.exitCode, 0, `stopped by SIGINT: code=${follower.exitCode} signal=${follower.signal}`);
  const events = lines();
  assertSeqOrder(events);  // nothing printed twice, nothing skipped across polls
  assert.ok(events.some((e) => e.message.method === "tools/call" && e.message.id === 3));
});

it("sessions delete ID closes the session: show says CLOSED and the sidecar answers 404", async () => {
  const deleted = await cliOk(["--config", sidecar.configPath, "sessions", "delete", session.sessionId]);
  assert.match(deleted, /^state:\s+CLOSED$/m);
  const record = JSON.parse(await cliOk(["sessions", "show", session.sessionId, "--json", "--config", sidecar.configPath]));
  assert.equal(record.state, "CLOSED");
  const listed = JSON.parse(await cliOk(["--config", sidecar.configPath, "sessions", "list", "--json"]));
  assert.equal(listed.sessions.find((s) => s.id === session.sessionId)?.state, "CLOSED", "list shows CLOSED sessions");

  const res = await post(sidecar.url, { jsonrpc: "2.0", id: 4, method: "tools/list" }, session);
  assert.equal(res.status, 404, describeResponse(res));

  // Deleting again is safe to retry: still 0, with a note.
  const args = ["--config", sidecar.configPath, "sessions", "delete", session.sessionId];
  const again = await cli(args);
  assert.equal(again.code, 0, describeRun(args, again));
  assert.match(again.stderr, /already CLOSED/);
});

it("an unknown session id exits 1 with a message on stderr", async () => {
  for (const verb of ["show", "events", "delete"]) {
    const args = ["--config", sidecar.configPath, "sessions", verb, "no-such-session", "--json"];
    const run = await cli(args);
    assert.equal(run.code, 1, describeRun(args, run));
    assert.equal(run.stdout, "", describeRun(args, run));
    assert.match(run.stderr, /session no-such-session not found/, describeRun(args, run));
  }
});

it("usage errors exit 2 without needing a config", async () => {
  for (const args of [["sessions"], ["sessions", "show"], ["sessions", "frobnicate"],
                      ["sessions", "list", "--follow"], ["sessions", "list", "--bogus"]]) {
    const run = await cli(args);
    assert.equal(run.code, 2, describeRun(args, run));
    assert.match(run.stderr, /usage: mcp-sidecar/, describeRun(args, run));
  }
});

it("a daemon that is not there, or a store the build cannot open, exits 1 and says why", async () => {
  const closed = await freePort();
  const down = ["--config", sidecar.configPath, "--set", `admin.listen=127.0.0.1:${closed}`, "sessions", "list"];
  const run = await cli(down);
  assert.equal(run.code, 1, describeRun(down, run));
  assert.match(run.stderr, new RegExp(`cannot reach the admin API at 127\\.0\\.0\\.1:${closed}`), describeRun(down, run));

  const noRedis = await freePort();
  const redis = ["--config", sidecar.configPath, "--set", "store.kind=redis",
                 "--set", `store.redis.url=redis://127.0.0.1:${noRedis}`, "sessions", "list"];
  const viaRedis = await cli(redis);
  assert.equal(viaRedis.code, 1, describeRun(redis, viaRedis));
  assert.match(viaRedis.stderr, /cannot reach the store/, describeRun(redis, viaRedis));
});

it("with store.kind=redis the commands read Redis directly, with no daemon running", async () => {
  const redis = await startRedis(group, { label: "cli-redis" });
  const upstream = await startUpstream(group, { label: "cli-redis-upstream" });
  const redisSet = ["--set", "store.kind=redis", "--set", `store.redis.url=${redis.url}`];
  const node = await startSidecar(group, { upstreamUrl: upstream.url, label: "cli-redis-sidecar",
                                           set: redisSet.filter((a) => a !== "--set") });
  const s = await initializeRaw(node.url);
  const call = await post(node.url, { jsonrpc: "2.0", id: 2, method: "tools/call",
                                      params: { name: "echo", arguments: { message: "in redis" } } }, s);
  assert.equal(call.status, 200);
  await group.stop(node.proc);  // nothing left to ask but Redis

  const list = await cli(["sessions", "list", "--json", "--config", node.configPath, ...redisSet]);
  assert.equal(list.code, 0, describeRun(["list"], list));
  const listed = JSON.parse(list.stdout).sessions.find((x) => x.id === s.sessionId);
  assert.equal(listed?.state, "ACTIVE");
  assert.ok(listed.event_count >= 5, `events recorded: ${listed.event_count}`);

  const events = await cli(["--config", node.configPath, ...redisSet, "sessions", "events", s.sessionId, "--json"]);
  assert.equal(events.code, 0, describeRun(["events"], events));
  const lines = events.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((e) => e.seq), lines.map((_, i) => i + 1));
  assert.equal(lines[0].message.method, "initialize");
  assert.ok(lines.some((e) => e.message?.params?.arguments?.message === "in redis"));

  const del = await cli(["--config", node.configPath, ...redisSet, "sessions", "delete", s.sessionId, "--json"]);
  assert.equal(del.code, 0, describeRun(["delete"], del));
  assert.equal(JSON.parse(del.stdout).state, "CLOSED");
});
