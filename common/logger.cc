#include "common/logger.h"

#include <chrono>
#include <ctime>

#include <fmt/format.h>

namespace sidecar {
namespace {

std::string timestampUtc() {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  const std::time_t secs = system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

bool needsQuoting(std::string_view v) {
  if (v.empty()) return true;
  for (char c : v) {
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) < 0x20) {
      return true;
    }
  }
  return false;
}

void appendTextValue(std::string& out, std::string_view v) {
  if (!needsQuoting(v)) {
    out.append(v);
    return;
  }
  out.push_back('"');
  appendJsonEscaped(out, v);
  out.push_back('"');
}

}  // namespace

const char* logLevelName(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
  }
  return "info";
}

void appendJsonEscaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out.push_back(c);
        }
    }
  }
}

void Logger::log(LogLevel level, std::string_view ctx, std::string_view event,
                 std::initializer_list<LogField> fields) {
  if (!enabled(level)) return;
  std::string line;
  line.reserve(160);
  if (format_ == LogFormat::kJson) {
    line += "{\"ts\":\"" + timestampUtc() + "\",\"level\":\"" + logLevelName(level) + "\",\"ctx\":\"";
    appendJsonEscaped(line, ctx);
    line += "\",\"event\":\"";
    appendJsonEscaped(line, event);
    line += '"';
    for (const auto& f : fields) {
      line += ",\"";
      appendJsonEscaped(line, f.key);
      line += "\":\"";
      appendJsonEscaped(line, f.value);
      line += '"';
    }
    line += "}\n";
  } else {
    line += "ts=" + timestampUtc() + " level=" + logLevelName(level) + " ctx=";
    appendTextValue(line, ctx);
    line += " event=";
    appendTextValue(line, event);
    for (const auto& f : fields) {
      line += ' ';
      line.append(f.key);
      line += '=';
      appendTextValue(line, f.value);
    }
    line += '\n';
  }
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

}  // namespace sidecar
