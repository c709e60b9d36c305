#include "proxy/sse_parser.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <utility>

namespace sidecar::proxy {

namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr std::string_view kLineBreaks = "\r\n";

// A line buffer that once held a huge data line would otherwise keep that capacity for the
// lifetime of the stream.
constexpr size_t kRetainedLineCapacity = 64 * 1024;

// `retry:` takes ASCII digits only; anything else (sign, space, empty, overflow) is ignored.
std::optional<uint32_t> parseRetry(std::string_view value) {
  if (value.empty()) return std::nullopt;
  uint64_t n = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(c - '0');
    if (n > std::numeric_limits<uint32_t>::max()) return std::nullopt;
  }
  return static_cast<uint32_t>(n);
}

void appendField(std::string& out, std::string_view name, std::string_view value,
                 bool drop_nul) {
  out.append(name);
  out.push_back(':');
  if (!value.empty()) {
    // Always one space: a parser strips exactly one, so values that start with a space survive.
    out.push_back(' ');
    for (char c : value) {
      if (c == '\r' || c == '\n' || (drop_nul && c == '\0')) continue;
      out.push_back(c);
    }
  }
  out.push_back('\n');
}

}  // namespace

std::string serializeSseEvent(const SseEvent& event) {
  std::string out;
  out.reserve(event.id.size() + event.event.size() + event.data.size() + 48);
  // A NUL makes a receiver ignore the whole id line, so drop it rather than lose the id.
  if (event.has_id) appendField(out, "id", event.id, /*drop_nul=*/true);
  if (!event.event.empty()) appendField(out, "event", event.event, false);
  if (event.retry_ms) {
    out += "retry: ";
    out += std::to_string(*event.retry_ms);
    out.push_back('\n');
  }
  std::string_view data = event.data;
  size_t start = 0;
  while (true) {
    const size_t eol = data.find_first_of(kLineBreaks, start);
    appendField(out, "data", data.substr(start, eol == std::string_view::npos ? eol : eol - start),
                false);
    if (eol == std::string_view::npos) break;
    start = eol + 1;
    if (data[eol] == '\r' && start < data.size() && data[start] == '\n') ++start;
  }
  out.push_back('\n');
  return out;
}

SseParser::SseParser(size_t max_event_bytes) : max_event_bytes_(max_event_bytes) {}

Status SseParser::status() const {
  if (!failed_) return Ok{};
  return makeError(ErrorCode::kResourceExhausted,
                   "sse event larger than " + std::to_string(max_event_bytes_) + " bytes");
}

void SseParser::reset() {
  line_ = std::string();
  in_comment_ = false;
  after_cr_ = false;
  at_stream_start_ = true;
  bom_matched_ = 0;
  clearEvent();
  failed_ = false;
}

void SseParser::feed(std::string_view bytes, std::vector<SseEvent>& out) {
  if (failed_) return;
  if (at_stream_start_) {
    while (!bytes.empty() && bom_matched_ < kBom.size() && bytes.front() == kBom[bom_matched_]) {
      ++bom_matched_;
      bytes.remove_prefix(1);
    }
    if (bom_matched_ < kBom.size() && bytes.empty()) return;  // a BOM prefix so far: undecided
    at_stream_start_ = false;
    if (bom_matched_ < kBom.size()) {
      // It was not a BOM after all: the bytes held back are ordinary stream text.
      consume(kBom.substr(0, bom_matched_), out);
    }
    bom_matched_ = 0;
  }
  consume(bytes, out);
}

void SseParser::consume(std::string_view bytes, std::vector<SseEvent>& out) {
  // memchr per terminator, each position cached until passed: data lines carry whole tool
  // results, and a per-byte set lookup (find_first_of) made this the slowest step of the relay.
  const auto find = [&](char c, size_t from) {
    const void* hit = std::memchr(bytes.data() + from, c, bytes.size() - from);
    return hit ? static_cast<size_t>(static_cast<const char*>(hit) - bytes.data()) : bytes.size();
  };
  size_t next_cr = find('\r', 0);
  size_t next_lf = find('\n', 0);
  size_t pos = 0;
  while (pos < bytes.size() && !failed_) {
    if (after_cr_) {
      after_cr_ = false;
      if (bytes[pos] == '\n') {
        ++pos;
        continue;
      }
    }
    if (next_cr < pos) next_cr = find('\r', pos);
    if (next_lf < pos) next_lf = find('\n', pos);
    const size_t eol = std::min(next_cr, next_lf);
    appendToLine(bytes.substr(pos, eol - pos));
    if (eol == bytes.size() || failed_) return;
    // A CR ends the line at once (an event ending in CR CR is dispatched without waiting for
    // more bytes); remember it so an LF arriving next, even in the next chunk, is not a 2nd line.
    after_cr_ = bytes[eol] == '\r';
    pos = eol + 1;
    endLine(out);
  }
}

void SseParser::appendToLine(std::string_view chunk) {
  if (chunk.empty() || in_comment_) return;
  if (line_.empty() && chunk.front() == ':') {
    // Comments (keep-alives) can be arbitrarily long; never buffer them.
    in_comment_ = true;
    return;
  }
  line_.append(chunk);
  checkBound();
}

void SseParser::endLine(std::vector<SseEvent>& out) {
  if (in_comment_) {
    in_comment_ = false;
    return;
  }
  if (line_.empty()) {
    dispatch(out);
    return;
  }
  processField(line_);
  if (line_.capacity() > kRetainedLineCapacity) {
    line_ = std::string();
  } else {
    line_.clear();
  }
  checkBound();
}

void SseParser::processField(std::string_view line) {
  const size_t colon = line.find(':');
  const std::string_view name = line.substr(0, colon);
  std::string_view value;
  if (colon != std::string_view::npos) {
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (name == "data") {
    data_.append(value);
    data_.push_back('\n');
    has_fields_ = true;
  } else if (name == "event") {
    event_.assign(value);
    has_fields_ = true;
  } else if (name == "id") {
    if (value.find('\0') != std::string_view::npos) return;  // ignored, per the spec
    id_.assign(value);
    has_id_ = true;
    has_fields_ = true;
  } else if (name == "retry") {
    if (auto retry = parseRetry(value)) {
      retry_ms_ = retry;
      has_fields_ = true;
    }
  }
  // Unknown field names are ignored, per the spec.
}

void SseParser::dispatch(std::vector<SseEvent>& out) {
  if (has_fields_) {
    SseEvent event;
    event.id = std::move(id_);
    event.has_id = has_id_;
    event.event = std::move(event_);
    if (!data_.empty()) data_.pop_back();  // the '\n' after the last data line
    event.data = std::move(data_);
    event.retry_ms = retry_ms_;
    out.push_back(std::move(event));
  }
  clearEvent();
}

void SseParser::clearEvent() {
  id_.clear();
  event_.clear();
  data_.clear();
  retry_ms_.reset();
  has_id_ = false;
  has_fields_ = false;
}

void SseParser::checkBound() {
  const size_t pending = line_.size() + data_.size() + id_.size() + event_.size();
  if (pending <= max_event_bytes_) return;
  failed_ = true;
  // Give the memory back now; the stream is unusable from here on.
  line_ = std::string();
  id_ = std::string();
  event_ = std::string();
  data_ = std::string();
}

}  // namespace sidecar::proxy
