// A small incremental parser for text/event-stream (WHATWG rules): feed it
// text chunks, it calls onEvent({id, event, data, retry}) per dispatched event.
// Events with an empty data buffer (priming events) are dispatched too, with
// data "", so callers can see event ids; comments (":") are ignored.
export class SseParser {
  constructor(onEvent) {
    this.onEvent = onEvent;
    this.buffer = "";
    this.reset();
  }

  reset() {
    this.id = undefined;
    this.event = undefined;
    this.dataLines = [];
    this.retry = undefined;
    this.sawField = false;
  }

  feed(text) {
    this.buffer += text;
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      if (!match) break;
      // A lone trailing "\r" may be the first half of "\r\n": wait for more.
      if (match[0] === "\r" && match.index === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      this.line(line);
    }
  }

  line(line) {
    if (line === "") {
      if (this.sawField) {
        this.onEvent({ id: this.id, event: this.event, data: this.dataLines.join("\n"), retry: this.retry });
      }
      this.reset();
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    this.sawField = true;
    if (field === "data") this.dataLines.push(value);
    else if (field === "id") this.id = value;
    else if (field === "event") this.event = value;
    else if (field === "retry") this.retry = Number(value);
  }
}

// Parses a complete SSE body into events.
export function parseSse(text) {
  const events = [];
  const parser = new SseParser((e) => events.push(e));
  parser.feed(text);
  parser.feed("\n\n");
  return events;
}

// The JSON-RPC messages carried by a complete SSE body, in order.
export function sseMessages(text) {
  return parseSse(text)
    .filter((e) => e.data !== "" && (e.event === undefined || e.event === "message"))
    .map((e) => JSON.parse(e.data));
}
