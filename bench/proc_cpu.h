#pragma once
// CPU time consumed so far by other processes (utime + stime from
// /proc/PID/stat, all threads) and by this one (getrusage), in microseconds.
// The kernel counts /proc figures in clock ticks (usually 10 ms): measure
// over seconds, not milliseconds.

#include <sys/resource.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace sidecar::bench {

inline std::optional<uint64_t> processCpuMicros(int pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/stat";
  FILE* f = std::fopen(path.c_str(), "re");
  if (f == nullptr) return std::nullopt;
  char buf[1024];
  const size_t n = std::fread(buf, 1, sizeof(buf) - 1, f);
  std::fclose(f);
  buf[n] = '\0';
  // The command name (field 2) may contain spaces: fields resume after ')'.
  const char* p = std::strrchr(buf, ')');
  if (p == nullptr) return std::nullopt;
  // Field 3 (the state) starts two characters later; utime and stime are
  // fields 14 and 15, all numbers.
  const char* q = p + 2;
  unsigned long long utime = 0;
  unsigned long long stime = 0;
  for (int field = 3; field <= 15; ++field) {
    while (*q == ' ') ++q;
    if (*q == '\0') return std::nullopt;
    char* end = nullptr;
    const unsigned long long v = field == 3 ? 0 : std::strtoull(q, &end, 10);
    if (field == 14) utime = v;
    if (field == 15) stime = v;
    while (*q != ' ' && *q != '\0') ++q;
  }
  const long ticks = sysconf(_SC_CLK_TCK);
  return (utime + stime) * 1'000'000ULL / static_cast<unsigned long long>(ticks > 0 ? ticks : 100);
}

// Sum over a group of processes (an nginx master and its worker, say); empty
// if any of them is gone.
inline std::optional<uint64_t> groupCpuMicros(const std::vector<int>& pids) {
  if (pids.empty()) return std::nullopt;
  uint64_t sum = 0;
  for (int pid : pids) {
    auto v = processCpuMicros(pid);
    if (!v) return std::nullopt;
    sum += *v;
  }
  return sum;
}

inline uint64_t selfCpuMicros() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto us = [](const timeval& tv) { return uint64_t(tv.tv_sec) * 1'000'000ULL + uint64_t(tv.tv_usec); };
  return us(ru.ru_utime) + us(ru.ru_stime);
}

}  // namespace sidecar::bench
