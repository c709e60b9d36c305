#pragma once
// Clock: the one source of time, injected so tests control it.

#include <chrono>
#include <cstdint>

namespace sidecar {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock milliseconds since the Unix epoch (timestamps in records).
  virtual int64_t nowUnixMs() const = 0;
  // Monotonic milliseconds (deadlines, idle expiry).
  virtual int64_t monotonicMs() const = 0;
  // Monotonic microseconds (durations reported in logs).
  virtual int64_t monotonicUs() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t nowUnixMs() const override {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  }
  int64_t monotonicMs() const override {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
  }
  int64_t monotonicUs() const override {
    using namespace std::chrono;
    return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
  }
};

// A clock the test moves by hand.
class ManualClock final : public Clock {
 public:
  int64_t nowUnixMs() const override { return unix_ms_; }
  int64_t monotonicMs() const override { return mono_ms_; }
  int64_t monotonicUs() const override { return mono_ms_ * 1000; }
  void advanceMs(int64_t ms) { unix_ms_ += ms; mono_ms_ += ms; }

 private:
  int64_t unix_ms_ = 1'700'000'000'000;
  int64_t mono_ms_ = 1'000;
};

}  // namespace sidecar
