#pragma once
// EventLog: one bounded, ordered event log (a session's, or the sessionless
// one) for the in-memory store. It assigns seq 1, 2, 3, ... in append order
// and, when full, drops the oldest events while seq keeps increasing, so a
// reader paging with after_seq never sees a number reused. Owned by
// MemorySessionStore; no callbacks, no event loop.

#include <cstddef>
#include <cstdint>
#include <deque>

#include "sessionstore/session.h"
#include "sessionstore/session_store.h"

namespace sidecar::sessionstore {

class EventLog {
 public:
  explicit EventLog(size_t max_events) : max_events_(max_events) {}

  // Assigns the next seq, stamps unix_ms when it is 0, and trims the log to
  // its bound. Returns how many of the oldest events were dropped.
  size_t append(EventRecord event, int64_t now_unix_ms);

  // Events with seq > after_seq, at most `limit`. next_after_seq is the last
  // returned seq, or after_seq when nothing is returned.
  EventPage read(uint64_t after_seq, size_t limit) const;

  // Events currently held (not the number ever appended).
  size_t size() const noexcept { return events_.size(); }
  uint64_t lastSeq() const noexcept { return next_seq_ - 1; }
  // The oldest event held (lastSeq() + 1 while empty).
  uint64_t firstSeq() const noexcept { return next_seq_ - events_.size(); }

 private:
  size_t max_events_;
  uint64_t next_seq_ = 1;
  // seq is contiguous within the deque (only the front is ever dropped), so
  // a read finds its starting point by arithmetic instead of a search.
  std::deque<EventRecord> events_;
};

}  // namespace sidecar::sessionstore
