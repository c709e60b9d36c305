// Backpressure: a client that stops reading while the upstream streams 50 MB
// must make the sidecar stop reading the upstream, not buffer the stream.
// Measured from outside: the sidecar's RSS (from /proc) and the bytes the
// upstream managed to write. Then the client reads again and must receive the
// whole stream, intact and in order.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { ProcessGroup, startSidecar, integrationDir, loopbackPreload } from "./support/processes.mjs";
import { freePort } from "./support/ports.mjs";
import { sleep, waitFor } from "./support/wait.mjs";

const TOTAL = 50 * 1024 * 1024;
const group = new ProcessGroup("slow-reader");
after(() => group.finish());

function rssBytes(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) * 1024;
}

async function upstreamStats(port) {
  const res = await fetch(`http://127.0.0.1:${port}/stats`);
  return res.json();
}

test("a client that stops reading pauses the upstream instead of growing the sidecar", group.guard(async () => {
  const upPort = await freePort();
  group.spawn("firehose", process.execPath,
              ["--require", loopbackPreload, join(integrationDir, "support", "firehose_upstream.mjs")],
              { env: { PORT: String(upPort), TOTAL_BYTES: String(TOTAL) } });
  await waitFor(() => upstreamStats(upPort).then(() => true), { timeoutMs: 10_000, what: "firehose up" });
  const sidecar = await startSidecar(group, {
    upstreamUrl: `http://127.0.0.1:${upPort}/mcp`,
    // The audit log of this sessionless stream is capped so that RSS shows
    // stream buffering, not the memory store keeping 16 KiB events.
    set: ["log.level=info", "limits.stream_buffer_bytes=262144", "store.memory.max_sessionless_events=16"],
  });

  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "firehose" } });
  const socket = net.connect(sidecar.port, "127.0.0.1");
  // A small receive window, so the kernel does not absorb the stream for us.
  socket.setNoDelay(true);
  await new Promise((resolve) => socket.once("connect", resolve));
  socket.write([
    "POST /mcp HTTP/1.1", `Host: 127.0.0.1:${sidecar.port}`, "Content-Type: application/json",
    "Accept: application/json, text/event-stream", `Content-Length: ${Buffer.byteLength(body)}`, "", body,
  ].join("\r\n"));

  let received = 0;
  const chunks = [];
  const onData = (buf) => { received += buf.length; chunks.push(buf); };
  socket.on("data", onData);
  await waitFor(() => received > 0, { timeoutMs: 10_000, what: "first bytes of the stream" });
  socket.pause();  // stop reading: the client is now "slow"
  // The baseline is taken once the stream flows, so one-time allocations of
  // the first request (parser buffers, connection objects) do not count.
  const rssBefore = rssBytes(sidecar.proc.pid);

  // Give the upstream every chance to push the whole stream through.
  await sleep(3000);
  const paused = await upstreamStats(upPort);
  const rssDuring = rssBytes(sidecar.proc.pid);
  const growth = rssDuring - rssBefore;
  console.log(`rss before=${rssBefore} during=${rssDuring} growth=${growth} upstream_written=${paused.written}`);
  assert.ok(growth < 5 * 1024 * 1024,
            `sidecar RSS grew by ${(growth / 1048576).toFixed(1)} MiB while the client was not reading`);
  assert.ok(paused.written < TOTAL / 2,
            `the upstream wrote ${(paused.written / 1048576).toFixed(1)} MiB: the sidecar kept reading it`);
  assert.equal(paused.finished, 0);

  // The client reads again: the whole stream arrives, ending with the response.
  socket.resume();
  await waitFor(() => Buffer.concat(chunks).includes('"result":{"bytes"'),
                { timeoutMs: 60_000, what: "the end of the 50 MB stream" });
  const text = Buffer.concat(chunks).toString("latin1");
  const events = text.split("data: ").length - 1;
  const expected = Math.ceil(TOTAL / (text.length / events)) ;  // sanity only
  assert.ok(received > TOTAL, `received ${received} bytes, expected more than ${TOTAL}`);
  assert.ok(events > 3000, `only ${events} events arrived (~${expected} expected)`);
  socket.destroy();
  const done = await upstreamStats(upPort);
  assert.equal(done.finished, 1);
}));
