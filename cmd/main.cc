// mcp-sidecar: parse flags, load the configuration, then run the daemon or
// a one-shot subcommand.

#include <cstdio>

#include "cmd/cli_options.h"
#include "cmd/daemon.h"
#include "common/logger.h"
#include "config/config_loader.h"
#include "config/config_problem.h"
#include "config/env_expansion.h"

namespace {

int loadAndRun(const sidecar::cmd::CliOptions& options) {
  using namespace sidecar;
  const auto outcome =
      config::loadConfig(options.config_path, options.overrides, config::processEnvironment());
  if (!outcome.config) {
    for (const auto& problem : outcome.problems) {
      std::fprintf(stderr, "%s\n", config::formatProblem(problem).c_str());
    }
    std::fprintf(stderr, "configuration invalid: %zu problem(s)\n", outcome.problems.size());
    return 2;
  }
  const config::Config& cfg = *outcome.config;
  if (options.check_config) {
    std::printf("configuration ok\n");
    return 0;
  }
  Logger log(cfg.log.level, cfg.log.format);
  if (!options.words.empty()) {
    std::fprintf(stderr, "unknown command: %s\n%s", options.words[0].c_str(), cmd::usageText());
    return 2;
  }
  return cmd::runDaemon(cfg, log);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace sidecar;
  auto parsed = cmd::parseCli(argc, argv);
  if (!parsed.ok()) {
    std::fprintf(stderr, "%s\n%s", parsed.error().message.c_str(), cmd::usageText());
    return 2;
  }
  const cmd::CliOptions& options = parsed.value();
  if (options.help) {
    std::printf("%s", cmd::usageText());
    return 0;
  }
  if (options.version) {
    std::printf("mcp-sidecar %s\n", MCP_SIDECAR_VERSION);
    return 0;
  }
  return loadAndRun(options);
}
