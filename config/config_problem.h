#pragma once
// ConfigProblem: one thing wrong with the configuration, located precisely
// enough that an operator can fix it without guessing. The loader collects all
// of them in one pass so a broken file is fixed in one edit, not one per run.

#include <string>

namespace sidecar::config {

// The pseudo file name of problems found in --set overrides; their line is the
// 1-based index of the override on the command line.
inline constexpr const char* kOverrideFile = "--set";

struct ConfigProblem {
  std::string file;      // the YAML file's path as given, or kOverrideFile
  int line = 0;          // 1-based; 0 when there is no position (unreadable file)
  int column = 0;        // 1-based; 0 when there is no position
  std::string key_path;  // dotted key such as "upstream.url"; empty for YAML syntax errors
  std::string message;
};

// "FILE:LINE:COLUMN: key.path: message"; the key path segment is left out when
// empty, and LINE:COLUMN when the problem has no position.
std::string formatProblem(const ConfigProblem& problem);

}  // namespace sidecar::config
