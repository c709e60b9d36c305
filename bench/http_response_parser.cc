#include "bench/http_response_parser.h"

#include <algorithm>
#include <charconv>

namespace sidecar::bench {
namespace {

char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

bool equalsNoCase(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool containsNoCase(std::string_view hay, std::string_view needle) noexcept {
  if (needle.size() > hay.size()) return false;
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    if (equalsNoCase(hay.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// One line ending in LF (CR optional) at the start of `in`, without the end.
bool takeLine(std::string_view in, std::string_view* line, size_t* len) noexcept {
  const size_t lf = in.find('\n');
  if (lf == std::string_view::npos) return false;
  *len = lf + 1;
  *line = in.substr(0, lf);
  if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
  return true;
}

}  // namespace

void HttpResponseParser::reset() noexcept {
  state_ = State::kStatusLine;
  status_ = 0;
  keep_alive_ = true;
  chunked_ = false;
  has_length_ = false;
  event_stream_ = false;
  remaining_ = 0;
  body_bytes_ = 0;
  session_id_.clear();
  body_.clear();
}

bool HttpResponseParser::onStatusLine(std::string_view line) {
  // "HTTP/1.1 200 OK"
  if (line.size() < 12 || line.substr(0, 5) != "HTTP/") return false;
  if (line.substr(5, 3) == "1.0") keep_alive_ = false;
  const auto sp = line.find(' ');
  if (sp == std::string_view::npos || sp + 4 > line.size()) return false;
  const char* first = line.data() + sp + 1;
  auto [ptr, ec] = std::from_chars(first, first + 3, status_);
  return ec == std::errc{} && ptr == first + 3;
}

void HttpResponseParser::onHeader(std::string_view line) {
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return;
  const std::string_view name = line.substr(0, colon);
  const std::string_view value = trim(line.substr(colon + 1));
  if (equalsNoCase(name, "content-length")) {
    has_length_ = std::from_chars(value.data(), value.data() + value.size(), remaining_).ec ==
                  std::errc{};
  } else if (equalsNoCase(name, "transfer-encoding")) {
    chunked_ = containsNoCase(value, "chunked");
  } else if (equalsNoCase(name, "connection")) {
    if (containsNoCase(value, "close")) keep_alive_ = false;
    if (containsNoCase(value, "keep-alive")) keep_alive_ = true;
  } else if (equalsNoCase(name, "mcp-session-id")) {
    session_id_.assign(value);
  } else if (equalsNoCase(name, "content-type")) {
    event_stream_ = containsNoCase(value, "text/event-stream");
  }
}

bool HttpResponseParser::startBody() {
  if (status_ == 204 || status_ == 304 || (status_ >= 100 && status_ < 200)) {
    state_ = State::kDone;
  } else if (chunked_) {
    state_ = State::kChunkSize;
  } else if (has_length_) {
    state_ = remaining_ == 0 ? State::kDone : State::kBody;
  } else {
    keep_alive_ = false;
    state_ = State::kUntilClose;
  }
  return state_ == State::kDone;
}

void HttpResponseParser::keep(std::string_view data) {
  body_bytes_ += data.size();
  if (body_.size() < kMaxKeptBody) {
    body_.append(data.substr(0, std::min(data.size(), kMaxKeptBody - body_.size())));
  }
}

HttpResponseParser::Outcome HttpResponseParser::feed(std::string_view in, size_t* used) {
  size_t pos = 0;
  auto finish = [&](Outcome o) {
    *used = pos;
    return o;
  };
  while (pos < in.size() || state_ == State::kDone) {
    if (state_ == State::kDone) return finish(Outcome::kComplete);
    const std::string_view rest = in.substr(pos);
    std::string_view line;
    size_t len = 0;
    switch (state_) {
      case State::kStatusLine:
      case State::kHeaders:
      case State::kChunkSize:
      case State::kChunkCrlf:
      case State::kTrailers:
        if (!takeLine(rest, &line, &len)) {
          return finish(rest.size() > kMaxHeaderLine ? Outcome::kMalformed : Outcome::kNeedMore);
        }
        pos += len;
        break;
      default:
        break;
    }
    switch (state_) {
      case State::kStatusLine:
        if (!onStatusLine(line)) return finish(Outcome::kMalformed);
        state_ = State::kHeaders;
        break;
      case State::kHeaders:
        if (line.empty()) {
          if (status_ == 100) {  // interim response: a real one follows
            state_ = State::kStatusLine;
          } else {
            startBody();
          }
        } else {
          onHeader(line);
        }
        break;
      case State::kChunkSize: {
        const auto semi = line.find(';');
        const std::string_view hex = trim(line.substr(0, semi));
        auto [p, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), remaining_, 16);
        if (ec != std::errc{} || hex.empty()) return finish(Outcome::kMalformed);
        state_ = remaining_ == 0 ? State::kTrailers : State::kChunkData;
        break;
      }
      case State::kChunkCrlf:
        if (!line.empty()) return finish(Outcome::kMalformed);
        state_ = State::kChunkSize;
        break;
      case State::kTrailers:
        if (line.empty()) state_ = State::kDone;
        break;
      case State::kBody:
      case State::kChunkData: {
        const size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, rest.size()));
        keep(rest.substr(0, n));
        pos += n;
        remaining_ -= n;
        if (remaining_ == 0) state_ = state_ == State::kBody ? State::kDone : State::kChunkCrlf;
        break;
      }
      case State::kUntilClose:
        keep(rest);
        pos = in.size();
        break;
      case State::kDone:
        break;
    }
  }
  return finish(Outcome::kNeedMore);
}

HttpResponseParser::Outcome HttpResponseParser::onEof() noexcept {
  if (state_ == State::kUntilClose) {
    state_ = State::kDone;
    return Outcome::kComplete;
  }
  return Outcome::kMalformed;
}

}  // namespace sidecar::bench
