// Helpers for tests that run one session across several sidecar nodes
// (cluster_streams, cluster_routing): a node = sidecar + its own upstream,
// all sharing one Redis; a fetch for the SDK transport that picks the node per
// HTTP request and records every SSE event the client received (with its id);
// a raw SSE reader for requests the SDK cannot shape.
import { AdminClient } from "./admin.mjs";
import { startSidecar, startUpstream } from "./processes.mjs";
import { SseParser } from "./sse.mjs";
import { waitFor, withTimeout } from "./wait.mjs";

export const CLUSTER_TOKEN = "Bearer cluster-secret";

// Starts a sidecar (with its own server-everything unless `upstream` is given)
// on the Redis store at `redisUrl`, and waits until /readyz says it reached
// the store (a node answers 503 to new sessions until then).
export async function startClusterNode(group, { redisUrl, label, upstream, set = [] }) {
  upstream ??= await startUpstream(group, { label: `${label}-upstream` });
  const sidecar = await startSidecar(group, {
    upstreamUrl: upstream.url, label,
    set: ["store.kind=redis", `store.redis.url=${redisUrl}`, "session.fingerprint_key=cluster-test-key", ...set],
  });
  const admin = new AdminClient(sidecar.adminUrl);
  await waitFor(async () => await admin.readyz() === 200, { timeoutMs: 10_000, what: `${label} /readyz` });
  return { label, upstream, sidecar, admin };
}

// The value of one sample on the node's /metrics (`pattern` is a regex source
// for the name and labels); 0 when absent.
export async function metric(node, pattern) {
  const text = await (await fetch(`${node.sidecar.adminUrl}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
  const m = new RegExp(`^${pattern} (-?\\d+(?:\\.\\d+)?)$`, "m").exec(text);
  return m ? Number(m[1]) : 0;
}

function parseMessage(data) {
  try {
    return JSON.parse(data);
  } catch {
    return { unparsable: data };
  }
}

// A fetch for StreamableHTTPClientTransport({ fetch }). `route(request)` gets
// { method, message, lastEventId, n } and returns the node to send it to, or
// { node, cut(exchange) } where cut() is asked after every SSE event and, once
// true, makes this fetch drop the response (the node sees the client leave).
// fn.exchanges: { n, node, method, message, lastEventId, status, contentType,
// events: [{ id, retry, data, msg }], ended, cut }.
export function routingFetch(route) {
  const exchanges = [];
  const listeners = new Set();
  const notify = () => { for (const l of [...listeners]) l(); };
  const fn = async (url, init = {}) => {
    const method = (init.method ?? "GET").toUpperCase();
    const headers = new Headers(init.headers ?? {});
    const message = typeof init.body === "string" ? parseMessage(init.body) : undefined;
    const exchange = { n: exchanges.length, method, message, lastEventId: headers.get("last-event-id") ?? undefined,
                       status: undefined, contentType: undefined, events: [], ended: false, cut: false };
    const choice = route(exchange);
    const node = choice?.sidecar ? choice : choice.node;
    const cut = choice?.sidecar ? undefined : choice.cut;
    exchange.node = node.label;
    exchanges.push(exchange);
    notify();
    const mine = new AbortController();
    const signal = init.signal ? AbortSignal.any([init.signal, mine.signal]) : mine.signal;
    const u = new URL(url);
    const res = await fetch(new URL(u.pathname + u.search, node.sidecar.base), { ...init, signal });
    exchange.status = res.status;
    exchange.contentType = res.headers.get("content-type") ?? "";
    notify();
    if (!res.body || !exchange.contentType.startsWith("text/event-stream")) return res;
    const decoder = new TextDecoder();
    const parser = new SseParser((ev) => {
      exchange.events.push({ ...ev, msg: ev.data ? parseMessage(ev.data) : undefined });
      if (cut && !exchange.cut && cut(exchange)) {
        exchange.cut = true;
        // Let the chunk reach the SDK first; then drop the connection.
        setTimeout(() => mine.abort(), 50);
      }
      notify();
    });
    const tap = new TransformStream({
      transform(chunk, controller) {
        parser.feed(decoder.decode(chunk, { stream: true }));
        controller.enqueue(chunk);
      },
      flush() {
        exchange.ended = true;
        notify();
      },
    });
    return new Response(res.body.pipeThrough(tap), { status: res.status, statusText: res.statusText,
                                                      headers: res.headers });
  };
  fn.exchanges = exchanges;
  // Resolves with pred()'s first truthy value, re-checked whenever anything is recorded.
  fn.until = (pred, timeoutMs, what) => {
    let check;
    const found = new Promise((resolve) => {
      check = () => {
        const v = pred();
        if (v) resolve(v);
      };
      listeners.add(check);
      check();
    });
    return withTimeout(found, timeoutMs, what).finally(() => listeners.delete(check));
  };
  return fn;
}

// Opens `url` with `init` and reads it as SSE as it arrives. Returns
// { status, headers, contentType, text (non-SSE bodies), events, ended,
//   next(pred, timeoutMs, what), done (resolves when the body ends or breaks),
//   close() }.
export async function openSse(url, init) {
  const controller = new AbortController();
  const res = await fetch(url, { ...init, signal: controller.signal });
  const stream = { status: res.status, headers: res.headers, contentType: res.headers.get("content-type") ?? "",
                   text: "", events: [], ended: false, endedAt: undefined, error: undefined };
  const waiters = new Set();
  const wake = () => { for (const w of [...waiters]) w(); };
  stream.close = () => controller.abort();
  if (!stream.contentType.startsWith("text/event-stream")) {
    stream.text = await res.text();
    stream.ended = true;
    stream.done = Promise.resolve();
    return stream;
  }
  const parser = new SseParser((ev) => {
    stream.events.push({ ...ev, msg: ev.data ? parseMessage(ev.data) : undefined });
    wake();
  });
  stream.done = (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body) parser.feed(decoder.decode(chunk, { stream: true }));
    } catch (err) {
      stream.error = err;
    }
    stream.ended = true;
    stream.endedAt = Date.now();
    wake();
  })();
  stream.next = (pred, timeoutMs = 5000, what = "an SSE event") => withTimeout(new Promise((resolve, reject) => {
    const check = () => {
      const found = stream.events.find(pred);
      if (found) {
        waiters.delete(check);
        resolve(found);
      } else if (stream.ended) {
        waiters.delete(check);
        reject(new Error(`stream ended without ${what}; events: ${JSON.stringify(stream.events).slice(0, 2000)}`));
      }
    };
    waiters.add(check);
    check();
  }), timeoutMs, what);
  return stream;
}
