// MCP-level helpers: an SDK client wired through a Recorder, and raw
// Streamable HTTP requests (fetch) for the cases the SDK cannot produce.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

import { Recorder } from "./recorder.mjs";
import { sseMessages } from "./sse.mjs";

export const PROTOCOL_VERSION = "2025-11-25";

// Connects an SDK client (initialize + notifications/initialized) to `url`.
export async function connectClient(url, { name = "mcp-sidecar-it", capabilities = {}, headers = {} } = {}) {
  const recorder = new Recorder();
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    fetch: recorder.fetch,
    requestInit: { headers },
  });
  const client = new Client({ name, version: "1.0.0" }, { capabilities });
  const errors = [];
  client.onerror = (err) => errors.push(err);
  await client.connect(transport);
  return { client, transport, recorder, errors };
}

export function jsonRpcHeaders({ sessionId, protocolVersion, extra = {} } = {}) {
  const headers = {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    ...extra,
  };
  if (sessionId) headers["mcp-session-id"] = sessionId;
  if (protocolVersion) headers["mcp-protocol-version"] = protocolVersion;
  return headers;
}

// POSTs `body` (an object, or a string sent verbatim). Returns the status, the
// headers, the raw text and the JSON-RPC messages in the body (JSON or SSE).
export async function post(url, body, headerOptions = {}) {
  const res = await fetch(url, {
    method: "POST",
    headers: jsonRpcHeaders(headerOptions),
    body: typeof body === "string" ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  return readResponse(res);
}

export async function readResponse(res) {
  const text = await res.text();
  const type = (res.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  let messages = [];
  let json;
  if (type === "text/event-stream") {
    messages = sseMessages(text);
  } else if (text.length > 0) {
    try {
      json = JSON.parse(text);
      messages = Array.isArray(json) ? json : [json];
    } catch {
      // not JSON: callers assert on it
    }
  }
  return { status: res.status, headers: res.headers, contentType: type, text, json, messages };
}

export function initializeRequest(id = 1, clientName = "raw-fetch", protocolVersion = PROTOCOL_VERSION) {
  return {
    jsonrpc: "2.0",
    id,
    method: "initialize",
    params: { protocolVersion, capabilities: {}, clientInfo: { name: clientName, version: "1.0.0" } },
  };
}

// initialize + notifications/initialized over raw fetch; returns the session.
export async function initializeRaw(url, { extraHeaders = {}, protocolVersion = PROTOCOL_VERSION } = {}) {
  const init = await post(url, initializeRequest(1, "raw-fetch", protocolVersion), { extra: extraHeaders });
  if (init.status !== 200) throw new Error(`initialize -> ${init.status}: ${init.text.slice(0, 500)}`);
  const sessionId = init.headers.get("mcp-session-id");
  const result = init.messages.find((m) => m.id === 1)?.result;
  if (!sessionId || !result) throw new Error(`initialize: no session id or result: ${init.text.slice(0, 500)}`);
  const session = { sessionId, protocolVersion: result.protocolVersion, extra: extraHeaders };
  const initialized = await post(url, { jsonrpc: "2.0", method: "notifications/initialized" }, session);
  if (initialized.status !== 202) throw new Error(`notifications/initialized -> ${initialized.status}`);
  return session;
}

// A one-line description of a response, for assertion messages.
export function describeResponse(response) {
  return `HTTP ${response.status} ${response.contentType}: ${response.text.slice(0, 400)}`;
}
