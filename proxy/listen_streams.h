#pragma once
// ListenStreams: the ListenStreams of this node's upstream session copies.
// A copy listens (holds a GET to the upstream) only while the session has a
// standalone GET open on some node: an idle session then costs no upstream
// connection. Two things start one: the bus's `taken` (a client opened its
// standalone GET somewhere) for a copy this node holds, and a copy mapped
// while the session's standalone lease is held (the GET was opened before
// this node had a copy). A copy's stream stops when the copy is released.
// The Rehydrator, which owns the copies, tells it (CopyObserver).

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "common/call_handle.h"
#include "common/metrics.h"
#include "proxy/listen_stream.h"
#include "proxy/upstream_session_map.h"

namespace sidecar::proxy {

class CopyObserver {
 public:
  virtual ~CopyObserver() = default;
  virtual void copyMapped(const UpstreamSessionCopy& copy) = 0;
  virtual void copyDropped(const std::string& client_session_id) = 0;
};

class ListenStreams final : public CopyObserver {
 public:
  // `copy_of` answers this node's copy of a session, or nullptr.
  using CopyLookup = std::function<const UpstreamSessionCopy*(const std::string& client_session_id)>;

  ListenStreams(const ListenDeps& deps, MetricsRegistry& metrics, CopyLookup copy_of);
  ListenStreams(const ListenStreams&) = delete;
  ListenStreams& operator=(const ListenStreams&) = delete;

  void copyMapped(const UpstreamSessionCopy& copy) override;
  void copyDropped(const std::string& client_session_id) override;
  // A client opened the session's standalone GET on some node.
  void standaloneOpened(const std::string& client_session_id);
  size_t size() const noexcept { return streams_.size(); }

 private:
  void listen(const UpstreamSessionCopy& copy);
  void publishSize();

  ListenDeps deps_;
  CopyLookup copy_of_;
  uint64_t next_ = 0;
  std::unordered_map<std::string, std::unique_ptr<ListenStream>> streams_;
  std::unordered_map<std::string, CallHandle> lease_checks_;
  Gauge& open_;
};

}  // namespace sidecar::proxy
