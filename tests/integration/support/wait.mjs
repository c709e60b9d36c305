// Polling helpers with explicit deadlines (no open-ended sleeps).
import { setTimeout as sleep } from "node:timers/promises";

export { sleep };

// Calls `probe` until it returns a truthy value, and returns that value.
// Throws after `timeoutMs`, naming `what` and the last error or value seen,
// or at once when the probe throws an error marked `fatal`.
export async function waitFor(probe, { timeoutMs = 5000, intervalMs = 50, what = "condition" } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
      last = value;
    } catch (err) {
      if (err?.fatal) throw err;  // the probe knows waiting longer cannot help
      last = err;
    }
    if (Date.now() >= deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${detail})`);
    }
    await sleep(intervalMs);
  }
}

// Resolves with the promise's value, or rejects after `timeoutMs`.
export async function withTimeout(promise, timeoutMs, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
