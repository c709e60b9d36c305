#pragma once
// Logger: structured log lines (key=value or JSON) on one stream. Owned by
// main and passed by reference; never a global. Every line starts with the
// request or connection id it concerns ("ctx"). Callers never pass secrets.

#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>

namespace sidecar {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
enum class LogFormat { kText, kJson };

struct LogField {
  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const char* v) : key(k), value(v ? v : "") {}
  LogField(std::string_view k, const std::string& v) : key(k), value(v) {}
  template <class N, class = std::enable_if_t<std::is_arithmetic_v<N>>>
  LogField(std::string_view k, N n) : key(k), value(std::to_string(n)) {}

  std::string_view key;
  std::string value;
};

class Logger {
 public:
  explicit Logger(LogLevel level = LogLevel::kInfo, LogFormat format = LogFormat::kText,
                  std::FILE* out = stderr)
      : level_(level), format_(format), out_(out) {}

  bool enabled(LogLevel level) const noexcept { return level >= level_; }
  void setLevel(LogLevel level) noexcept { level_ = level; }
  void setFormat(LogFormat format) noexcept { format_ = format; }

  void log(LogLevel level, std::string_view ctx, std::string_view event,
           std::initializer_list<LogField> fields = {});

  void debug(std::string_view ctx, std::string_view event, std::initializer_list<LogField> f = {}) {
    log(LogLevel::kDebug, ctx, event, f);
  }
  void info(std::string_view ctx, std::string_view event, std::initializer_list<LogField> f = {}) {
    log(LogLevel::kInfo, ctx, event, f);
  }
  void warn(std::string_view ctx, std::string_view event, std::initializer_list<LogField> f = {}) {
    log(LogLevel::kWarn, ctx, event, f);
  }
  void error(std::string_view ctx, std::string_view event, std::initializer_list<LogField> f = {}) {
    log(LogLevel::kError, ctx, event, f);
  }

 private:
  LogLevel level_;
  LogFormat format_;
  std::FILE* out_;
};

const char* logLevelName(LogLevel level) noexcept;

// JSON string escaping, shared by the JSON log format and JSON writers.
void appendJsonEscaped(std::string& out, std::string_view text);

}  // namespace sidecar
