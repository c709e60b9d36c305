#include "config/config_problem.h"

#include <fmt/format.h>

namespace sidecar::config {

std::string formatProblem(const ConfigProblem& problem) {
  std::string out = problem.file;
  if (problem.line > 0) {
    out += fmt::format(":{}:{}", problem.line, problem.column);
  }
  out += ": ";
  if (!problem.key_path.empty()) {
    out += problem.key_path;
    out += ": ";
  }
  out += problem.message;
  return out;
}

}  // namespace sidecar::config
