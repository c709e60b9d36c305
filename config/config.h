#pragma once
// The sidecar's configuration: plain immutable value structs. Built once by
// loadConfig() (config_loader.h: YAML + ${ENV} expansion + --set overrides +
// validation) and handed out by const reference, each layer taking only its
// slice. Defaults live here, next to the field they belong to, and nowhere
// else; docs/configuration.md lists them (keep it in step).
// Hosts are numeric IP literals (IPv6 without brackets): the loader refuses
// names so that nothing ever blocks on DNS, and maps "localhost" to 127.0.0.1.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/logger.h"

namespace sidecar::config {

using Millis = std::chrono::milliseconds;

struct HostPort {
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0: the kernel picks one; the chosen port is logged
};

enum class HostHeaderMode {
  kClient,    // pass the client's Host header through unchanged
  kUpstream,  // send the upstream URL's host:port (for servers that validate Host)
};

struct UpstreamConfig {
  std::string url = "http://127.0.0.1:3001/mcp";  // full URL including the path
  // Parsed from url by the loader (http only):
  std::string host = "127.0.0.1";
  uint16_t port = 3001;
  std::string path = "/mcp";
  HostHeaderMode host_header = HostHeaderMode::kClient;
  Millis connect_timeout{5'000};
  Millis response_timeout{60'000};      // until the upstream's response headers
  Millis stream_idle_timeout{3'600'000};  // between bytes of an SSE stream
  size_t max_idle_connections = 64;       // keep-alive pool bound
  Millis health_interval{1'000};          // /readyz probe period
};

enum class StoreKind { kMemory, kRedis };

struct RedisConfig {
  std::string url = "redis://127.0.0.1:6379";  // may hold the password: never log it
  // Parsed from url by the loader:
  std::string host = "127.0.0.1";
  uint16_t port = 6379;
  std::string username;
  std::string password;  // never logged
  int db = 0;
  std::string prefix = "mcp:";
  size_t stream_maxlen = 100'000;  // approximate cap per session event stream
  size_t buffer_events = 100'000;  // events queued in memory while Redis is down
};

struct CacheConfig {
  bool enabled = true;
  size_t max_entries = 10'000;
  Millis ttl{600'000};  // only consulted while the store is unreachable
};

struct StoreConfig {
  StoreKind kind = StoreKind::kMemory;
  RedisConfig redis;
  CacheConfig cache;
  size_t memory_max_events_per_session = 100'000;  // memory store: oldest dropped first
  size_t memory_max_sessionless_events = 100'000;
};

struct SessionConfig {
  Millis idle_ttl{24LL * 3'600'000};
  // HMAC key for credential fingerprints. Empty: a random per-process key
  // (fingerprints then do not match across nodes; set it in production).
  std::string fingerprint_key;
};

// Rehydration: serving a live session whose upstream copy this node does
// not hold (created elsewhere, or lost by an upstream restart).
struct RehydrationConfig {
  size_t max_upstream_sessions = 10'000;  // local copies held; the least recently used is released
  Millis upstream_session_idle_ttl{1'800'000};  // a copy unused this long is released
  Millis timeout{10'000};                 // a whole rehydration (initialize + replay)
  size_t max_waiters = 256;               // requests queued behind one rehydration
};

// Streams: resumable SSE streams owned by the sidecar (event ids, replay,
// streams that outlive their client connection, cross-node delivery).
struct StreamsConfig {
  // A request stream whose client left keeps being read and persisted this
  // long for a resumption; then, if nobody tails it, it is closed upstream.
  Millis orphan_ttl{300'000};
  // The producer of a stream renews a lease this long; a node tailing the
  // stream that finds it lapsed with responses missing ends the stream.
  Millis lease_ttl{10'000};
  // `retry:` sent to clients of 2025-11-25 and later (priming and drain).
  Millis retry{1'000};
};

struct LimitsConfig {
  size_t max_body_bytes = 4 * 1024 * 1024;
  size_t max_header_bytes = 16 * 1024;
  Millis request_timeout{30'000};     // reading a client's request
  size_t stream_buffer_bytes = 256 * 1024;  // per-client output before upstream reads pause
};

struct SecurityConfig {
  // Origins allowed when a request carries Origin. Default: loopback origins.
  std::vector<std::string> allowed_origins = {"http://localhost", "http://127.0.0.1", "http://[::1]",
                                              "https://localhost", "https://127.0.0.1",
                                              "https://[::1]"};
};

struct DrainConfig {
  Millis timeout{30'000};
};

struct LogConfig {
  LogLevel level = LogLevel::kInfo;
  LogFormat format = LogFormat::kText;
};

struct AdminConfig {
  HostPort listen{"127.0.0.1", 9090};
};

struct Config {
  HostPort listen{"127.0.0.1", 8080};
  AdminConfig admin;
  UpstreamConfig upstream;
  std::string mcp_path = "/mcp";
  StoreConfig store;
  SessionConfig session;
  RehydrationConfig rehydration;
  StreamsConfig streams;
  LimitsConfig limits;
  SecurityConfig security;
  DrainConfig drain;
  LogConfig log;
};

}  // namespace sidecar::config
