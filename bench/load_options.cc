#include "bench/load_options.h"

#include <arpa/inet.h>

#include <charconv>
#include <type_traits>
#include <cstdlib>
#include <string_view>

namespace sidecar::bench {
namespace {

template <class T>
bool parseNumber(std::string_view s, T* out) {
  if constexpr (std::is_floating_point_v<T>) {
    char* end = nullptr;
    const std::string copy(s);
    *out = static_cast<T>(std::strtod(copy.c_str(), &end));
    return end != nullptr && *end == '\0' && !copy.empty() && *out >= 0;
  } else {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
    return ec == std::errc{} && p == s.data() + s.size();
  }
}

// "http://127.0.0.1:8080/mcp": numeric IPv4 only (loopback benchmarks).
std::string parseUrl(std::string_view url, LoadOptions* out) {
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme) return "url must start with http://";
  url.remove_prefix(kScheme.size());
  const size_t slash = url.find('/');
  const std::string_view authority = url.substr(0, slash);
  out->path = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  const size_t colon = authority.rfind(':');
  if (colon == std::string_view::npos) return "url needs an explicit port";
  const std::string host(authority.substr(0, colon));
  uint16_t port = 0;
  if (!parseNumber(authority.substr(colon + 1), &port) || port == 0) return "bad port in url";
  out->target.sin_family = AF_INET;
  out->target.sin_port = htons(port);
  if (inet_pton(AF_INET, host.c_str(), &out->target.sin_addr) != 1) {
    return "url host must be a numeric IPv4 address";
  }
  out->host_header = std::string(authority);
  return {};
}

}  // namespace

const char* loadUsage() noexcept {
  return "usage: bench_load --url http://127.0.0.1:PORT/mcp [--sessions 200] [--connections 32]\n"
         "         [--duration 5] [--warmup 1] [--requests N] [--timeout-ms 10000]\n"
         "         [--expect any|json|sse] [--proxy-pid PID]... [--upstream-pid PID]...\n"
         "         [--store-pid PID]...\n"
         "         [--label NAME] [--no-delete] [--max-run 120]\n";
}

std::string parseLoadOptions(int argc, char** argv, LoadOptions* out) {
  bool have_url = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--no-delete") {
      out->delete_sessions = false;
      continue;
    }
    if (i + 1 >= argc) return std::string(flag) + " needs a value (or is unknown)";
    const std::string_view value = argv[++i];
    bool ok = true;
    if (flag == "--url") {
      if (auto problem = parseUrl(value, out); !problem.empty()) return problem;
      have_url = true;
    } else if (flag == "--sessions") {
      ok = parseNumber(value, &out->sessions) && out->sessions > 0;
    } else if (flag == "--connections") {
      ok = parseNumber(value, &out->connections) && out->connections > 0 && out->connections <= 4096;
    } else if (flag == "--duration") {
      ok = parseNumber(value, &out->duration_s) && out->duration_s > 0 && out->duration_s <= 3600;
    } else if (flag == "--warmup") {
      ok = parseNumber(value, &out->warmup_s) && out->warmup_s <= 600;
    } else if (flag == "--requests") {
      ok = parseNumber(value, &out->requests);
    } else if (flag == "--timeout-ms") {
      ok = parseNumber(value, &out->timeout_ms) && out->timeout_ms > 0;
    } else if (flag == "--max-run") {
      ok = parseNumber(value, &out->max_run_s) && out->max_run_s > 0;
    } else if (flag == "--label") {
      out->label = std::string(value);
    } else if (flag == "--expect") {
      if (value == "any") out->expect = Expect::kAny;
      else if (value == "json") out->expect = Expect::kJson;
      else if (value == "sse") out->expect = Expect::kSse;
      else ok = false;
    } else if (flag == "--proxy-pid" || flag == "--upstream-pid" || flag == "--store-pid") {
      int pid = 0;
      ok = parseNumber(value, &pid) && pid > 0;
      auto& pids = flag == "--proxy-pid" ? out->proxy_pids
                   : flag == "--store-pid" ? out->store_pids
                                           : out->upstream_pids;
      pids.push_back(pid);
    } else {
      return "unknown flag " + std::string(flag);
    }
    if (!ok) return "bad value for " + std::string(flag) + ": " + std::string(value);
  }
  if (!have_url) return "--url is required";
  return {};
}

}  // namespace sidecar::bench
