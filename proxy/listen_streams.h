#pragma once
// ListenStreams: one ListenStream per upstream session copy this node holds,
// started when the copy is mapped and stopped when it is released. The
// Rehydrator, which owns the copies, tells it (CopyObserver).

#include <memory>
#include <string>
#include <unordered_map>

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
  ListenStreams(const ListenDeps& deps, MetricsRegistry& metrics);
  ListenStreams(const ListenStreams&) = delete;
  ListenStreams& operator=(const ListenStreams&) = delete;

  void copyMapped(const UpstreamSessionCopy& copy) override;
  void copyDropped(const std::string& client_session_id) override;
  size_t size() const noexcept { return streams_.size(); }

 private:
  void publishSize();

  ListenDeps deps_;
  uint64_t next_ = 0;
  std::unordered_map<std::string, std::unique_ptr<ListenStream>> streams_;
  Gauge& open_;
};

}  // namespace sidecar::proxy
