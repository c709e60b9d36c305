#include "sessionstore/event_log.h"

#include <algorithm>
#include <utility>

namespace sidecar::sessionstore {

size_t EventLog::append(EventRecord event, int64_t now_unix_ms) {
  event.seq = next_seq_++;
  if (event.unix_ms == 0) event.unix_ms = now_unix_ms;
  events_.push_back(std::move(event));
  size_t dropped = 0;
  while (events_.size() > max_events_) {
    events_.pop_front();
    ++dropped;
  }
  return dropped;
}

EventPage EventLog::read(uint64_t after_seq, size_t limit) const {
  EventPage page;
  page.next_after_seq = after_seq;
  if (events_.empty() || after_seq >= lastSeq() || limit == 0) return page;

  const uint64_t first_seq = events_.front().seq;
  // A reader behind the retained window starts at the oldest event held; the
  // gap is visible to it as the first returned seq exceeding after_seq + 1.
  const size_t start = after_seq < first_seq ? 0 : static_cast<size_t>(after_seq - first_seq + 1);
  const size_t count = std::min(limit, events_.size() - start);
  const auto begin = events_.begin() + static_cast<std::ptrdiff_t>(start);
  page.events.assign(begin, begin + static_cast<std::ptrdiff_t>(count));
  page.next_after_seq = page.events.back().seq;
  return page;
}

}  // namespace sidecar::sessionstore
