// The "client under test" for the official conformance CLIENT scenarios
// (`conformance client --command "node conformance_client.mjs" --scenario X`).
// The CLI starts its own scenario test server, appends that server's URL to the
// command line and names the scenario in MCP_CONFORMANCE_SCENARIO; the checks
// are then made by that test server from what reaches it.
//
// The client is the official SDK client (the same one sdk_scenarios uses). With
// CONFORMANCE_VIA_SIDECAR=1 this script first starts an mcp-sidecar
// ($SIDECAR_BIN) in front of the scenario's test server and points the client at
// the sidecar instead:
//
//   SDK client --> mcp-sidecar --> conformance scenario test server (the judge)
//
// so the same scenario run direct and through the sidecar shows whether the
// sidecar changes anything the server-side judge can see. Only the scenarios
// that need no OAuth are handled (see docs/conformance.md for why the auth ones
// are not run). Exit code: 0 when the client flow completed, 1 otherwise (the
// checks themselves are the CLI's verdict, not ours).
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";

import { ProcessGroup, startSidecar } from "./processes.mjs";

const scenario = process.env.MCP_CONFORMANCE_SCENARIO;
const serverUrl = process.argv[process.argv.length - 1];
const viaSidecar = process.env.CONFORMANCE_VIA_SIDECAR === "1";

function log(...args) {
  process.stderr.write(`[conformance-client ${scenario}${viaSidecar ? " via sidecar" : ""}] ${args.join(" ")}\n`);
}

async function connect(url, capabilities = {}) {
  const client = new Client({ name: "mcp-sidecar-conformance-client", version: "1.0.0" }, { capabilities });
  const transport = new StreamableHTTPClientTransport(new URL(url));
  await client.connect(transport);
  return { client, transport };
}

const flows = {
  // Initialize handshake (+ initialized notification), then close.
  async initialize(url) {
    const { client } = await connect(url);
    await client.close();
  },
  // Call the server's add_numbers tool.
  async tools_call(url) {
    const { client } = await connect(url);
    const { tools } = await client.listTools();
    log("tools:", tools.map((t) => t.name).join(","));
    const result = await client.callTool({ name: "add_numbers", arguments: { a: 5, b: 3 } });
    log("result:", JSON.stringify(result));
    await client.close();
  },
  // The server's tool elicits with a schema full of defaults; the client
  // accepts with empty content and the SDK fills in the defaults
  // (elicitation.form.applyDefaults).
  async "elicitation-sep1034-client-defaults"(url) {
    const { client } = await connect(url, { elicitation: { form: { applyDefaults: true } } });
    client.setRequestHandler(ElicitRequestSchema, async () => ({ action: "accept", content: {} }));
    const result = await client.callTool({ name: "test_client_elicitation_defaults", arguments: {} });
    log("result:", JSON.stringify(result));
    await client.close();
  },
  // The server closes the tools/call SSE stream after a priming event
  // (`retry: 500`); the client must come back with GET + Last-Event-ID after
  // the retry delay and gets the result on that stream.
  async "sse-retry"(url) {
    const { client } = await connect(url);
    const result = await client.callTool({ name: "test_reconnection", arguments: {} });
    log("result:", JSON.stringify(result));
    await client.close();
  },
};

async function main() {
  const flow = flows[scenario];
  if (!flow) throw new Error(`scenario ${scenario} is not supported by this client`);
  if (!viaSidecar) {
    await flow(serverUrl);
    return;
  }
  const group = new ProcessGroup(`conformance-client-${scenario.replace(/[^a-z0-9-]/gi, "_")}`);
  try {
    const sidecar = await startSidecar(group, { upstreamUrl: serverUrl });
    log(`sidecar ${sidecar.url} -> ${serverUrl}`);
    await flow(sidecar.url);
  } catch (err) {
    group.failed = true;
    throw err;
  } finally {
    // On failure the sidecar's log goes to our stderr, which the CLI saves
    // next to the scenario's checks.json (stderr.txt).
    await group.finish();
  }
}

main().then(
  () => process.exit(0),
  (err) => { log("failed:", err?.stack ?? String(err)); process.exit(1); },
);
