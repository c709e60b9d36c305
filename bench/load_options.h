#pragma once
// LoadOptions: the load generator's command line, parsed into a plain struct.

#include <netinet/in.h>

#include <cstdint>
#include <string>
#include <vector>

namespace sidecar::bench {

enum class Expect { kAny, kJson, kSse };

struct LoadOptions {
  sockaddr_in target{};
  std::string host_header;        // "127.0.0.1:PORT"
  std::string path = "/mcp";
  std::string label = "run";
  uint32_t sessions = 200;
  uint32_t connections = 32;
  double duration_s = 5.0;        // measured phase; ends early at `requests`
  double warmup_s = 1.0;          // same traffic, not recorded
  uint64_t requests = 0;          // 0: no count limit
  uint32_t timeout_ms = 10'000;   // per request
  double max_run_s = 120.0;       // hard cap on the whole process
  Expect expect = Expect::kAny;
  bool delete_sessions = true;    // DELETE every session at the end
  std::vector<int> proxy_pids;    // CPU accounted to "the proxy"
  std::vector<int> upstream_pids;
  std::vector<int> store_pids;    // an out-of-process store (redis-server)
};

// Returns an empty string on success, else the problem (usage goes to stderr).
std::string parseLoadOptions(int argc, char** argv, LoadOptions* out);

const char* loadUsage() noexcept;

}  // namespace sidecar::bench
