#pragma once
// SseParser: incremental text/event-stream parser (WHATWG "event stream interpretation") for the
// bodies the upstream streams back. Pure: no I/O, no event loop. One instance per upstream stream,
// owned by whoever relays that stream; feed() it each chunk as it arrives.
//
// Deliberate differences from a browser's EventSource:
//   - every block that set at least one known field is emitted, even with no or empty data, so
//     priming events (`id:` plus empty `data:`) and retry-only blocks are seen and relayed;
//   - `id` belongs to its own block: an event without an `id:` line has has_id == false (a browser
//     would carry the previous id forward; the relay needs to know which event carried one);
//   - memory is bounded: an event larger than max_event_bytes fails the parser for good.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace sidecar::proxy {

struct SseEvent {
  std::string id;       // value of the block's last valid `id:` line
  bool has_id = false;  // an `id:` line was present (an empty id is meaningful: it resets)
  std::string event;    // `event:` type; empty means "message"
  std::string data;     // `data:` lines joined with "\n"
  std::optional<uint32_t> retry_ms;

  friend bool operator==(const SseEvent&, const SseEvent&) = default;
};

// Canonical wire form: `id:`, `event:`, `retry:`, one `data:` line per line of data, blank line.
// At least one `data:` line is always written, because clients (browsers and the MCP SDK's
// eventsource-parser) drop a block without data, and a priming event must reach them to give them
// an id to resume from. Line breaks inside id/event (and NUL inside id) cannot be represented and
// are dropped; CR, LF and CRLF inside data all become line breaks.
std::string serializeSseEvent(const SseEvent& event);

class SseParser {
 public:
  static constexpr size_t kDefaultMaxEventBytes = 16 * 1024 * 1024;

  explicit SseParser(size_t max_event_bytes = kDefaultMaxEventBytes);

  // Appends every event completed by `bytes` to `out`. Chunks may split the stream anywhere,
  // including inside a UTF-8 BOM or between the CR and LF of a CRLF. After a failure, further
  // calls do nothing.
  void feed(std::string_view bytes, std::vector<SseEvent>& out);

  bool failed() const noexcept { return failed_; }
  // Ok, or kResourceExhausted once an event outgrew the bound.
  Status status() const;

  // Forgets everything, as if constructed anew (a new stream may start with a BOM again).
  void reset();

 private:
  void consume(std::string_view bytes, std::vector<SseEvent>& out);
  void appendToLine(std::string_view chunk);
  void endLine(std::vector<SseEvent>& out);
  void processField(std::string_view line);
  void dispatch(std::vector<SseEvent>& out);
  void clearEvent();
  void checkBound();

  size_t max_event_bytes_;

  // Line assembly.
  std::string line_;
  bool in_comment_ = false;  // inside a ':' line: its bytes are dropped, not buffered
  bool after_cr_ = false;    // the previous byte was CR, so a leading LF completes a CRLF
  bool at_stream_start_ = true;
  size_t bom_matched_ = 0;   // BOM bytes seen so far at stream start

  // The event being assembled.
  std::string id_;
  std::string event_;
  std::string data_;  // each data line followed by '\n'
  std::optional<uint32_t> retry_ms_;
  bool has_id_ = false;
  bool has_fields_ = false;

  bool failed_ = false;
};

}  // namespace sidecar::proxy
