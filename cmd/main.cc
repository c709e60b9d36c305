// mcp-sidecar: parse flags, load the configuration, then run the daemon or
// a one-shot subcommand.

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "cmd/cli_options.h"
#include "sessionstore/redis_session_store.h"
#include "cmd/daemon.h"
#include "cmd/sessions_cli.h"
#include "cmd/sessions_request.h"
#include "common/logger.h"
#include "config/config_loader.h"
#include "config/config_problem.h"
#include "config/env_expansion.h"
#include "sessionstore/session_store.h"

namespace {

using namespace sidecar;

// The store `sessions ...` opens itself when the sessions do not live in the
// daemon's memory (store.kind=redis). nullptr: this build has none, and the
// command says so and exits 1.
std::unique_ptr<sessionstore::SessionStore> makeCliStore(const cmd::CliStoreDeps& deps) {
  return std::make_unique<sessionstore::RedisSessionStore>(deps.base, deps.clock, deps.log, deps.metrics,
                                                          deps.cfg.store, deps.cfg.session);
}

int usageError(const std::string& message) {
  std::fprintf(stderr, "%s\n%s", message.c_str(), cmd::usageText());
  return 2;
}

// The subcommand on the command line, checked before the configuration is
// loaded so that a typo never needs a valid config file to be reported.
// nullopt: run the daemon. An error: a usage error.
Result<std::optional<cmd::SessionsRequest>> parseCommand(const cmd::CliOptions& options) {
  if (options.words.empty()) {
    if (options.json || options.follow) {
      return makeError(ErrorCode::kInvalidArgument,
                       "--json and --follow apply to the sessions commands");
    }
    return std::optional<cmd::SessionsRequest>();
  }
  if (options.words[0] != "sessions") {
    std::string message = "unknown command: ";
    message += options.words[0];
    return makeError(ErrorCode::kInvalidArgument, std::move(message));
  }
  auto request = cmd::parseSessionsRequest(options.words, options.json, options.follow);
  if (!request.ok()) return request.error();
  return std::optional<cmd::SessionsRequest>(std::move(request).value());
}

int loadAndRun(const cmd::CliOptions& options) {
  auto command = parseCommand(options);
  if (!command.ok()) return usageError(command.error().message);
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
  if (const auto& request = command.value()) {
    // An operator command prints results, not the daemon's info chatter
    // (a config written for the daemon often says log.level=debug).
    Logger log(std::max(cfg.log.level, LogLevel::kWarn), cfg.log.format);
    return cmd::runSessionsCli(cfg, *request, log, &makeCliStore);
  }
  Logger log(cfg.log.level, cfg.log.format);
  return cmd::runDaemon(cfg, log);
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = cmd::parseCli(argc, argv);
  if (!parsed.ok()) return usageError(parsed.error().message);
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
