#pragma once
// Command-line parsing. Global flags (--config, --set, --json, --follow,
// --check-config, --version) may stand before or after the subcommand
// words, so `mcp-sidecar --config F sessions list --json` and
// `mcp-sidecar sessions list --config F --json` mean the same.

#include <string>
#include <vector>

#include "common/result.h"

namespace sidecar::cmd {

struct CliOptions {
  std::string config_path;
  std::vector<std::string> overrides;  // "dotted.key=value"
  bool check_config = false;
  bool version = false;
  bool help = false;
  bool json = false;
  bool follow = false;
  std::vector<std::string> words;  // subcommand and its arguments, e.g. {"sessions", "list"}
};

Result<CliOptions> parseCli(int argc, const char* const* argv);
const char* usageText() noexcept;

}  // namespace sidecar::cmd
