// A Streamable HTTP MCP server that implements the fixtures the official
// conformance server scenarios (@modelcontextprotocol/conformance 0.1.16) ask
// for: the test_* tools, prompts and resources named in each scenario's
// "Server Implementation Requirements" (`conformance list` / the scenario
// descriptions). server-everything has none of them, so against it most of the
// suite fails before a single byte tests the transport; against this server
// every scenario runs its real exchange, so "direct vs through the sidecar"
// compares something for all of them.
//
// Written from the scenario descriptions with the SDK's low-level Server (plain
// JSON Schemas, so `$schema`/`$defs` survive tools/list untouched):
//   - stateful sessions (randomUUID), one transport + Server per session;
//   - an event store and `retry: 500` on priming events, so the
//     test_reconnection tool can close its POST stream mid-call (SEP-1699) and
//     the client resumes with GET + Last-Event-ID;
//   - DNS-rebinding protection (Host must be localhost/127.0.0.1/[::1], any
//     port), via the SDK's createMcpExpressApp.
//
// Usage: PORT=<port> node --require support/loopback.cjs support/conformance_fixture_server.mjs
// Listens on 127.0.0.1:PORT, endpoint /mcp.
import { randomUUID } from "node:crypto";

import { InMemoryEventStore } from "@modelcontextprotocol/sdk/examples/shared/inMemoryEventStore.js";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { createMcpExpressApp } from "@modelcontextprotocol/sdk/server/express.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import {
  CallToolRequestSchema,
  CompleteRequestSchema,
  CreateMessageResultSchema,
  ElicitResultSchema,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ErrorCode,
  ReadResourceRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
  isInitializeRequest,
} from "@modelcontextprotocol/sdk/types.js";

// 1x1 red PNG and a 1-sample 8 kHz mono 8-bit WAV.
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
const WAV = Buffer.concat([
  Buffer.from("RIFF"), u32(37), Buffer.from("WAVEfmt "), u32(16), u16(1), u16(1), u32(8000), u32(8000), u16(1), u16(8),
  Buffer.from("data"), u32(1), Buffer.from([128]),
]).toString("base64");
function u32(n) { const b = Buffer.alloc(4); b.writeUInt32LE(n); return b; }
function u16(n) { const b = Buffer.alloc(2); b.writeUInt16LE(n); return b; }

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const text = (t) => ({ type: "text", text: t });
const noArgs = { type: "object", properties: {} };

const TOOLS = [
  { name: "test_simple_text", description: "Returns simple text", inputSchema: noArgs },
  { name: "test_image_content", description: "Returns an image", inputSchema: noArgs },
  { name: "test_audio_content", description: "Returns audio", inputSchema: noArgs },
  { name: "test_embedded_resource", description: "Returns an embedded resource", inputSchema: noArgs },
  { name: "test_multiple_content_types", description: "Returns text, image and resource", inputSchema: noArgs },
  { name: "test_tool_with_logging", description: "Logs three messages while running", inputSchema: noArgs },
  { name: "test_tool_with_progress", description: "Reports progress 0, 50, 100 of 100", inputSchema: noArgs },
  { name: "test_error_handling", description: "Always fails", inputSchema: noArgs },
  {
    name: "test_sampling", description: "Asks the client to sample",
    inputSchema: { type: "object", properties: { prompt: { type: "string" } }, required: ["prompt"] },
  },
  {
    name: "test_elicitation", description: "Asks the client for user input",
    inputSchema: { type: "object", properties: { message: { type: "string" } }, required: ["message"] },
  },
  { name: "test_elicitation_sep1034_defaults", description: "Elicitation with defaults (SEP-1034)", inputSchema: noArgs },
  { name: "test_elicitation_sep1330_enums", description: "Elicitation with enum schemas (SEP-1330)", inputSchema: noArgs },
  { name: "test_reconnection", description: "Closes its SSE stream mid-call (SEP-1699)", inputSchema: noArgs },
  {
    name: "json_schema_2020_12_tool",
    description: "Tool with JSON Schema 2020-12 features",
    inputSchema: {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object",
      $defs: { address: { type: "object", properties: { street: { type: "string" }, city: { type: "string" } } } },
      properties: { name: { type: "string" }, address: { $ref: "#/$defs/address" } },
      additionalProperties: false,
    },
  },
];

const RESOURCES = [
  { uri: "test://static-text", name: "static-text", description: "A static text resource", mimeType: "text/plain" },
  { uri: "test://static-binary", name: "static-binary", description: "A static binary resource", mimeType: "image/png" },
  { uri: "test://watched-resource", name: "watched-resource", description: "Subscribable", mimeType: "text/plain" },
];

const PROMPTS = [
  { name: "test_simple_prompt", description: "A prompt without arguments" },
  {
    name: "test_prompt_with_arguments", description: "A prompt with two arguments",
    arguments: [
      { name: "arg1", description: "First test argument", required: true },
      { name: "arg2", description: "Second test argument", required: true },
    ],
  },
  {
    name: "test_prompt_with_embedded_resource", description: "A prompt embedding a resource",
    arguments: [{ name: "resourceUri", description: "URI of the resource to embed", required: true }],
  },
  { name: "test_prompt_with_image", description: "A prompt with an image" },
];

