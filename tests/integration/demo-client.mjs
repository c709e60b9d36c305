#!/usr/bin/env node
// A tiny MCP client for the demo (scripts/demo.sh): connects with the official
// SDK over Streamable HTTP, lists the tools, calls `echo` and `get-sum`, runs a
// short long-running tool to show progress streaming, and prints what it got.
// The session is left open so it can be inspected in the admin API; pass
// --terminate to end it with DELETE.
//
//   node tests/integration/demo-client.mjs [http://127.0.0.1:8080/mcp] [--terminate]
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const args = process.argv.slice(2);
const terminate = args.includes("--terminate");
const url = args.find((a) => !a.startsWith("--")) ?? "http://127.0.0.1:8080/mcp";

const transport = new StreamableHTTPClientTransport(new URL(url));
const client = new Client({ name: "mcp-sidecar-demo-client", version: "1.0.0" }, { capabilities: {} });

try {
  await client.connect(transport);
  const server = client.getServerVersion();
  console.log(`connected to ${url}`);
  console.log(`  server:           ${server?.name} ${server?.version}`);
  console.log(`  protocol version: ${transport.protocolVersion}`);
  console.log(`  session id:       ${transport.sessionId}`);

  const { tools } = await client.listTools();
  console.log(`\ntools (${tools.length}):`);
  for (const tool of tools) console.log(`  - ${tool.name}: ${tool.description ?? ""}`);

  const echo = await client.callTool({ name: "echo", arguments: { message: "hello from the demo client" } });
  console.log(`\necho -> ${echo.content.map((c) => c.text).join(" ")}`);

  const sum = await client.callTool({ name: "get-sum", arguments: { a: 2, b: 40 } });
  console.log(`get-sum -> ${sum.content.map((c) => c.text).join(" ")}`);

  const t0 = Date.now();
  const lro = await client.callTool(
    { name: "trigger-long-running-operation", arguments: { duration: 2, steps: 4 } }, undefined,
    { onprogress: (p) => console.log(`  progress ${p.progress}/${p.total} at +${Date.now() - t0} ms`) });
  console.log(`trigger-long-running-operation -> ${lro.content.map((c) => c.text).join(" ")}`);

  if (terminate) {
    await transport.terminateSession();
    console.log(`\nsession terminated (DELETE)`);
  } else {
    console.log(`\nsession left open; inspect it with:`);
    console.log(`  curl -s http://127.0.0.1:9090/sessions/${transport.sessionId}`);
    console.log(`  curl -s 'http://127.0.0.1:9090/sessions/${transport.sessionId}/events?after=0&limit=100'`);
  }
} catch (err) {
  console.error(`demo-client: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  await client.close().catch(() => {});
}
