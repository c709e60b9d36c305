// Child processes for one test file: the upstream MCP server (server-everything)
// and the sidecar under test. Every process gets a log file in the group's temp
// dir; dumpLogs() prints them (tests call it when something failed); stopAll()
// kills every process by its own PID (SIGTERM, then SIGKILL after a grace time).
// A process 'exit' hook SIGKILLs anything still running if a test file dies early.
import { spawn } from "node:child_process";
import {
  accessSync, closeSync, constants, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { freePort } from "./ports.mjs";
import { sleep, waitFor } from "./wait.mjs";

const here = dirname(fileURLToPath(import.meta.url));
export const integrationDir = resolve(here, "..");
export const loopbackPreload = join(here, "loopback.cjs");
export const everythingEntry = join(
  integrationDir, "node_modules", "@modelcontextprotocol", "server-everything", "dist", "index.js");

// Development only: MCP_IT_DIRECT=1 points the SDK scenarios straight at the
// upstream (no sidecar) to validate the scenario code itself. CTest clears it.
export const directMode = process.env.MCP_IT_DIRECT === "1";

const live = new Set();
process.on("exit", () => {
  for (const child of live) {
    try { process.kill(child.pid, "SIGKILL"); } catch { /* already gone */ }
  }
});

export class ProcessGroup {
  constructor(name) {
    this.name = name;
    this.dir = mkdtempSync(join(tmpdir(), `mcp-it-${name}-`));
    this.procs = [];
    this.failed = false;
  }

  // Starts `cmd args` with stdout and stderr appended to <dir>/<label>.log.
  spawn(label, cmd, args, { env = {}, cwd = integrationDir } = {}) {
    const logPath = join(this.dir, `${label}.log`);
    const fd = openSync(logPath, "a");
    const child = spawn(cmd, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ["ignore", fd, fd],
    });
    closeSync(fd);
    const proc = { label, cmd, args, child, pid: child.pid, logPath, exitCode: undefined, signal: undefined };
    proc.exited = new Promise((resolveExit) => {
      child.on("exit", (code, signal) => {
        proc.exitCode = code;
        proc.signal = signal;
        live.delete(child);
        resolveExit();
      });
      child.on("error", (err) => {
        proc.spawnError = err;
        live.delete(child);
        resolveExit();
      });
    });
    live.add(child);
    this.procs.push(proc);
    return proc;
  }

  running(proc) {
    return proc.exitCode === undefined && proc.signal === undefined && !proc.spawnError;
  }

  log(proc) {
    return existsSync(proc.logPath) ? readFileSync(proc.logPath, "utf8") : "";
  }

  // Kills one process by PID and waits for it to exit.
  async stop(proc, { signal = "SIGTERM", graceMs = 3000 } = {}) {
    if (!this.running(proc)) return;
    try { process.kill(proc.pid, signal); } catch { /* raced with exit */ }
    const gone = await Promise.race([proc.exited.then(() => true), sleep(graceMs).then(() => false)]);
    if (!gone) {
      try { process.kill(proc.pid, "SIGKILL"); } catch { /* raced with exit */ }
      await proc.exited;
    }
  }

  async stopAll() {
    await Promise.all(this.procs.map((p) => this.stop(p)));
  }

  dumpLogs(reason = "a test failed") {
    const out = [`\n===== ${this.name}: ${reason}; process logs (${this.dir}) =====`];
    for (const name of readdirSync(this.dir).filter((f) => f.endsWith(".yaml")).sort()) {
      out.push(`----- ${name}:`, readFileSync(join(this.dir, name), "utf8"));
    }
    for (const proc of this.procs) {
      const state = this.running(proc) ? "running" : `exited code=${proc.exitCode} signal=${proc.signal}`;
      out.push(`----- ${proc.label} (pid ${proc.pid}, ${state}): ${proc.cmd} ${proc.args.join(" ")}`);
      out.push(this.log(proc).slice(-60_000) || "(empty)");
    }
    out.push(`===== end of ${this.name} logs =====\n`);
    process.stderr.write(out.join("\n") + "\n");
  }

  // Called from after(): stops everything, prints the logs if a test failed,
  // and removes the temp dir when all went well (kept with MCP_IT_KEEP_LOGS=1,
  // e.g. to look for sanitizer reports written at exit).
  async finish() {
    await this.stopAll();
    if (this.failed) {
      this.dumpLogs();
    } else if (!process.env.MCP_IT_KEEP_LOGS) {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  // Wraps a test body so that a failure marks the group (logs get printed).
  guard(fn) {
    return async (t) => {
      try {
        return await fn(t);
      } catch (err) {
        this.failed = true;
        throw err;
      }
    };
  }
}

// Waits until `url` answers any HTTP status, failing fast if `proc` exits.
async function waitForHttp(group, proc, url, { timeoutMs, okOnly = false, what }) {
  await waitFor(async () => {
    if (!group.running(proc)) {
      throw Object.assign(new Error(`${proc.label} exited early (code=${proc.exitCode} signal=${proc.signal})`),
                          { exitedEarly: true, fatal: true });
    }
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await res.body?.cancel();
    return okOnly ? res.status === 200 : true;
  }, { timeoutMs, intervalMs: 100, what }).catch((err) => {
    if (!group.running(proc)) {
      err.exitedEarly = true;
      if (!err.message.includes("exited early")) {
        err.message += `; ${proc.label} exited (code=${proc.exitCode} signal=${proc.signal})`;
      }
      err.message += `; its log:\n${group.log(proc).slice(-4000) || "(empty)"}`;
    }
    throw err;
  });
}

// Starts server-everything in Streamable HTTP mode on a free loopback port.
export async function startUpstream(group, { label = "upstream" } = {}) {
  if (!existsSync(everythingEntry)) {
    throw new Error(`${everythingEntry} is missing: run scripts/install-deps.sh (npm ci in tests/integration)`);
  }
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const proc = group.spawn(label, process.execPath,
                             ["--require", loopbackPreload, everythingEntry, "streamableHttp"],
                             { env: { PORT: String(port) } });
    const url = `http://127.0.0.1:${port}/mcp`;
    try {
      await waitForHttp(group, proc, url, { timeoutMs: 15_000, what: `${label} on port ${port}` });
      return { port, url, proc };
    } catch (err) {
      await group.stop(proc);
      if (!(err.exitedEarly && attempt < 3)) throw err;  // port raced away: try another
    }
  }
}

export function sidecarBin() {
  const bin = process.env.SIDECAR_BIN;
  if (!bin) {
    throw new Error("SIDECAR_BIN is not set: run these tests through ctest (scripts/test.sh), or set it to " +
                    "build/cmd/mcp-sidecar (MCP_IT_DIRECT=1 bypasses the sidecar, for harness development only)");
  }
  try {
    accessSync(bin, constants.X_OK);
  } catch {
    throw new Error(`SIDECAR_BIN=${bin} is not an executable file`);
  }
  return bin;
}

// Starts the sidecar in front of `upstreamUrl` on free loopback ports and waits
// for its admin /healthz. `set` holds extra `key=value` overrides.
export async function startSidecar(group, { upstreamUrl, set = [], label = "sidecar" }) {
  const bin = sidecarBin();
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const adminPort = await freePort();
    const configPath = join(group.dir, `${label}.yaml`);
    // The file carries the same values as the --set flags below, so both the
    // YAML loader and the override path are exercised.
    writeFileSync(configPath, [
      `# written by tests/integration/support/processes.mjs`,
      `listen: "127.0.0.1:${port}"`,
      `admin:`,
      `  listen: "127.0.0.1:${adminPort}"`,
      `upstream:`,
      `  url: "${upstreamUrl}"`,
      `log:`,
      `  level: debug`,
      ``,
    ].join("\n"));
    const sets = [
      `listen=127.0.0.1:${port}`,
      `admin.listen=127.0.0.1:${adminPort}`,
      `upstream.url=${upstreamUrl}`,
      `log.level=debug`,
      ...set,
    ];
    const args = ["--config", configPath, ...sets.flatMap((s) => ["--set", s])];
    const proc = group.spawn(label, bin, args);
    const adminUrl = `http://127.0.0.1:${adminPort}`;
    try {
      await waitForHttp(group, proc, `${adminUrl}/healthz`,
                        { timeoutMs: 15_000, okOnly: true, what: `${label} /healthz on port ${adminPort}` });
      return { port, adminPort, url: `http://127.0.0.1:${port}/mcp`, base: `http://127.0.0.1:${port}`, adminUrl,
               proc, configPath };
    } catch (err) {
      await group.stop(proc);
      const raced = err.exitedEarly && /address already in use|EADDRINUSE/i.test(group.log(proc));
      if (!(raced && attempt < 3)) throw err;
    }
  }
}
