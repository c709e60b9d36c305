#pragma once
// HttpResponseParser: an incremental HTTP/1.1 response parser, just enough
// for the load generator: status line, the few headers it needs, bodies
// framed by Content-Length, chunked encoding or connection close. Bytes are
// fed as they arrive; the parser reports when one complete response has been
// read and how many input bytes it used. No allocation per byte; the decoded
// body is kept (up to a cap) so the caller can check it. Pure: no I/O.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sidecar::bench {

class HttpResponseParser {
 public:
  enum class Outcome { kNeedMore, kComplete, kMalformed };

  // Starts a new response (the client never sends HEAD).
  void reset() noexcept;

  // Consumes a prefix of `in`; sets *used to the number of bytes consumed.
  // Returns kComplete once, when the whole response has been read; bytes after
  // it (none in a one-request-at-a-time client) are left unconsumed.
  Outcome feed(std::string_view in, size_t* used);

  // The peer closed the connection: completes a close-delimited body.
  Outcome onEof() noexcept;

  int status() const noexcept { return status_; }
  bool keepAlive() const noexcept { return keep_alive_; }
  const std::string& sessionId() const noexcept { return session_id_; }
  bool isEventStream() const noexcept { return event_stream_; }
  std::string_view body() const noexcept { return body_; }
  uint64_t bodyBytes() const noexcept { return body_bytes_; }

  static constexpr size_t kMaxHeaderLine = 16 * 1024;
  static constexpr size_t kMaxKeptBody = 256 * 1024;

 private:
  enum class State { kStatusLine, kHeaders, kBody, kChunkSize, kChunkData, kChunkCrlf, kTrailers,
                     kUntilClose, kDone };

  bool onStatusLine(std::string_view line);
  void onHeader(std::string_view line);
  bool startBody();
  void keep(std::string_view data);

  State state_ = State::kStatusLine;
  int status_ = 0;
  bool keep_alive_ = true;
  bool chunked_ = false;
  bool has_length_ = false;
  bool event_stream_ = false;
  uint64_t remaining_ = 0;
  uint64_t body_bytes_ = 0;
  std::string session_id_;
  std::string body_;
};

}  // namespace sidecar::bench
