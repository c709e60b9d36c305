#include "cmd/sessions_command.h"
#include "common/timeval.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include <fmt/format.h>

#include "cmd/session_format.h"

namespace sidecar::cmd {
namespace {

using sessionstore::EventPage;
using sessionstore::SessionRecord;
using sessionstore::SessionState;

}  // namespace

SessionsCommand::SessionsCommand(event_base& base, SessionsBackend& backend,
                                 SessionsRequest request, CommandOutput output,
                                 SessionsCommandTuning tuning)
    : base_(base),
      backend_(backend),
      request_(std::move(request)),
      output_(output),
      tuning_(tuning),
      poll_timer_(evtimer_new(&base, &SessionsCommand::onPollTimerCb, this)),
      deadline_(evtimer_new(&base, &SessionsCommand::onDeadlineCb, this)) {
  if (!poll_timer_ || !deadline_) std::abort();  // allocation failure
}

int SessionsCommand::run() {
  start();
  while (!finished()) {
    // One turn at a time so that finished() is checked between turns; a
    // pending call always has its deadline armed, so the loop never runs
    // dry while the command waits.
    if (event_base_loop(&base_, EVLOOP_ONCE) != 0 && !finished()) {
      fail(makeError(ErrorCode::kInternal, "the event loop stopped before the command finished"));
    }
  }
  return exitCode();
}

void SessionsCommand::start() {
  switch (request_.verb) {
    case SessionsVerb::kList:
      return track(
          backend_.listSessions(answer<std::vector<SessionRecord>>(&SessionsCommand::onListed)));
    case SessionsVerb::kShow:
      return track(
          backend_.getSession(request_.id, answer<SessionRecord>(&SessionsCommand::onShown)));
    case SessionsVerb::kDelete:
      return track(
          backend_.closeSession(request_.id, answer<SessionRecord>(&SessionsCommand::onClosed)));
    case SessionsVerb::kEvents:
      return readPage();
  }
}

void SessionsCommand::stop() {
  if (!finished()) finish(0);
}

void SessionsCommand::onPollTimerCb(evutil_socket_t, short, void* arg) noexcept {
  static_cast<SessionsCommand*>(arg)->readPage();
}

void SessionsCommand::onDeadlineCb(evutil_socket_t, short, void* arg) noexcept {
  static_cast<SessionsCommand*>(arg)->onDeadline();
}

template <class T, class Method>
SessionsBackend::Callback<T> SessionsCommand::answer(Method method) {
  // Runs only while call_ holds this call's handle, so `this` is alive.
  return [this, method](Result<T> result) {
    event_del(deadline_.get());
    (this->*method)(std::move(result));
  };
}

void SessionsCommand::track(CallHandle call) {
  call_ = std::move(call);
  const timeval deadline = toTimeval(tuning_.call_timeout);
  event_add(deadline_.get(), &deadline);
}

void SessionsCommand::onListed(Result<std::vector<SessionRecord>> listed) {
  if (!listed.ok()) return fail(listed.error());
  // Oldest first whatever order the store keeps (a Redis scan has none), so
  // that two runs print the same lines.
  auto& records = listed.value();
  std::stable_sort(records.begin(), records.end(), [](const auto& a, const auto& b) {
    return a.created_unix_ms != b.created_unix_ms ? a.created_unix_ms < b.created_unix_ms
                                                  : a.id < b.id;
  });
  if (write(request_.json ? sessionListJsonDocument(records) : sessionTable(records))) finish(0);
}

void SessionsCommand::onShown(Result<SessionRecord> shown) {
  if (!shown.ok()) return fail(shown.error());
  printRecord(shown.value());
}

void SessionsCommand::onClosed(Result<SessionRecord> closed) {
  if (closed.ok()) return printRecord(closed.value());
  if (closed.error().code != ErrorCode::kConflict) return fail(closed.error());
  // Only a CLOSED session refuses to close: show it, so that `delete` can be
  // repeated safely (a script retrying after a lost answer gets 0 again).
  track(backend_.getSession(request_.id, answer<SessionRecord>(&SessionsCommand::onClosedAlready)));
}

void SessionsCommand::onClosedAlready(Result<SessionRecord> shown) {
  if (!shown.ok()) return fail(shown.error());
  if (shown.value().state != SessionState::kClosed) {
    return fail(makeError(ErrorCode::kConflict,
                          fmt::format("session {} could not be closed (it is {})", request_.id,
                                      sessionstore::sessionStateName(shown.value().state))));
  }
  std::fprintf(output_.err, "mcp-sidecar: session %s was already CLOSED\n", request_.id.c_str());
  printRecord(shown.value());
}

void SessionsCommand::readPage() {
  track(backend_.readEvents(request_.id, after_seq_, tuning_.page_size,
                            answer<EventPage>(&SessionsCommand::onPage)));
}

void SessionsCommand::onPage(Result<EventPage> page) {
  if (!page.ok()) return fail(page.error());
  const auto& events = page.value().events;
  std::string text;
  if (!request_.json && !header_written_) {
    text = eventTableHeader();
    header_written_ = true;
  }
  text += request_.json ? eventJsonLines(events) : eventTableRows(events);
  if (!write(text)) return;
  // A page that does not move forward is "caught up", whatever its size:
  // re-reading it at once could spin forever.
  const bool advanced = page.value().next_after_seq > after_seq_;
  if (advanced) after_seq_ = page.value().next_after_seq;
  if (advanced && events.size() >= tuning_.page_size) return readPage();
  if (!request_.follow) return finish(0);
  const timeval interval = toTimeval(tuning_.poll_interval);
  event_add(poll_timer_.get(), &interval);
}

void SessionsCommand::onDeadline() {
  call_.cancel();
  fail(makeError(ErrorCode::kTimeout,
                 fmt::format("no answer from the session store within {} ms",
                             tuning_.call_timeout.count())));
}

void SessionsCommand::printRecord(const SessionRecord& record) {
  if (write(request_.json ? sessionJsonDocument(record) : sessionDetail(record))) finish(0);
}

bool SessionsCommand::write(const std::string& text) {
  // Flushed at once: a followed trail is usually read through a pipe.
  if (std::fwrite(text.data(), 1, text.size(), output_.out) == text.size() &&
      std::fflush(output_.out) == 0) {
    return true;
  }
  // The reader went away (`| head`): nothing to tell it.
  if (errno != EPIPE) {
    std::fprintf(output_.err, "mcp-sidecar: cannot write the output: %s\n", std::strerror(errno));
  }
  finish(1);
  return false;
}

void SessionsCommand::fail(const Error& error) {
  if (error.code == ErrorCode::kNotFound) {
    std::fprintf(output_.err, "mcp-sidecar: session %s not found\n", request_.id.c_str());
  } else {
    std::fprintf(output_.err, "mcp-sidecar: %s\n", error.message.c_str());
  }
  finish(1);
}

void SessionsCommand::finish(int code) {
  exit_code_ = code;
  call_.cancel();
  event_del(poll_timer_.get());
  event_del(deadline_.get());
}

}  // namespace sidecar::cmd
