#include "sessionstore/stream_starts.h"

namespace sidecar::sessionstore {

void StreamStarts::note(const std::string& stream_id, uint64_t stream_seq, uint64_t seq_before) {
  if (stream_id.empty() || stream_seq != 1) return;
  auto [it, added] = starts_.try_emplace(stream_id, seq_before);
  if (added) by_age_.emplace_back(seq_before, &it->first);
}

void StreamStarts::forgetBefore(uint64_t first_held_seq) {
  // A stream's first event is seq_before + 1: gone once that is below the oldest held.
  while (head_ < by_age_.size() && by_age_[head_].first + 1 < first_held_seq) {
    // By iterator: erasing by key would pass a reference into the node being freed.
    starts_.erase(starts_.find(*by_age_[head_].second));
    ++head_;
  }
  // Compacted once the forgotten half dominates: amortised O(1) per start.
  if (head_ > 64 && head_ * 2 > by_age_.size()) {
    by_age_.erase(by_age_.begin(), by_age_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
}

std::optional<uint64_t> StreamStarts::find(const std::string& stream_id) const {
  auto it = starts_.find(stream_id);
  if (it == starts_.end()) return std::nullopt;
  return it->second;
}

}  // namespace sidecar::sessionstore