function createServer() {
  const server = new Server(
    { name: "mcp-sidecar-conformance-fixture", version: "1.0.0" },
    {
      capabilities: {
        tools: {}, prompts: {}, resources: { subscribe: true }, logging: {}, completions: {},
      },
    },
  );
  const subscriptions = new Set();

  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: TOOLS }));

  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const { name, arguments: args = {} } = request.params;
    switch (name) {
      case "test_simple_text":
        return { content: [text("This is a simple text response for testing.")] };
      case "test_image_content":
        return { content: [{ type: "image", data: PNG, mimeType: "image/png" }] };
      case "test_audio_content":
        return { content: [{ type: "audio", data: WAV, mimeType: "audio/wav" }] };
      case "test_embedded_resource":
        return {
          content: [{
            type: "resource",
            resource: { uri: "test://embedded-resource", mimeType: "text/plain", text: "This is an embedded resource content." },
          }],
        };
      case "test_multiple_content_types":
        return {
          content: [
            text("Multiple content types test:"),
            { type: "image", data: PNG, mimeType: "image/png" },
            {
              type: "resource",
              resource: { uri: "test://mixed-content-resource", mimeType: "application/json", text: '{"test":"data","value":123}' },
            },
          ],
        };
      case "test_tool_with_logging": {
        const log = (data) => extra.sendNotification({ method: "notifications/message", params: { level: "info", data } });
        await log("Tool execution started");
        await sleep(50);
        await log("Tool processing data");
        await sleep(50);
        await log("Tool execution completed");
        return { content: [text("Logging test completed")] };
      }
      case "test_tool_with_progress": {
        const token = request.params._meta?.progressToken;
        for (const progress of [0, 50, 100]) {
          if (token !== undefined) {
            await extra.sendNotification({ method: "notifications/progress", params: { progressToken: token, progress, total: 100 } });
          }
          if (progress < 100) await sleep(50);
        }
        return { content: [text("Progress test completed")] };
      }
      case "test_error_handling":
        return { isError: true, content: [text("This tool intentionally returns an error for testing")] };
      case "test_sampling": {
        const result = await extra.sendRequest({
          method: "sampling/createMessage",
          params: { messages: [{ role: "user", content: text(String(args.prompt ?? "")) }], maxTokens: 100 },
        }, CreateMessageResultSchema);
        const reply = result.content?.type === "text" ? result.content.text : JSON.stringify(result.content);
        return { content: [text(`LLM response: ${reply}`)] };
      }
      case "test_elicitation": {
        const result = await extra.sendRequest({
          method: "elicitation/create",
          params: {
            message: String(args.message ?? ""),
            requestedSchema: {
              type: "object",
              properties: {
                username: { type: "string", description: "User's response" },
                email: { type: "string", description: "User's email address" },
              },
              required: ["username", "email"],
            },
          },
        }, ElicitResultSchema);
        return { content: [text(`User response: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`)] };
      }
      case "test_elicitation_sep1034_defaults": {
        const result = await extra.sendRequest({
          method: "elicitation/create",
          params: {
            message: "Please review the defaults",
            requestedSchema: {
              type: "object",
              properties: {
                name: { type: "string", default: "John Doe" },
                age: { type: "integer", default: 30 },
                score: { type: "number", default: 95.5 },
                status: { type: "string", enum: ["active", "inactive", "pending"], default: "active" },
                verified: { type: "boolean", default: true },
              },
            },
          },
        }, ElicitResultSchema);
        return { content: [text(`Elicitation completed: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`)] };
      }
      case "test_elicitation_sep1330_enums": {
        const result = await extra.sendRequest({
          method: "elicitation/create",
          params: {
            message: "Please pick options",
            requestedSchema: {
              type: "object",
              properties: {
                untitledSingle: { type: "string", enum: ["option1", "option2", "option3"] },
                titledSingle: {
                  type: "string",
                  oneOf: [
                    { const: "value1", title: "First Option" },
                    { const: "value2", title: "Second Option" },
                    { const: "value3", title: "Third Option" },
                  ],
                },
                legacyEnum: { type: "string", enum: ["opt1", "opt2", "opt3"], enumNames: ["Option One", "Option Two", "Option Three"] },
                untitledMulti: { type: "array", items: { type: "string", enum: ["option1", "option2", "option3"] } },
                titledMulti: {
                  type: "array",
                  items: {
                    anyOf: [
                      { const: "value1", title: "First Choice" },
                      { const: "value2", title: "Second Choice" },
                      { const: "value3", title: "Third Choice" },
                    ],
                  },
                },
              },
            },
          },
        }, ElicitResultSchema);
        return { content: [text(`Elicitation completed: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`)] };
      }
      case "test_reconnection": {
        // Close this request's POST stream (the priming event already gave the
        // client an event id), then answer: the response goes to the event
        // store and reaches the client on its GET + Last-Event-ID resume.
        await sleep(100);
        extra.closeSSEStream?.();
        await sleep(200);
        return { content: [text("Reconnection test completed successfully")] };
      }
      default:
        throw new McpError(ErrorCode.InvalidParams, `Tool ${name} not found`);
    }
  });

  server.setRequestHandler(ListResourcesRequestSchema, async () => ({ resources: RESOURCES }));
  server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({
    resourceTemplates: [{ uriTemplate: "test://template/{id}/data", name: "template", description: "Templated data", mimeType: "application/json" }],
  }));
  server.setRequestHandler(ReadResourceRequestSchema, async (request) => {
    const { uri } = request.params;
    if (uri === "test://static-text") {
      return { contents: [{ uri, mimeType: "text/plain", text: "This is the content of the static text resource." }] };
    }
    if (uri === "test://static-binary") return { contents: [{ uri, mimeType: "image/png", blob: PNG }] };
    if (uri === "test://watched-resource") return { contents: [{ uri, mimeType: "text/plain", text: "watched" }] };
    const m = /^test:\/\/template\/([^/]+)\/data$/.exec(uri);
    if (m) {
      return { contents: [{ uri, mimeType: "application/json", text: JSON.stringify({ id: m[1], templateTest: true, data: `Data for ID: ${m[1]}` }) }] };
    }
    throw new McpError(ErrorCode.InvalidParams, `Resource ${uri} not found`);
  });
  server.setRequestHandler(SubscribeRequestSchema, async (request) => { subscriptions.add(request.params.uri); return {}; });
  server.setRequestHandler(UnsubscribeRequestSchema, async (request) => { subscriptions.delete(request.params.uri); return {}; });

  server.setRequestHandler(ListPromptsRequestSchema, async () => ({ prompts: PROMPTS }));
  server.setRequestHandler(GetPromptRequestSchema, async (request) => {
    const { name, arguments: args = {} } = request.params;
    switch (name) {
      case "test_simple_prompt":
        return { messages: [{ role: "user", content: text("This is a simple prompt for testing.") }] };
      case "test_prompt_with_arguments":
        return { messages: [{ role: "user", content: text(`Prompt with arguments: arg1='${args.arg1}', arg2='${args.arg2}'`) }] };
      case "test_prompt_with_embedded_resource":
        return {
          messages: [
            { role: "user", content: { type: "resource", resource: { uri: args.resourceUri, mimeType: "text/plain", text: "Embedded resource content for testing." } } },
            { role: "user", content: text("Please process the embedded resource above.") },
          ],
        };
      case "test_prompt_with_image":
        return {
          messages: [
            { role: "user", content: { type: "image", data: PNG, mimeType: "image/png" } },
            { role: "user", content: text("Please analyze the image above.") },
          ],
        };
      default:
        throw new McpError(ErrorCode.InvalidParams, `Prompt ${name} not found`);
    }
  });

  server.setRequestHandler(CompleteRequestSchema, async (request) => {
    const prefix = String(request.params.argument?.value ?? "");
    const values = ["paris", "park", "party", "test-value"].filter((v) => v.startsWith(prefix));
    return { completion: { values, total: values.length, hasMore: false } };
  });

  return server;
}

