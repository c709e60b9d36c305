#pragma once
// runDaemon: builds the concrete objects from the configuration, wires
// them, runs the event loop until SIGTERM/SIGINT and a drain, and returns
// the process exit code. The only place that knows every concrete type.

#include "common/logger.h"
#include "config/config.h"

namespace sidecar::cmd {

int runDaemon(const config::Config& cfg, Logger& log);

}  // namespace sidecar::cmd
