#pragma once
// SessionsRequest: the `sessions` subcommand line, checked before any
// configuration is loaded so that a typo is a usage error (exit 2) even
// without a config file. Pure.
//
//   sessions list
//   sessions show ID
//   sessions events ID [--follow]
//   sessions delete ID
//   (--json anywhere on the line)

#include <string>
#include <vector>

#include "common/result.h"

namespace sidecar::cmd {

enum class SessionsVerb { kList, kShow, kEvents, kDelete };

struct SessionsRequest {
  SessionsVerb verb = SessionsVerb::kList;
  std::string id;  // empty for kList
  bool json = false;
  bool follow = false;  // kEvents only
};

// `words` as CliOptions::words gives them, starting with "sessions".
// kInvalidArgument with a one-line reason for anything else.
Result<SessionsRequest> parseSessionsRequest(const std::vector<std::string>& words, bool json,
                                             bool follow);

}  // namespace sidecar::cmd
