// Preload (node --require) that forces every TCP server in the process onto a
// loopback address. server-everything calls `app.listen(PORT)`, which binds all
// interfaces; tests and the demo must never expose it beyond this machine.
//
// The address is LOOPBACK_HOST (default 127.0.0.1); it must be a loopback one.
// Unix-socket and file-descriptor listens are left alone.
"use strict";

const net = require("node:net");

const host = process.env.LOOPBACK_HOST || "127.0.0.1";
if (!/^127\.\d+\.\d+\.\d+$/.test(host) && host !== "::1" && host !== "localhost") {
  throw new Error(`loopback.cjs: LOOPBACK_HOST=${host} is not a loopback address`);
}

const originalListen = net.Server.prototype.listen;

function isPortLike(value) {
  return typeof value === "number" || (typeof value === "string" && /^\d+$/.test(value));
}

net.Server.prototype.listen = function listen(...args) {
  const first = args[0];
  if (args.length === 0 || typeof first === "function") {
    // listen() / listen(cb): an ephemeral port on every interface.
    args = [0, host, ...args];
  } else if (isPortLike(first) || first === undefined || first === null) {
    // listen(port[, host][, backlog][, cb]): replace or insert the host.
    const rest = args.slice(1);
    if (typeof rest[0] === "string") rest.shift();
    args = [first ?? 0, host, ...rest];
  } else if (typeof first === "object" && first !== null && !first._handle && first.fd === undefined &&
             first.path === undefined) {
    args = [{ ...first, host }, ...args.slice(1)];
  }
  return originalListen.apply(this, args);
};
