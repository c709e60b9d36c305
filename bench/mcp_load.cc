// bench_load: an MCP load generator on libevent. See load_generator.h for the
// phases and docs/performance.md for how bench/run.sh uses it. Prints one
// machine-readable line:
//   RESULT label=... ok=1 requests=N seconds=S rps=R p50_us=... p99_us=...
//          p999_us=... non2xx=N errors=N ... proxy_cpu_us_per_req=...

#include <csignal>
#include <cstdio>

#include "bench/load_generator.h"
#include "bench/load_options.h"
#include "common/c_handles.h"

int main(int argc, char** argv) {
  using namespace sidecar::bench;
  LoadOptions options;
  if (const std::string problem = parseLoadOptions(argc, argv, &options); !problem.empty()) {
    std::fprintf(stderr, "bench_load: %s\n%s", problem.c_str(), loadUsage());
    return 2;
  }
  std::signal(SIGPIPE, SIG_IGN);
  sidecar::EventBasePtr base(event_base_new());
  if (!base) {
    std::fprintf(stderr, "bench_load: event_base_new failed\n");
    return 1;
  }
  int rc = 0;
  {
    LoadGenerator generator(*base, options);  // freed before the base
    rc = generator.run();
  }
  return rc;
}
