#pragma once
// loadConfig: builds the immutable Config from the defaults in config.h, one
// optional YAML file, then the --set overrides in order, expanding ${ENV} in
// values and validating every key. It reports every problem it finds (file,
// line, column, key path, message) instead of stopping at the first, so an
// operator fixes a file in one pass, and it never throws: yaml-cpp's
// exceptions are caught inside it. Called once by main before anything starts
// (and by --test-conf style checks); the result is then passed by const
// reference, each layer taking its slice.

#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/config_problem.h"
#include "config/env_expansion.h"

namespace sidecar::config {

struct LoadOutcome {
  std::optional<Config> config;  // set iff problems is empty
  std::vector<ConfigProblem> problems;
};

// path: the YAML file, or empty for defaults only. overrides: "dotted.key=value"
// strings from --set, applied after the file. env: where ${NAME} is looked up
// (processEnvironment() in main; a fake in tests).
LoadOutcome loadConfig(const std::string& path, const std::vector<std::string>& overrides,
                       const EnvLookup& env);

}  // namespace sidecar::config
