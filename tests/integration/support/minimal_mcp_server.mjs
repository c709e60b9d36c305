// A minimal sessionful MCP server built with the official SDK, declaring
// ONLY the tools capability: an upstream whose capabilities differ from
// server-everything's, for the rehydration mismatch test. Loopback only.
import http from "node:http";
import { randomUUID } from "node:crypto";
import { z } from "zod";

import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";

const port = Number(process.env.PORT);
const transports = new Map();

http.createServer(async (req, res) => {
  let body = "";
  for await (const chunk of req) body += chunk;
  const parsed = body ? JSON.parse(body) : undefined;
  const sessionId = req.headers["mcp-session-id"];
  let transport = sessionId ? transports.get(sessionId) : undefined;
  if (!transport) {
    if (req.method !== "POST" || parsed?.method !== "initialize") {
      res.writeHead(404, { "content-type": "application/json" })
        .end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32001, message: "Session not found" } }));
      return;
    }
    transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => transports.set(id, transport),
    });
    const server = new McpServer({ name: "minimal", version: "1.0.0" }, { capabilities: { tools: {} } });
    server.tool("echo", { message: z.string() }, async ({ message }) => ({
      content: [{ type: "text", text: `Echo: ${message}` }],
    }));
    await server.connect(transport);
  }
  await transport.handleRequest(req, res, parsed);
}).listen(port, "127.0.0.1");
