#pragma once
// StreamStarts: the memory store's index of where each stream begins in a
// session's log (stream id -> the seq before its first event), bounded like
// the log itself: a start is forgotten once the log no longer holds that
// stream's first event, which a resumption needs (the stream's requests).
// The Redis store keeps the same index in a ZSET (redis_lua.cc, append).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sidecar::sessionstore {

class StreamStarts {
 public:
  // `event` is about to get seq `seq_before + 1`. Only a stream's first event
  // (stream seq 1: producers number from 1) starts it; the first one wins.
  void note(const std::string& stream_id, uint64_t stream_seq, uint64_t seq_before);
  // The log's oldest held event is `first_held_seq` now.
  void forgetBefore(uint64_t first_held_seq);
  std::optional<uint64_t> find(const std::string& stream_id) const;
  size_t size() const noexcept { return starts_.size(); }

 private:
  std::unordered_map<std::string, uint64_t> starts_;
  // (seq before, the id inside starts_' node: stable across rehashes),
  // ascending; entries before head_ are forgotten. A vector, not a deque:
  // every session has one of these, and libstdc++'s empty deque already
  // allocates about 600 bytes.
  std::vector<std::pair<uint64_t, const std::string*>> by_age_;
  size_t head_ = 0;
};

}  // namespace sidecar::sessionstore
