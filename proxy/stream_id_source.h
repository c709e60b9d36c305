#pragma once
// StreamIdSource: names every HTTP exchange ("stream") this process relays.
// A random per-process prefix plus a counter keeps ids unique across nodes
// and restarts without coordination.

#include <cstdint>
#include <random>
#include <string>

#include <fmt/format.h>

namespace sidecar::proxy {

class StreamIdSource {
 public:
  StreamIdSource() {
    std::random_device rd;
    prefix_ = fmt::format("{:08x}{:08x}", rd(), rd());
  }
  std::string next() { return fmt::format("{}-{}", prefix_, ++counter_); }

 private:
  std::string prefix_;
  uint64_t counter_ = 0;
};

}  // namespace sidecar::proxy
