// A deliberately fast upstream for the backpressure test: every POST to /mcp
// is answered with an SSE stream of TOTAL_BYTES of events, written as fast as
// the socket accepts them (honouring Node's own backpressure). GET /stats
// reports how many bytes it managed to write, so a test can tell whether the
// proxy in between stopped reading. Loopback only (the --require preload).
import http from "node:http";

const total = Number(process.env.TOTAL_BYTES || 50 * 1024 * 1024);
const port = Number(process.env.PORT);
let written = 0;
let finished = 0;

const chunk = (() => {
  const payload = JSON.stringify({ jsonrpc: "2.0", method: "notifications/message",
                                   params: { level: "info", data: "x".repeat(16 * 1024) } });
  return Buffer.from(`data: ${payload}\n\n`);
})();

http.createServer((req, res) => {
  if (req.method === "GET" && req.url === "/stats") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ written, finished }));
    return;
  }
  if (req.method === "OPTIONS") { res.writeHead(204).end(); return; }
  req.resume();
  req.on("end", () => {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        sent += chunk.length;
        written += chunk.length;
        if (!res.write(chunk)) { res.once("drain", pump); return; }
      }
      res.end(`data: ${JSON.stringify({ jsonrpc: "2.0", id: 1, result: { bytes: sent } })}\n\n`);
      finished += 1;
    };
    pump();
  });
}).listen(port, "127.0.0.1");
