#pragma once
// ExchangeRecorder: turns the JSON-RPC messages of one HTTP exchange into
// EventRecords in the session store, in the order they travelled. Until the
// exchange knows which log the messages belong to (an initialize creates its
// session only when the upstream answers), records are held and written on
// bind. Appends are batched: callers flush once per loop callback.

#include <string>
#include <vector>

#include "common/clock.h"
#include "sessionstore/session_store.h"

namespace sidecar::proxy {

class ExchangeRecorder {
 public:
  ExchangeRecorder(sessionstore::SessionStore& store, const Clock& clock, std::string stream_id)
      : store_(store), clock_(clock), stream_id_(std::move(stream_id)) {}

  const std::string& streamId() const noexcept { return stream_id_; }

  void bindSession(std::string session_id);
  void bindSessionless();
  bool bound() const noexcept { return binding_ != Binding::kUnbound; }

  // Answers the message's 1-based position in this stream (its stream_seq).
  uint64_t record(sessionstore::Direction direction, std::string raw_message,
                  std::string upstream_event_id = {});
  // Hands the batch to the store (a no-op while unbound or empty).
  void flush();

 private:
  enum class Binding { kUnbound, kSession, kSessionless };

  sessionstore::SessionStore& store_;
  const Clock& clock_;
  std::string stream_id_;
  std::string session_id_;
  Binding binding_ = Binding::kUnbound;
  uint64_t stream_seq_ = 0;
  std::vector<sessionstore::EventRecord> batch_;
};

}  // namespace sidecar::proxy
