#pragma once
// MessageRouter: gets a client's message to the upstream copy it is meant
// for, on whichever node that copy lives. A response to a server request
// goes to the copy that asked (its routed id names the node); the bus
// carries it when that is another node, and the original id is put back
// just before it reaches the copy. Owned by main.

#include <string>

#include "common/logger.h"
#include "proxy/cluster_bus.h"
#include "proxy/jsonrpc_parser.h"
#include "proxy/rehydrator.h"
#include "proxy/server_request_ids.h"

namespace sidecar::proxy {

class MessageRouter {
 public:
  MessageRouter(ServerRequestIds& ids, ClusterBus& bus, Rehydrator& rehydrator, Logger& log)
      : ids_(ids), bus_(bus), rehydrator_(rehydrator), log_(log) {}

  // A response the client sent (to this node) for routed request `id`.
  void fromClient(const std::string& session_id, const RoutedId& id, const JsonRpcMessage& response);
  // A message the bus brought for this node's copy of the session.
  void fromBus(const std::string& session_id, std::string message);

 private:
  void toLocalCopy(const std::string& session_id, uint64_t number, const JsonRpcMessage& response);

  ServerRequestIds& ids_;
  ClusterBus& bus_;
  Rehydrator& rehydrator_;
  Logger& log_;
  JsonRpcParser json_;
};

}  // namespace sidecar::proxy
