#pragma once
// Metrics: named counters and gauges rendered as Prometheus text. One
// registry per process, owned by main and passed by reference. Returned
// references stay valid for the registry's lifetime, so hot paths look a
// metric up once and keep the reference.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace sidecar {

class Counter {
 public:
  void inc(uint64_t n = 1) noexcept { value_ += n; }
  uint64_t value() const noexcept { return value_; }

 private:
  uint64_t value_ = 0;
};

class Gauge {
 public:
  void set(int64_t v) noexcept { value_ = v; }
  void add(int64_t d) noexcept { value_ += d; }
  int64_t value() const noexcept { return value_; }

 private:
  int64_t value_ = 0;
};

class MetricsRegistry {
 public:
  // `labels` is the Prometheus label set without braces, e.g. `status="502"`.
  Counter& counter(std::string_view name, std::string_view help, std::string_view labels = {});
  Gauge& gauge(std::string_view name, std::string_view help, std::string_view labels = {});

  std::string renderPrometheus() const;

 private:
  struct Family {
    std::string help;
    bool is_counter = true;
    std::map<std::string, std::unique_ptr<Counter>> counters;  // by label set
    std::map<std::string, std::unique_ptr<Gauge>> gauges;
  };
  Family& family(std::string_view name, std::string_view help, bool is_counter);

  std::map<std::string, Family, std::less<>> families_;
};

}  // namespace sidecar
