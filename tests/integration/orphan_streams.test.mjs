// A request stream whose client leaves is read on and persisted (orphaned)
// for streams.orphan_ttl; past it, the upstream request is cancelled unless
// some node is tailing the stream for a resumed client. One node, memory store.
import { test, after } from "node:test";
import assert from "node:assert/strict";

import { ProcessGroup, startSidecar, startUpstream } from "./support/processes.mjs";
import { initializeRaw, jsonRpcHeaders } from "./support/mcp.mjs";
import { openSse, metric } from "./support/cluster.mjs";
import { sleep, waitFor } from "./support/wait.mjs";

const group = new ProcessGroup("orphan-streams");
after(() => group.finish());

async function startNode(label) {
  const upstream = await startUpstream(group, { label: `${label}-upstream` });
  const sidecar = await startSidecar(group, {
    upstreamUrl: upstream.url, label,
    set: ["streams.orphan_ttl=600ms", "streams.lease_ttl=300ms"],
  });
  return { label, upstream, sidecar };
}

// Starts a long tool call with progress, reads until `events` progress
// notifications arrived, then drops the connection.
async function startAndLeave(node, session, { duration, steps, events }) {
  const stream = await openSse(node.sidecar.url, {
    method: "POST",
    headers: jsonRpcHeaders(session),
    body: JSON.stringify({
      jsonrpc: "2.0", id: 9, method: "tools/call",
      params: { name: "trigger-long-running-operation", arguments: { duration, steps },
                _meta: { progressToken: "orphan" } },
    }),
  });
  assert.equal(stream.status, 200);
  await stream.next((e) => e.msg?.params?.progress === events, 5000, `progress ${events}`);
  const last = stream.events.at(-1);
  stream.close();
  return last.id;
}

test("an orphaned stream nobody resumes is cancelled upstream after streams.orphan_ttl", group.guard(async () => {
  const node = await startNode("orphan-cancel");
  const session = await initializeRaw(node.sidecar.url);
  await startAndLeave(node, session, { duration: 6, steps: 12, events: 1 });
  const left = Date.now();
  await waitFor(async () => await metric(node, "sidecar_orphan_streams_cancelled_total") === 1,
                { timeoutMs: 3000, what: "the orphan cancelled" });
  const waited = Date.now() - left;
  assert.ok(waited >= 500, `cancelled after ${waited} ms, not before orphan_ttl`);
  assert.equal(await metric(node, "sidecar_streams_orphaned_total"), 1);
  assert.match(group.log(node.sidecar.proc), /event=orphan_stream_cancelled .*reason=not_resumed_within_orphan_ttl/);
  // Nothing more of the call is recorded once it is cancelled.
  await sleep(1200);
  const text = group.log(node.sidecar.proc);
  assert.doesNotMatch(text, /event=orphan_stream_completed/);
}));

test("an orphaned stream that a client resumed runs past streams.orphan_ttl to its response", group.guard(async () => {
  const node = await startNode("orphan-tailed");
  const session = await initializeRaw(node.sidecar.url);
  const lastId = await startAndLeave(node, session, { duration: 3, steps: 6, events: 1 });
  assert.match(lastId, /^p\./);
  const resumed = await openSse(node.sidecar.url, {
    method: "GET",
    headers: jsonRpcHeaders({ ...session, extra: { accept: "text/event-stream", "last-event-id": lastId } }),
  });
  assert.equal(resumed.status, 200);
  const result = await resumed.next((e) => e.msg?.id === 9, 8000, "the tool's result on the resumed stream");
  assert.match(result.msg.result.content[0].text, /Long running operation completed/);
  await resumed.done;
  const progress = resumed.events.filter((e) => e.msg?.method === "notifications/progress")
                                 .map((e) => e.msg.params.progress);
  assert.deepEqual(progress, [2, 3, 4, 5, 6], "the rest of the progress, once each, in order");
  assert.equal(await metric(node, "sidecar_orphan_streams_cancelled_total"), 0);
  assert.match(group.log(node.sidecar.proc), /event=orphan_stream_completed/);

  // The stream is over: resuming it again finds nothing more (204), so a
  // client does not poll a finished stream.
  const again = await fetch(node.sidecar.url, {
    method: "GET",
    headers: jsonRpcHeaders({ ...session, extra: { accept: "text/event-stream", "last-event-id": result.id } }),
  });
  assert.equal(again.status, 204);
}));
