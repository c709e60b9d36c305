#pragma once
// runSessionsCli: the wiring of one `sessions ...` invocation. Builds a
// private event_base, picks the backend from store.kind (memory: the
// daemon's admin API; otherwise: the store opened directly, built by
// `makeStore`), hooks SIGINT/SIGTERM when following, runs a SessionsCommand
// and returns the process exit code (0 ok, 1 not found / store error).

#include <functional>
#include <memory>

#include "cmd/sessions_command.h"
#include "cmd/sessions_request.h"
#include "common/clock.h"
#include "common/logger.h"
#include "common/metrics.h"
#include "config/config.h"
#include "sessionstore/session_store.h"

namespace sidecar::cmd {

// What a store built for the CLI may borrow; all of it outlives the store.
struct CliStoreDeps {
  event_base& base;
  const config::Config& cfg;
  const Clock& clock;
  Logger& log;
  MetricsRegistry& metrics;
};

// Builds the store the CLI reads directly (store.kind other than memory),
// or nullptr when this build has no such store.
using CliStoreFactory =
    std::function<std::unique_ptr<sessionstore::SessionStore>(const CliStoreDeps&)>;

int runSessionsCli(const config::Config& cfg, const SessionsRequest& request, Logger& log,
                   const CliStoreFactory& makeStore, CommandOutput output = {});

}  // namespace sidecar::cmd
