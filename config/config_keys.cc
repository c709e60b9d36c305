#include "config/config_keys.h"

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "config/address_parsers.h"
#include "config/value_parsers.h"

namespace sidecar::config {
namespace {

constexpr Millis kNoMinimum{0};
constexpr Millis kPositive{1};
constexpr uint64_t kKiB = 1ULL << 10;
constexpr uint64_t kMiB = 1ULL << 20;
constexpr uint64_t kGiB = 1ULL << 30;
constexpr uint64_t kMaxCount = 1'000'000'000;  // larger counts are typos, not intent
// An HMAC key shorter than this can be brute-forced from observed fingerprints.
constexpr size_t kMinFingerprintKeyBytes = 16;

Error invalid(std::string message) {
  return makeError(ErrorCode::kInvalidArgument, std::move(message));
}

Status setDuration(Millis& out, const std::string& text, Millis minimum) {
  auto value = parseDuration(text);
  if (!value) return value.error();
  if (value.value() < minimum) return invalid("must be greater than 0");
  out = value.value();
  return Ok{};
}

Status setSize(size_t& out, const std::string& text, uint64_t minimum, uint64_t maximum) {
  auto value = parseSize(text);
  if (!value) return value.error();
  if (value.value() < minimum || value.value() > maximum) {
    return invalid(fmt::format("{} is out of range: must be from {} to {}", quoteForMessage(text),
                               formatSize(minimum), formatSize(maximum)));
  }
  out = static_cast<size_t>(value.value());
  return Ok{};
}

Status setCount(size_t& out, const std::string& text, uint64_t minimum,
                uint64_t maximum = kMaxCount) {
  auto value = parseUnsigned(text);
  if (!value) return value.error();
  if (value.value() < minimum || value.value() > maximum) {
    return invalid(fmt::format("{} is out of range: must be from {} to {}", quoteForMessage(text),
                               minimum, maximum));
  }
  out = static_cast<size_t>(value.value());
  return Ok{};
}

Status setBool(bool& out, const std::string& text) {
  auto value = parseBool(text);
  if (!value) return value.error();
  out = value.value();
  return Ok{};
}

template <class E, size_t N>
Status setEnum(E& out, const std::string& text,
               const std::array<std::pair<std::string_view, E>, N>& names) {
  for (const auto& [name, value] : names) {
    if (text == name) {
      out = value;
      return Ok{};
    }
  }
  std::vector<std::string_view> allowed;
  for (const auto& entry : names) allowed.push_back(entry.first);
  return invalid(fmt::format("invalid value {}: expected one of {}", quoteForMessage(text),
                             fmt::join(allowed, ", ")));
}

Status setHostPort(HostPort& out, const std::string& text) {
  auto value = parseHostPort(text);
  if (!value) return value.error();
  out = std::move(value.value());
  return Ok{};
}

Status setUpstreamUrl(UpstreamConfig& out, const std::string& text) {
  auto url = parseHttpUrl(text);
  if (!url) return url.error();
  out.url = text;
  out.host = std::move(url.value().host);
  out.port = url.value().port;
  out.path = std::move(url.value().path);
  return Ok{};
}

Status setRedisUrl(RedisConfig& out, const std::string& text) {
  auto url = parseRedisUrl(text);
  if (!url) return url.error();
  out.url = text;
  out.host = std::move(url.value().host);
  out.port = url.value().port;
  out.username = std::move(url.value().username);
  out.password = std::move(url.value().password);
  out.db = url.value().db;
  return Ok{};
}

Status setMcpPath(std::string& out, const std::string& text) {
  if (text.empty() || text.front() != '/') {
    return invalid(fmt::format("must start with '/', got {}", quoteForMessage(text)));
  }
  for (unsigned char c : text) {
    if (c <= 0x20 || c == 0x7f || c == '?' || c == '#') {
      return invalid("must be a plain path: no spaces, control characters, '?' or '#'");
    }
  }
  out = text;
  return Ok{};
}

Status setFingerprintKey(std::string& out, const std::string& text) {
  // The message never shows the key: it is a secret.
  if (!text.empty() && text.size() < kMinFingerprintKeyBytes) {
    return invalid(fmt::format("must be empty (a random per-process key) or at least {} bytes long",
                               kMinFingerprintKeyBytes));
  }
  out = text;
  return Ok{};
}

Status addOrigin(std::vector<std::string>& out, const std::string& text) {
  auto origin = parseOrigin(text);
  if (!origin) return origin.error();
  out.push_back(std::move(origin.value()));
  return Ok{};
}

constexpr std::array<std::pair<std::string_view, HostHeaderMode>, 2> kHostHeaderNames{{
    {"client", HostHeaderMode::kClient},
    {"upstream", HostHeaderMode::kUpstream},
}};
constexpr std::array<std::pair<std::string_view, StoreKind>, 2> kStoreKindNames{{
    {"memory", StoreKind::kMemory},
    {"redis", StoreKind::kRedis},
}};
constexpr std::array<std::pair<std::string_view, LogLevel>, 4> kLogLevelNames{{
    {"debug", LogLevel::kDebug},
    {"info", LogLevel::kInfo},
    {"warn", LogLevel::kWarn},
    {"error", LogLevel::kError},
}};
constexpr std::array<std::pair<std::string_view, LogFormat>, 2> kLogFormatNames{{
    {"text", LogFormat::kText},
    {"json", LogFormat::kJson},
}};

using C = Config;
using S = const std::string;

// Keep in the order of docs/configuration.md.
const KeySpec kKeys[] = {
    {"listen", false, [](C& c, S& v) { return setHostPort(c.listen, v); }},
    {"admin.listen", false, [](C& c, S& v) { return setHostPort(c.admin.listen, v); }},
    {"upstream.url", false, [](C& c, S& v) { return setUpstreamUrl(c.upstream, v); }},
    {"upstream.host_header", false,
     [](C& c, S& v) { return setEnum(c.upstream.host_header, v, kHostHeaderNames); }},
    {"upstream.connect_timeout", false,
     [](C& c, S& v) { return setDuration(c.upstream.connect_timeout, v, kPositive); }},
    {"upstream.response_timeout", false,
     [](C& c, S& v) { return setDuration(c.upstream.response_timeout, v, kPositive); }},
    {"upstream.stream_idle_timeout", false,
     [](C& c, S& v) { return setDuration(c.upstream.stream_idle_timeout, v, kPositive); }},
    {"upstream.max_idle_connections", false,
     [](C& c, S& v) { return setCount(c.upstream.max_idle_connections, v, 0, 1'000'000); }},
    {"upstream.health_interval", false,
     [](C& c, S& v) { return setDuration(c.upstream.health_interval, v, kPositive); }},
    {"mcp_path", false, [](C& c, S& v) { return setMcpPath(c.mcp_path, v); }},
    {"store.kind", false, [](C& c, S& v) { return setEnum(c.store.kind, v, kStoreKindNames); }},
    {"store.redis.url", false, [](C& c, S& v) { return setRedisUrl(c.store.redis, v); }},
    {"store.redis.prefix", false,
     [](C& c, S& v) {
       c.store.redis.prefix = v;
       return Status(Ok{});
     }},
    {"store.redis.stream_maxlen", false,
     [](C& c, S& v) { return setCount(c.store.redis.stream_maxlen, v, 1); }},
    {"store.redis.buffer_events", false,
     [](C& c, S& v) { return setCount(c.store.redis.buffer_events, v, 0); }},
    {"store.cache.enabled", false, [](C& c, S& v) { return setBool(c.store.cache.enabled, v); }},
    {"store.cache.max_entries", false,
     [](C& c, S& v) { return setCount(c.store.cache.max_entries, v, 1); }},
    {"store.cache.ttl", false,
     [](C& c, S& v) { return setDuration(c.store.cache.ttl, v, kPositive); }},
    {"store.memory.max_events_per_session", false,
     [](C& c, S& v) { return setCount(c.store.memory_max_events_per_session, v, 1); }},
    {"store.memory.max_sessionless_events", false,
     [](C& c, S& v) { return setCount(c.store.memory_max_sessionless_events, v, 0); }},
    {"session.idle_ttl", false,
     [](C& c, S& v) { return setDuration(c.session.idle_ttl, v, kPositive); }},
    {"session.fingerprint_key", false,
     [](C& c, S& v) { return setFingerprintKey(c.session.fingerprint_key, v); }},
    {"rehydration.max_upstream_sessions", false,
     [](C& c, S& v) { return setCount(c.rehydration.max_upstream_sessions, v, 1, 10'000'000); }},
    {"rehydration.upstream_session_idle_ttl", false,
     [](C& c, S& v) { return setDuration(c.rehydration.upstream_session_idle_ttl, v, kPositive); }},
    {"rehydration.timeout", false,
     [](C& c, S& v) { return setDuration(c.rehydration.timeout, v, kPositive); }},
    {"rehydration.max_waiters", false,
     [](C& c, S& v) { return setCount(c.rehydration.max_waiters, v, 1, 100'000); }},
    {"streams.orphan_ttl", false,
     [](C& c, S& v) { return setDuration(c.streams.orphan_ttl, v, kPositive); }},
    {"streams.lease_ttl", false,
     [](C& c, S& v) { return setDuration(c.streams.lease_ttl, v, kPositive); }},
    {"streams.retry", false,
     [](C& c, S& v) { return setDuration(c.streams.retry, v, kNoMinimum); }},
    {"limits.max_body_bytes", false,
     [](C& c, S& v) { return setSize(c.limits.max_body_bytes, v, 1, kGiB); }},
    {"limits.max_header_bytes", false,
     [](C& c, S& v) { return setSize(c.limits.max_header_bytes, v, kKiB, kMiB); }},
    {"limits.request_timeout", false,
     [](C& c, S& v) { return setDuration(c.limits.request_timeout, v, kPositive); }},
    {"limits.stream_buffer_bytes", false,
     [](C& c, S& v) { return setSize(c.limits.stream_buffer_bytes, v, kKiB, kGiB); }},
    {"security.allowed_origins", true,
     [](C& c, S& v) { return addOrigin(c.security.allowed_origins, v); },
     [](C& c) { c.security.allowed_origins.clear(); }},
    {"drain.timeout", false,
     [](C& c, S& v) { return setDuration(c.drain.timeout, v, kNoMinimum); }},
    {"log.level", false, [](C& c, S& v) { return setEnum(c.log.level, v, kLogLevelNames); }},
    {"log.format", false, [](C& c, S& v) { return setEnum(c.log.format, v, kLogFormatNames); }},
};

// Every known path, leaves and sections alike, once each.
std::vector<std::string_view> knownPaths() {
  std::vector<std::string_view> out;
  for (const KeySpec& key : kKeys) {
    for (size_t dot = key.path.find('.'); dot != std::string_view::npos;
         dot = key.path.find('.', dot + 1)) {
      out.push_back(key.path.substr(0, dot));
    }
    out.push_back(key.path);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::pair<std::string_view, std::string_view> splitLast(std::string_view path) {
  const size_t dot = path.rfind('.');
  if (dot == std::string_view::npos) return {std::string_view(), path};
  return {path.substr(0, dot), path.substr(dot + 1)};
}

size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::span<const KeySpec> configKeys() { return kKeys; }

const KeySpec* findKey(std::string_view path) {
  for (const KeySpec& key : kKeys) {
    if (key.path == path) return &key;
  }
  return nullptr;
}

bool isSection(std::string_view path) {
  if (path.empty()) return false;
  return std::any_of(std::begin(kKeys), std::end(kKeys), [&](const KeySpec& key) {
    return key.path.size() > path.size() && key.path.substr(0, path.size()) == path &&
           key.path[path.size()] == '.';
  });
}

std::string suggestKey(std::string_view path) {
  const auto [parent, name] = splitLast(path);
  const std::vector<std::string_view> known = knownPaths();
  // A misspelt sibling: allow about one typo per four characters.
  const size_t budget = std::max<size_t>(1, name.size() / 4);
  std::string_view best;
  size_t bestDistance = budget + 1;
  for (std::string_view candidate : known) {
    const auto [candidateParent, candidateName] = splitLast(candidate);
    if (candidateParent != parent) continue;
    const size_t distance = editDistance(name, candidateName);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (!best.empty()) return std::string(best);
  // The right name in the wrong section.
  for (std::string_view candidate : known) {
    if (splitLast(candidate).second == name) return std::string(candidate);
  }
  return {};
}

}  // namespace sidecar::config
