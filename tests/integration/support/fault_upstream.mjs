// An upstream that misbehaves on purpose, for the sidecar's fault handling.
// The sidecar forwards the query string, so each request picks its fault:
//   ?mode=slow           answer after 2 s
//   ?mode=hang           never answer
//   ?mode=break-sse      start an SSE stream, send one event, reset the socket
//   ?mode=break-length   promise a Content-Length, send part of it, reset
//   ?mode=headers        answer with the request headers it received
// Anything else answers a JSON-RPC result at once. Loopback only (preload).
import http from "node:http";

const port = Number(process.env.PORT);

function result(req, body) {
  let id = null;
  try { id = JSON.parse(body).id ?? null; } catch { /* not JSON: null id */ }
  return JSON.stringify({ jsonrpc: "2.0", id, result: { ok: true } });
}

http.createServer((req, res) => {
  const mode = new URL(req.url, "http://x").searchParams.get("mode");
  let body = "";
  req.on("data", (c) => { body += c; });
  req.on("end", () => {
    switch (mode) {
      case "slow":
        setTimeout(() => res.writeHead(200, { "content-type": "application/json" }).end(result(req, body)), 2000);
        return;
      case "hang":
        return;
      case "headers":
        res.writeHead(200, { "content-type": "application/json", "x-upstream-private": "1",
                             "connection": "keep-alive, x-upstream-private" })
          .end(JSON.stringify({ jsonrpc: "2.0", id: 1, result: { headers: req.headers } }));
        return;
      case "break-sse":
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write(`id: 1\ndata: ${JSON.stringify({ jsonrpc: "2.0", method: "notifications/progress",
                                                  params: { progressToken: 1, progress: 1 } })}\n\n`);
        setTimeout(() => req.socket.destroy(), 200);
        return;
      case "break-length":
        res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
        res.write('{"jsonrpc":"2.0",');
        setTimeout(() => req.socket.destroy(), 200);
        return;
      default:
        res.writeHead(200, { "content-type": "application/json" }).end(result(req, body));
    }
  });
}).listen(port, "127.0.0.1");
