#pragma once
// SessionsCommand: runs one `sessions ...` request against a
// SessionsBackend and prints the answer, as a small state machine on the
// CLI's event loop:
//
//   list | show | delete:  call -> print -> done
//   delete, CLOSED already: call -> (conflict) show -> print -> done
//   events:                read page -> print -> full page? read again
//                                     -> caught up: done, or (--follow)
//                                        wait poll_interval -> read again
//
// Owned by the CLI wiring (sessions_cli.cc), which also owns the loop, the
// backend and the signal events (a signal calls stop()). Backend answers
// arrive on later loop turns; the pending call's CallHandle is a member, so
// destroying the command drops them. Every call has a deadline: a backend
// that never answers is an error (exit 1), not a hung terminal.
//
// Exit codes: 0 done (or stopped while following), 1 not found, store or
// transport error, or output that cannot be written. Usage errors (2) are
// caught before a command exists.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "cmd/sessions_backend.h"
#include "cmd/sessions_request.h"
#include "common/c_handles.h"

namespace sidecar::cmd {

struct SessionsCommandTuning {
  std::chrono::milliseconds poll_interval{500};    // --follow, once caught up
  std::chrono::milliseconds call_timeout{15'000};  // one backend call
  size_t page_size = 1000;                         // events per read (the admin default)
};

struct CommandOutput {
  std::FILE* out = stdout;  // results
  std::FILE* err = stderr;  // one line per problem
};

class SessionsCommand {
 public:
  SessionsCommand(event_base& base, SessionsBackend& backend, SessionsRequest request,
                  CommandOutput output, SessionsCommandTuning tuning = {});
  // The timers' callback argument is `this`.
  SessionsCommand(const SessionsCommand&) = delete;
  SessionsCommand& operator=(const SessionsCommand&) = delete;

  // start(), then turns of the loop until finished(); the exit code.
  int run();
  // Issues the first call. Answers arrive on later loop turns.
  void start();
  // Ends a --follow normally (exit 0); the wiring calls it on SIGINT/SIGTERM.
  void stop();

  bool finished() const noexcept { return exit_code_.has_value(); }
  int exitCode() const noexcept { return exit_code_.value_or(1); }

 private:
  template <class T>
  using Callback = SessionsBackend::Callback<T>;

  static void onPollTimerCb(evutil_socket_t, short, void* arg) noexcept;
  static void onDeadlineCb(evutil_socket_t, short, void* arg) noexcept;

  // Wraps a completion so that it first disarms the call's deadline.
  template <class T, class Method>
  Callback<T> answer(Method method);
  void track(CallHandle call);

  void onListed(Result<std::vector<sessionstore::SessionRecord>> listed);
  void onShown(Result<sessionstore::SessionRecord> shown);
  void onClosed(Result<sessionstore::SessionRecord> closed);
  void onClosedAlready(Result<sessionstore::SessionRecord> shown);
  void readPage();
  void onPage(Result<sessionstore::EventPage> page);
  void onDeadline();

  void printRecord(const sessionstore::SessionRecord& record);
  bool write(const std::string& text);
  void fail(const Error& error);
  void finish(int code);

  event_base& base_;
  SessionsBackend& backend_;
  const SessionsRequest request_;
  const CommandOutput output_;
  const SessionsCommandTuning tuning_;
  EventPtr poll_timer_;
  EventPtr deadline_;
  CallHandle call_;
  uint64_t after_seq_ = 0;
  bool header_written_ = false;
  std::optional<int> exit_code_;
};

}  // namespace sidecar::cmd
