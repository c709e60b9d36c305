// A fetch wrapper for StreamableHTTPClientTransport({ fetch }) that records, per
// HTTP exchange, the JSON-RPC message the client POSTed and every message the
// server sent back (JSON body or SSE events), with the time each one reached
// the client. The SDK still reads the very same bytes: SSE bodies pass through
// a TransformStream that parses as it forwards, so cancelling the stream (the
// SDK's close()) still cancels the underlying connection.
import { SseParser } from "./sse.mjs";

function mediaType(contentType) {
  return (contentType ?? "").split(";")[0].trim().toLowerCase();
}

export class Recorder {
  constructor() {
    this.exchanges = [];  // { n, method, status, contentType, sent, received: [{ msg, t, eventId }] }
    this.messages = [];   // flat, in arrival order: { dir: "c2s"|"s2c", msg, t, exchange }
    this.listeners = new Set();
    this.fetch = this.fetch.bind(this);
  }

  // Resolves with the first recorded message satisfying `pred` (past or future).
  waitForMessage(pred) {
    const found = this.messages.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => {
      const listener = (m) => {
        if (pred(m)) {
          this.listeners.delete(listener);
          resolve(m);
        }
      };
      this.listeners.add(listener);
    });
  }

  // Resolves when a GET (the standalone SSE stream) got a 200 response.
  waitForGetStream() {
    const open = () => this.exchanges.find((e) => e.method === "GET" && e.status === 200);
    if (open()) return Promise.resolve(open());
    return new Promise((resolve) => {
      const poll = setInterval(() => {
        if (open()) {
          clearInterval(poll);
          resolve(open());
        }
      }, 10);
      poll.unref?.();
    });
  }

  push(dir, msg, exchange, eventId) {
    const entry = { dir, msg, t: Date.now(), exchange, eventId };
    this.messages.push(entry);
    if (dir === "c2s") exchange.sent = msg;
    else exchange.received.push(entry);
    for (const listener of [...this.listeners]) listener(entry);
  }

  async fetch(input, init = {}) {
    const method = (init.method ?? "GET").toUpperCase();
    const exchange = { n: this.exchanges.length, method, status: undefined, contentType: undefined,
                       sent: undefined, received: [], tStart: Date.now() };
    this.exchanges.push(exchange);
    if (method === "POST" && typeof init.body === "string") {
      this.push("c2s", JSON.parse(init.body), exchange);
    }
    const res = await fetch(input, init);
    exchange.status = res.status;
    exchange.contentType = res.headers.get("content-type");
    exchange.tHeaders = Date.now();
    if (!res.ok || !res.body) return res;

    const type = mediaType(exchange.contentType);
    if (type === "application/json") {
      const text = await res.clone().text();
      const data = JSON.parse(text);
      for (const msg of Array.isArray(data) ? data : [data]) this.push("s2c", msg, exchange);
      return res;
    }
    if (type !== "text/event-stream") return res;

    const decoder = new TextDecoder();
    const parser = new SseParser((event) => {
      exchange.lastEventId = event.id ?? exchange.lastEventId;
      if (event.data === "" || (event.event !== undefined && event.event !== "message")) return;
      let msg;
      try {
        msg = JSON.parse(event.data);
      } catch {
        msg = { unparsable: event.data };
      }
      for (const m of Array.isArray(msg) ? msg : [msg]) this.push("s2c", m, exchange, event.id);
    });
    const tap = new TransformStream({
      transform(chunk, controller) {
        parser.feed(decoder.decode(chunk, { stream: true }));
        controller.enqueue(chunk);
      },
    });
    return new Response(res.body.pipeThrough(tap), {
      status: res.status,
      statusText: res.statusText,
      headers: res.headers,
    });
  }
}
