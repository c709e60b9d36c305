#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#include "common/logger.h"

namespace {
std::string capture(sidecar::LogFormat format, sidecar::LogLevel level) {
  char* data = nullptr;
  size_t size = 0;
  std::FILE* mem = open_memstream(&data, &size);
  {
    sidecar::Logger logger(sidecar::LogLevel::kInfo, format, mem);
    logger.log(level, "req-7", "upstream_refused", {{"url", "http://x/ y"}, {"status", 502}});
  }
  std::fclose(mem);
  std::string out(data, size);
  free(data);
  return out;
}
}  // namespace

TEST_CASE("text log lines are key=value with the context first") {
  const auto line = capture(sidecar::LogFormat::kText, sidecar::LogLevel::kWarn);
  CHECK(line.find("level=warn ctx=req-7 event=upstream_refused url=\"http://x/ y\" status=502") !=
        std::string::npos);
}

TEST_CASE("json log lines escape values") {
  const auto line = capture(sidecar::LogFormat::kJson, sidecar::LogLevel::kError);
  CHECK(line.find("\"ctx\":\"req-7\"") != std::string::npos);
  CHECK(line.find("\"status\":\"502\"") != std::string::npos);
  CHECK(line.back() == '\n');
}

TEST_CASE("lines below the level are dropped") {
  CHECK(capture(sidecar::LogFormat::kText, sidecar::LogLevel::kDebug).empty());
}
