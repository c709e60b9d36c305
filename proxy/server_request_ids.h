#pragma once
// ServerRequestIds: the ids of requests the upstream sends to the client
// (elicitation/create, sampling/createMessage, roots/list, ping). Every node
// holds its own upstream copy of a session and every copy counts its ids
// from 0, so in the one session the client sees they would collide. Each is
// replaced by a string unique in the deployment,
//
//   "mcp-sidecar.<node id>.<n>"
//
// which also says which node's copy asked: the client's response, POSTed to
// any node, is routed there (over the bus when it is another node) and put
// back to the original id before it reaches that copy. Entries are kept
// until the response passes, bounded by count (the oldest are forgotten; a
// response to a forgotten request is dropped with a log line). Pure data
// structure: no I/O.

#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "proxy/jsonrpc_parser.h"

namespace sidecar::proxy {

struct RoutedId {
  std::string node;
  uint64_t number = 0;
};

// nullopt unless `id_raw` is a JSON string ServerRequestIds made.
std::optional<RoutedId> parseRoutedId(std::string_view id_raw);

struct OriginalRequest {
  std::string session_id;
  std::string id_raw;  // the upstream copy's own id token
};

class ServerRequestIds;

// Rewrites the ids of the requests in `body` (each message's raw and id_raw
// are updated) and answers the payload to send and record: `payload` itself
// when nothing changed, otherwise the messages re-joined (a batch stays a
// batch).
std::string routeServerRequests(ParsedBody& body, std::string_view payload,
                                const std::string& session_id, ServerRequestIds& ids);

class ServerRequestIds {
 public:
  static constexpr size_t kDefaultCapacity = 65'536;

  explicit ServerRequestIds(std::string node_id, size_t capacity = kDefaultCapacity)
      : node_id_(std::move(node_id)), capacity_(capacity) {}

  const std::string& nodeId() const noexcept { return node_id_; }
  // The id token the client sees for the copy's request `id_raw`.
  std::string assign(const std::string& session_id, std::string id_raw);
  // The request a routed id of this node stood for; forgets it.
  std::optional<OriginalRequest> take(uint64_t number);
  size_t size() const noexcept { return entries_.size(); }

 private:
  std::string node_id_;
  size_t capacity_;
  uint64_t next_ = 0;
  std::list<uint64_t> order_;  // oldest first
  struct Entry {
    OriginalRequest request;
    std::list<uint64_t>::iterator pos;
  };
  std::unordered_map<uint64_t, Entry> entries_;
};

}  // namespace sidecar::proxy
