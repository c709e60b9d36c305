// A tiny client for the sidecar's admin API:
//   GET /sessions                           -> {"sessions":[record...]}
//   GET /sessions/<id>                      -> record
//   GET /sessions/<id>/events?after=N&limit=M -> {"events":[event...],"next_after":N}
//   GET /healthz, /readyz (200 or 503), /metrics (Prometheus text)
// record: {id, state, protocol_version, client_params, server_result,
//          credential_fingerprint, created_unix_ms, last_seen_unix_ms, event_count}
// event:  {seq, direction, stream_id, stream_seq, upstream_event_id, unix_ms,
//          synthetic, message}
export class AdminClient {
  constructor(baseUrl) {
    this.base = baseUrl.replace(/\/$/, "");
  }

  async get(path) {
    const res = await fetch(`${this.base}${path}`, { signal: AbortSignal.timeout(5000) });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text };
  }

  async getJson(path) {
    const { status, headers, text } = await this.get(path);
    if (status !== 200) {
      throw Object.assign(new Error(`admin GET ${path} -> ${status}: ${text.slice(0, 500)}`), { status });
    }
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new Error(`admin GET ${path}: body is not JSON (${err.message}); content-type ` +
                      `${headers.get("content-type")}: ${text.slice(0, 500)}`);
    }
  }

  async sessions() {
    const body = await this.getJson("/sessions");
    if (!Array.isArray(body.sessions)) throw new Error(`/sessions: no "sessions" array: ${JSON.stringify(body)}`);
    return body.sessions;
  }

  session(id) {
    return this.getJson(`/sessions/${encodeURIComponent(id)}`);
  }

  events(id, { after = 0, limit = 100 } = {}) {
    return this.getJson(`/sessions/${encodeURIComponent(id)}/events?after=${after}&limit=${limit}`);
  }

  sessionlessEvents({ after = 0, limit = 1000 } = {}) {
    return this.getJson(`/sessionless/events?after=${after}&limit=${limit}`);
  }

  // Every event of a session, following next_after page by page.
  async allEvents(id, { pageSize = 100, maxPages = 1000 } = {}) {
    const all = [];
    let after = 0;
    for (let page = 0; page < maxPages; page++) {
      const body = await this.events(id, { after, limit: pageSize });
      if (!Array.isArray(body.events)) throw new Error(`events page: no "events" array: ${JSON.stringify(body)}`);
      if (body.events.length > pageSize) {
        throw new Error(`events page after=${after} limit=${pageSize} returned ${body.events.length} events`);
      }
      if (body.events.length === 0) return all;
      all.push(...body.events);
      if (typeof body.next_after !== "number" || body.next_after <= after) {
        throw new Error(`events page after=${after}: next_after ${body.next_after} does not advance`);
      }
      after = body.next_after;
    }
    throw new Error(`more than ${maxPages} pages of events`);
  }

  async status(path) {
    return (await this.get(path)).status;
  }

  healthz() {
    return this.status("/healthz");
  }

  readyz() {
    return this.status("/readyz");
  }

  metrics() {
    return this.get("/metrics");
  }
}
