// Preload (node --require) for the official conformance CLI: keeps the test
// servers it starts for CLIENT scenarios on loopback, like loopback.cjs does
// for server-everything, without breaking them.
//
// loopback.cjs turns `listen(0)` into `listen(0, "127.0.0.1")`. Node resolves
// any host given to listen() through dns.lookup, which answers on a later tick
// even for an IP literal, so the server is bound only after listen() returns.
// Some conformance scenarios (tools_call, elicitation-sep1034-client-defaults)
// do `app.listen(0).address().port` synchronously and crash on that null.
// So, only while a listen() call is on the stack, an IP-literal lookup answers
// synchronously: net's lookupAndListen then binds before listen() returns, as
// an unhosted listen(0) would have. Every other lookup is untouched.
"use strict";

require("./loopback.cjs");

const dns = require("node:dns");
const net = require("node:net");

const loopbackListen = net.Server.prototype.listen;  // the loopback.cjs wrapper
const originalLookup = dns.lookup;
let listenDepth = 0;

dns.lookup = function lookup(hostname, options, callback) {
  const family = typeof hostname === "string" ? net.isIP(hostname) : 0;
  if (listenDepth > 0 && family !== 0 && typeof callback === "function" && options && typeof options === "object") {
    if (options.all) {
      callback(null, [{ address: hostname, family }]);
    } else {
      callback(null, hostname, family);
    }
    return {};
  }
  return originalLookup.apply(this, arguments);
};

net.Server.prototype.listen = function listen(...args) {
  listenDepth++;
  try {
    return loopbackListen.apply(this, args);
  } finally {
    listenDepth--;
  }
};
