#include "cmd/sessions_cli.h"
#include "common/timeval.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include "cmd/admin_api_backend.h"
#include "cmd/store_backend.h"
#include "common/c_handles.h"

namespace sidecar::cmd {
namespace {

// One admin HTTP exchange; the command's own deadline is a little longer so
// that the transport's more precise message wins.
constexpr std::chrono::seconds kAdminTimeout{10};
constexpr std::chrono::milliseconds kConnectWait{5000};
constexpr std::chrono::milliseconds kConnectPoll{20};

const char* storeKindName(config::StoreKind kind) noexcept {
  return kind == config::StoreKind::kMemory ? "memory" : "redis";
}

// Owns everything one invocation needs, declared in dependency order so
// that destruction runs in reverse: command, backend, store, then the loop
// they all registered events on.
class SessionsCli {
 public:
  SessionsCli(const config::Config& cfg, Logger& log, CommandOutput output)
      : cfg_(cfg), log_(log), output_(output), base_(event_base_new()) {
    if (!base_) std::abort();
  }
  SessionsCli(const SessionsCli&) = delete;
  SessionsCli& operator=(const SessionsCli&) = delete;

  int run(const SessionsRequest& request, const CliStoreFactory& makeStore) {
    if (auto made = makeBackend(makeStore); !made.ok()) {
      std::fprintf(output_.err, "mcp-sidecar: %s\n", made.error().message.c_str());
      return 1;
    }
    command_ = std::make_unique<SessionsCommand>(*base_, *backend_, request, output_);
    if (request.follow) {
      // Stopping a tail is how it ends: exit 0, not death by signal.
      sigint_.reset(evsignal_new(base_.get(), SIGINT, &SessionsCli::onSignalCb, this));
      sigterm_.reset(evsignal_new(base_.get(), SIGTERM, &SessionsCli::onSignalCb, this));
      evsignal_add(sigint_.get(), nullptr);
      evsignal_add(sigterm_.get(), nullptr);
    }
    return command_->run();
  }

 private:
  static void onSignalCb(evutil_socket_t, short, void* arg) noexcept {
    static_cast<SessionsCli*>(arg)->command_->stop();
  }

  Status makeBackend(const CliStoreFactory& makeStore) {
    if (cfg_.store.kind == config::StoreKind::kMemory) {
      // The sessions live inside the daemon's memory: ask it.
      auto made = AdminApiBackend::create(*base_, cfg_.admin.listen, kAdminTimeout);
      if (!made.ok()) return made.error();
      backend_ = std::move(made).value();
      return Ok{};
    }
    store_ = makeStore ? makeStore(CliStoreDeps{*base_, cfg_, clock_, log_, metrics_}) : nullptr;
    if (!store_) {
      return makeError(ErrorCode::kUnavailable,
                       fmt::format("store.kind={}: the sessions commands cannot open that "
                                   "store in this build yet; they read store.kind=memory "
                                   "sessions through the daemon's admin API",
                                   storeKindName(cfg_.store.kind)));
    }
    if (!awaitStoreReachable()) {
      return makeError(ErrorCode::kUnavailable,
                       fmt::format("store.kind={}: cannot reach the store within {} s",
                                   storeKindName(cfg_.store.kind), kConnectWait.count() / 1000));
    }
    backend_ = std::make_unique<StoreBackend>(*store_);
    return Ok{};
  }

  // A store connects asynchronously and fails fast until it has; a one-shot
  // command waits for the first connection (bounded) instead.
  bool awaitStoreReachable() {
    EventPtr tick(event_new(base_.get(), -1, EV_PERSIST, [](evutil_socket_t, short, void*) {}, nullptr));
    const timeval every = toTimeval(kConnectPoll);
    event_add(tick.get(), &every);
    const int64_t deadline = clock_.monotonicMs() + kConnectWait.count();
    while (!store_->everReachable() && clock_.monotonicMs() < deadline) {
      event_base_loop(base_.get(), EVLOOP_ONCE);
    }
    return store_->everReachable();
  }

  const config::Config& cfg_;
  Logger& log_;
  const CommandOutput output_;
  SystemClock clock_;
  MetricsRegistry metrics_;  // the store's counters; a one-shot CLI never serves them
  EventBasePtr base_;
  std::unique_ptr<sessionstore::SessionStore> store_;
  std::unique_ptr<SessionsBackend> backend_;
  std::unique_ptr<SessionsCommand> command_;
  EventPtr sigint_;
  EventPtr sigterm_;
};

}  // namespace

int runSessionsCli(const config::Config& cfg, const SessionsRequest& request, Logger& log,
                   const CliStoreFactory& makeStore, CommandOutput output) {
  // A daemon that drops the admin connection mid-write must cost an EPIPE,
  // not the process; output to a closed pipe is handled by the command.
  std::signal(SIGPIPE, SIG_IGN);
  SessionsCli cli(cfg, log, output);
  return cli.run(request, makeStore);
}

}  // namespace sidecar::cmd
