// A real redis-server for integration tests: loopback, a free port, no
// persistence unless asked, stopped by PID with the rest of the group.
import net from "node:net";

import { freePort } from "./ports.mjs";
import { waitFor } from "./wait.mjs";

function ping(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    let reply = "";
    socket.once("error", () => resolve(false));
    socket.on("data", (d) => {
      reply += d;
      if (reply.includes("\r\n")) { socket.destroy(); resolve(reply.startsWith("+PONG")); }
    });
    socket.once("connect", () => socket.write("PING\r\n"));
  });
}

export async function startRedis(group, { label = "redis", port, args = [] } = {}) {
  const chosen = port ?? await freePort();
  const proc = group.spawn(label, "redis-server", [
    "--port", String(chosen), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
    "--dir", group.dir, ...args,
  ]);
  await waitFor(() => ping(chosen), { timeoutMs: 10_000, what: `${label} on port ${chosen}` });
  return { port: chosen, url: `redis://127.0.0.1:${chosen}`, proc };
}
