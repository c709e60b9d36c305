#include "proxy/cluster_bus.h"

#include <iterator>
#include <utility>

namespace sidecar::proxy {
namespace {

// Wire form: "<kind>\n<session id>\n<node id>\n<payload>". Session ids are
// visible ASCII (checked on the way in), so they cannot hold the separator;
// the payload is last and may hold anything.
constexpr char kSep = '\n';
constexpr uint64_t kSweepEvery = 1024;
// Node field of a message for every node but the one named after it.
constexpr std::string_view kOthersOf = "*";

std::string encode(std::string_view kind, std::string_view session, std::string_view node,
                   std::string_view payload) {
  std::string out;
  out.reserve(kind.size() + session.size() + node.size() + payload.size() + 3);
  out.append(kind).push_back(kSep);
  out.append(session).push_back(kSep);
  out.append(node).push_back(kSep);
  out.append(payload);
  return out;
}

}  // namespace

ClusterBus::ClusterBus(sessionstore::SessionStore& store, Logger& log, std::string node_id)
    : store_(store), log_(log), node_id_(std::move(node_id)) {}

void ClusterBus::start(Handlers handlers) {
  handlers_ = std::move(handlers);
  subscription_ = store_.subscribe([this](std::string_view message) { onMessage(message); });
}

void ClusterBus::sessionClosed(const std::string& session_id) {
  store_.publish(encode("closed", session_id, node_id_, {}));
}

void ClusterBus::standaloneTaken(const std::string& session_id, const std::string& stream_id) {
  // This node's copy starts listening now, not a bus round trip later: the
  // upstream should see its GET as soon as the client's arrives.
  if (handlers_.standalone_opened) handlers_.standalone_opened(session_id);
  store_.publish(encode("taken", session_id, node_id_, stream_id));
}

void ClusterBus::deliverTo(const std::string& session_id, const std::string& node,
                           std::string_view message) {
  store_.publish(encode("deliver", session_id, node, message));
}

void ClusterBus::deliverToOthers(const std::string& session_id, std::string_view message) {
  store_.publish(encode("deliver", session_id, std::string(kOthersOf) + node_id_, message));
}

Subscription ClusterBus::watch(const std::string& session_id,
                               std::function<void(BusSignal, std::string_view)> fn) {
  if (++watches_since_sweep_ >= kSweepEvery) {
    // Sessions whose streams all ended without a signal leave husks.
    watches_since_sweep_ = 0;
    for (auto it = watchers_.begin(); it != watchers_.end();) {
      it = it->second.prune() == 0 ? watchers_.erase(it) : std::next(it);
    }
  }
  return watchers_[session_id].add(std::move(fn));
}

void ClusterBus::onMessage(std::string_view message) {
  const size_t a = message.find(kSep);
  const size_t b = a == std::string_view::npos ? a : message.find(kSep, a + 1);
  const size_t c = b == std::string_view::npos ? b : message.find(kSep, b + 1);
  if (c == std::string_view::npos) {
    log_.warn("bus", "bus_message_malformed", {{"bytes", static_cast<int64_t>(message.size())}});
    return;
  }
  const std::string_view kind = message.substr(0, a);
  const std::string session(message.substr(a + 1, b - a - 1));
  const std::string_view node = message.substr(b + 1, c - b - 1);
  const std::string_view payload = message.substr(c + 1);
  if (kind == "closed") {
    if (handlers_.closed) handlers_.closed(session);
    signal(session, BusSignal::kClosed, {});
  } else if (kind == "taken") {
    if (node != node_id_ && handlers_.standalone_opened) handlers_.standalone_opened(session);
    signal(session, BusSignal::kTaken, payload);
  } else if (kind == "deliver") {
    const bool for_me = node == node_id_ ||
                        (node.starts_with(kOthersOf) &&
                         node.substr(kOthersOf.size()) != node_id_);
    if (for_me && handlers_.deliver) {
      handlers_.deliver(session, std::string(payload));
    }
  } else {
    log_.warn("bus", "bus_message_unknown_kind", {{"kind", std::string(kind)}});
  }
}

void ClusterBus::signal(const std::string& session_id, BusSignal what, std::string_view arg) {
  auto it = watchers_.find(session_id);
  if (it == watchers_.end()) return;
  // The snapshot lets a watcher cancel itself or others while being told.
  auto live = it->second.snapshot();
  if (live.empty()) {
    watchers_.erase(it);
    return;
  }
  live.notify(what, arg);
}

}  // namespace sidecar::proxy
