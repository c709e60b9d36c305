#include <catch2/catch.hpp>

#include "common/call_handle.h"
#include "common/metrics.h"

TEST_CASE("counters and gauges render as Prometheus text with labels") {
  sidecar::MetricsRegistry registry;
  registry.counter("sidecar_errors_total", "Local errors", "status=\"502\"").inc(3);
  registry.counter("sidecar_errors_total", "Local errors", "status=\"404\"").inc();
  registry.gauge("sidecar_open_streams", "Open SSE streams").set(7);
  const std::string text = registry.renderPrometheus();
  CHECK(text.find("# TYPE sidecar_errors_total counter") != std::string::npos);
  CHECK(text.find("sidecar_errors_total{status=\"502\"} 3") != std::string::npos);
  CHECK(text.find("sidecar_errors_total{status=\"404\"} 1") != std::string::npos);
  CHECK(text.find("# TYPE sidecar_open_streams gauge") != std::string::npos);
  CHECK(text.find("sidecar_open_streams 7") != std::string::npos);
}

TEST_CASE("the same name and labels give the same counter") {
  sidecar::MetricsRegistry registry;
  auto& a = registry.counter("x_total", "x");
  auto& b = registry.counter("x_total", "x");
  a.inc();
  CHECK(&a == &b);
  CHECK(b.value() == 1);
}

TEST_CASE("a cancelled call handle drops its completion") {
  auto state = std::make_shared<sidecar::CancelState>();
  int calls = 0;
  auto completion = sidecar::guardCompletion(state, [&](int v) { calls += v; });
  {
    sidecar::CallHandle handle(state);
    completion(1);
    CHECK(calls == 1);
  }
  completion(1);
  CHECK(calls == 1);
}
