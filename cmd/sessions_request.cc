#include "cmd/sessions_request.h"

#include <cassert>

#include <fmt/format.h>

namespace sidecar::cmd {

Result<SessionsRequest> parseSessionsRequest(const std::vector<std::string>& words, bool json,
                                             bool follow) {
  assert(!words.empty() && words[0] == "sessions");
  auto usage = [](std::string message) {
    return makeError(ErrorCode::kInvalidArgument, std::move(message));
  };
  if (words.size() < 2) {
    return usage("sessions: missing command (list, show, events or delete)");
  }
  const std::string& name = words[1];
  SessionsRequest request;
  request.json = json;
  request.follow = follow;
  size_t arity = 1;
  if (name == "list") {
    request.verb = SessionsVerb::kList;
    arity = 0;
  } else if (name == "show") {
    request.verb = SessionsVerb::kShow;
  } else if (name == "events") {
    request.verb = SessionsVerb::kEvents;
  } else if (name == "delete") {
    request.verb = SessionsVerb::kDelete;
  } else {
    return usage(
        fmt::format("sessions: unknown command '{}' (list, show, events or delete)", name));
  }
  if (words.size() < 2 + arity || (arity == 1 && words[2].empty())) {
    return usage(fmt::format("sessions {}: needs a session ID", name));
  }
  if (words.size() > 2 + arity) {
    return usage(fmt::format("sessions {}: unexpected argument '{}'", name, words[2 + arity]));
  }
  if (arity == 1) request.id = words[2];
  if (follow && request.verb != SessionsVerb::kEvents) {
    return usage("--follow applies to 'sessions events ID' only");
  }
  return request;
}

}  // namespace sidecar::cmd
