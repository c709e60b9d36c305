// Free loopback ports from the kernel (bind port 0, read it back, release it).
// The port is free when returned; the caller binds it soon after and retries
// on EADDRINUSE (see processes.mjs), which closes the small race window.
import net from "node:net";

export function freePort(host = "127.0.0.1") {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
