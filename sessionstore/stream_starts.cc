#include "sessionstore/stream_starts.h"

namespace sidecar::sessionstore {

void StreamStarts::note(const std::string& stream_id, uint64_t stream_seq, uint64_t seq_before) {
  if (stream_id.empty() || stream_seq != 1) return;
  if (starts_.try_emplace(stream_id, seq_before).second) by_age_.emplace_back(seq_before, stream_id);
}

void StreamStarts::forgetBefore(uint64_t first_held_seq) {
  // A stream's first event is seq_before + 1: gone once that is below the oldest held.
  while (!by_age_.empty() && by_age_.front().first + 1 < first_held_seq) {
    starts_.erase(by_age_.front().second);
    by_age_.pop_front();
  }
}

std::optional<uint64_t> StreamStarts::find(const std::string& stream_id) const {
  auto it = starts_.find(stream_id);
  if (it == starts_.end()) return std::nullopt;
  return it->second;
}

}  // namespace sidecar::sessionstore
