#include "cmd/cli_options.h"

#include <string_view>

namespace sidecar::cmd {

Result<CliOptions> parseCli(int argc, const char* const* argv) {
  CliOptions out;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto needValue = [&](std::string_view flag) -> Result<std::string> {
      if (i + 1 >= argc) {
        return makeError(ErrorCode::kInvalidArgument, std::string(flag) + " needs a value");
      }
      return std::string(argv[++i]);
    };
    auto inlineValue = [&](std::string_view flag) -> std::string {
      return std::string(arg.substr(flag.size() + 1));
    };
    if (arg == "--config" || arg == "-c") {
      auto v = needValue(arg);
      if (!v.ok()) return v.error();
      out.config_path = v.value();
    } else if (arg.rfind("--config=", 0) == 0) {
      out.config_path = inlineValue("--config");
    } else if (arg == "--set") {
      auto v = needValue(arg);
      if (!v.ok()) return v.error();
      out.overrides.push_back(v.value());
    } else if (arg.rfind("--set=", 0) == 0) {
      out.overrides.push_back(inlineValue("--set"));
    } else if (arg == "--check-config" || arg == "--test-conf") {
      out.check_config = true;
    } else if (arg == "--version" || arg == "-V") {
      out.version = true;
    } else if (arg == "--help" || arg == "-h") {
      out.help = true;
    } else if (arg == "--json") {
      out.json = true;
    } else if (arg == "--follow" || arg == "-f") {
      out.follow = true;
    } else if (!arg.empty() && arg[0] == '-') {
      return makeError(ErrorCode::kInvalidArgument, "unknown flag " + std::string(arg));
    } else {
      out.words.emplace_back(arg);
    }
  }
  return out;
}

const char* usageText() noexcept {
  return "usage: mcp-sidecar [--config FILE] [--set key=value ...]          run the proxy\n"
         "       mcp-sidecar --check-config --config FILE [--set ...]       validate and exit\n"
         "       mcp-sidecar --version\n"
         "       mcp-sidecar [global flags] sessions list|show ID|events ID [--follow]|delete ID "
         "[--json]\n";
}

}  // namespace sidecar::cmd
