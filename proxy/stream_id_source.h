#pragma once
// StreamIdSource: names every HTTP exchange ("stream") this process relays.
// The node id (random per process, newNodeId()) plus a counter keeps ids
// unique across nodes and restarts without coordination.

#include <cstdint>
#include <random>
#include <string>

#include <fmt/format.h>

namespace sidecar::proxy {

// 16 lowercase hex characters, random per process.
inline std::string newNodeId() {
  std::random_device rd;
  return fmt::format("{:08x}{:08x}", rd(), rd());
}

class StreamIdSource {
 public:
  explicit StreamIdSource(std::string node_id) : prefix_(std::move(node_id)) {}
  std::string next() { return fmt::format("{}-{}", prefix_, ++counter_); }

 private:
  std::string prefix_;
  uint64_t counter_ = 0;
};

}  // namespace sidecar::proxy
