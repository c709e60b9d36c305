#include "config/env_expansion.h"

#include <cstdlib>
#include <vector>

#include <fmt/format.h>

namespace sidecar::config {
namespace {

bool isValidName(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    const bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

Error invalid(std::string message) {
  return makeError(ErrorCode::kInvalidArgument, std::move(message));
}

}  // namespace

EnvLookup processEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

Result<std::string> expandEnv(std::string_view text, const EnvLookup& env) {
  std::string out;
  out.reserve(text.size());
  std::vector<std::string> unset;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] != '$' || i + 1 >= text.size() || text[i + 1] != '{') {
      out += text[i++];
      continue;
    }
    const size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      return invalid("unterminated \"${\": write ${NAME} or ${NAME:-default}");
    }
    const std::string_view body = text.substr(i + 2, close - i - 2);
    if (body.find("${") != std::string_view::npos) {
      return invalid("nested ${...} references are not supported");
    }
    const size_t sep = body.find(":-");
    const std::string_view name = body.substr(0, sep);
    if (!isValidName(name)) {
      // The name is shown: it is the operator's own text, never a value.
      return invalid(fmt::format(
          "invalid environment variable name \"{}\" (letters, digits and _, not starting with a "
          "digit)",
          name));
    }
    std::optional<std::string> value = env ? env(std::string(name)) : std::nullopt;
    if (sep != std::string_view::npos && (!value || value->empty())) {
      value = std::string(body.substr(sep + 2));
    }
    if (value) {
      out += *value;
    } else {
      unset.emplace_back(name);
    }
    i = close + 1;
  }
  if (unset.size() == 1) {
    return invalid(
        fmt::format("environment variable {} is not set and has no default (write ${{{}:-default}} "
                    "to give one)",
                    unset[0], unset[0]));
  }
  if (!unset.empty()) {
    return invalid(fmt::format("environment variables {} are not set and have no default",
                               fmt::join(unset, ", ")));
  }
  return out;
}

}  // namespace sidecar::config