const transports = new Map();  // session id -> transport
const app = createMcpExpressApp({ host: "127.0.0.1" });  // Host validation: localhost names only

app.post("/mcp", async (req, res) => {
  const sessionId = req.headers["mcp-session-id"];
  let transport = sessionId ? transports.get(sessionId) : undefined;
  if (!transport) {
    if (sessionId || !isInitializeRequest(req.body)) {
      res.status(sessionId ? 404 : 400).json({
        jsonrpc: "2.0", id: null, error: { code: -32000, message: sessionId ? "Session not found" : "Missing session ID" },
      });
      return;
    }
    transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      eventStore: new InMemoryEventStore(),
      retryInterval: 500,
      onsessioninitialized: (id) => { transports.set(id, transport); },
    });
    transport.onclose = () => { if (transport.sessionId) transports.delete(transport.sessionId); };
    await createServer().connect(transport);
  }
  await transport.handleRequest(req, res, req.body);
});

for (const method of ["get", "delete"]) {
  app[method]("/mcp", async (req, res) => {
    const transport = transports.get(req.headers["mcp-session-id"]);
    if (!transport) {
      res.status(req.headers["mcp-session-id"] ? 404 : 400).json({
        jsonrpc: "2.0", id: null, error: { code: -32000, message: "Unknown or missing session ID" },
      });
      return;
    }
    await transport.handleRequest(req, res);
  });
}

const port = Number(process.env.PORT);
if (!Number.isInteger(port) || port <= 0) throw new Error("PORT must be set to a port number");
app.listen(port, "127.0.0.1", () => {
  process.stdout.write(`conformance fixture server listening on http://127.0.0.1:${port}/mcp\n`);
});
