#pragma once
// LatencyHistogram: an HdrHistogram-like log-bucket histogram of latencies in
// microseconds. Values below 2^kSubBits are exact; above, every power-of-two
// range is split into 2^(kSubBits-1) linear sub-buckets, so a recorded value
// is off by at most 1/512 (0.2 %). Fixed memory (no allocation per record),
// values above kMaxMicros are clamped. Owned by one load generator; single
// thread.

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>

namespace sidecar::bench {

class LatencyHistogram {
 public:
  static constexpr int kSubBits = 10;                         // 1024 exact values
  static constexpr uint64_t kSubCount = uint64_t{1} << kSubBits;
  static constexpr uint64_t kHalf = kSubCount / 2;
  static constexpr uint64_t kMaxMicros = uint64_t{1} << 36;   // ~19 hours
  static constexpr size_t kBuckets = kSubCount + (36 - kSubBits + 1) * kHalf;

  void record(uint64_t micros) noexcept {
    micros = std::min(micros, kMaxMicros - 1);
    ++counts_[indexOf(micros)];
    ++total_;
    max_ = std::max(max_, micros);
    min_ = std::min(min_, micros);
    sum_ += micros;
  }

  void reset() noexcept { *this = LatencyHistogram{}; }

  uint64_t count() const noexcept { return total_; }
  uint64_t max() const noexcept { return max_; }
  uint64_t min() const noexcept { return total_ == 0 ? 0 : min_; }
  double mean() const noexcept { return total_ == 0 ? 0.0 : double(sum_) / double(total_); }

  // The smallest recorded bucket's upper bound covering `q` (0..1) of all
  // values, HdrHistogram's "highest equivalent value" convention.
  uint64_t quantile(double q) const noexcept {
    if (total_ == 0) return 0;
    const auto want = static_cast<uint64_t>(q * double(total_) + 0.5);
    const uint64_t target = std::clamp<uint64_t>(want, 1, total_);
    uint64_t seen = 0;
    for (size_t i = 0; i < kBuckets; ++i) {
      seen += counts_[i];
      if (seen >= target) return std::min(upperBound(i), max_);
    }
    return max_;
  }

 private:
  static size_t indexOf(uint64_t v) noexcept {
    if (v < kSubCount) return static_cast<size_t>(v);
    const int top = std::bit_width(v) - 1;           // >= kSubBits
    const int shift = top - (kSubBits - 1);          // keeps kSubBits significant bits
    const uint64_t sub = (v >> shift) - kHalf;       // 0 .. kHalf-1
    return static_cast<size_t>(kSubCount + uint64_t(shift - 1) * kHalf + sub);
  }

  static uint64_t upperBound(size_t index) noexcept {
    if (index < kSubCount) return index;
    const uint64_t rel = index - kSubCount;
    const uint64_t shift = rel / kHalf + 1;
    const uint64_t sub = rel % kHalf + kHalf;
    return ((sub + 1) << shift) - 1;
  }

  std::array<uint64_t, kBuckets> counts_{};
  uint64_t total_ = 0;
  uint64_t max_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t sum_ = 0;
};

}  // namespace sidecar::bench
