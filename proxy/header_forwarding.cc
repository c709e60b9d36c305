#include "proxy/header_forwarding.h"

#include <strings.h>

#include <string_view>

#include <fmt/format.h>

#include "proxy/header_policy.h"

namespace sidecar::proxy {
namespace {

template <class Fn>
void forEachHeader(const evkeyvalq& headers, Fn fn) {
  for (const evkeyval* kv = headers.tqh_first; kv != nullptr; kv = kv->next.tqe_next) {
    fn(kv->key, kv->value);
  }
}

bool equalsIgnoreCase(const char* a, const char* b) { return strcasecmp(a, b) == 0; }

// Only names starting with 'c' get a full comparison.
bool isConnectionField(const char* name) {
  return (name[0] == 'c' || name[0] == 'C') && equalsIgnoreCase(name, "Connection");
}

bool hasConnectionField(const evkeyvalq& headers) {
  for (const evkeyval* kv = headers.tqh_first; kv != nullptr; kv = kv->next.tqe_next) {
    if (isConnectionField(kv->key)) return true;
  }
  return false;
}

// Whether any Connection field names `name`: RFC 9110 7.6.1 applies every
// one of them, not only the first.
bool namedByConnection(const evkeyvalq& headers, std::string_view name) {
  for (const evkeyval* kv = headers.tqh_first; kv != nullptr; kv = kv->next.tqe_next) {
    if (isConnectionField(kv->key) && isConnectionOption(name, kv->value)) return true;
  }
  return false;
}

// Copies the end-to-end fields of `from` onto `to`, in order, in one walk. `rewrite(name, value)`
// sees every field first, hop-by-hop or not, and returns true for those the caller replaces.
template <class Rewrite>
void copyEndToEnd(const evkeyvalq& from, evkeyvalq& to, Rewrite rewrite) {
  // Most messages have no Connection field: then no name is checked against one.
  const bool has_connection = hasConnectionField(from);
  forEachHeader(from, [&](const char* name, const char* value) {
    const std::string_view name_view(name);
    if (rewrite(name_view, value)) return;
    if (isHopByHopHeader(name_view)) return;
    if (has_connection && namedByConnection(from, name_view)) return;
    evhttp_add_header(&to, name, value);
  });
}

// Case-insensitive equality with a name of the same length as `name`.
bool isNamed(std::string_view name, const char* same_length_name) {
  return strncasecmp(name.data(), same_length_name, name.size()) == 0;
}

// The request fields forwardRequestHeaders replaces. One switch on the length leaves at most one
// comparison per field.
enum class Rewritten { kNone, kHost, kDropped, kForwardedFor, kForwardedProto };

Rewritten rewrittenField(std::string_view name) {
  switch (name.size()) {
    case 4: return isNamed(name, "Host") ? Rewritten::kHost : Rewritten::kNone;
    // Content-Length is recomputed by evhttp for the body it sends; Expect was
    // already answered by evhttp on the client side.
    case 6: return isNamed(name, "Expect") ? Rewritten::kDropped : Rewritten::kNone;
    case 14: return isNamed(name, "Content-Length") ? Rewritten::kDropped : Rewritten::kNone;
    case 15: return isNamed(name, "X-Forwarded-For") ? Rewritten::kForwardedFor : Rewritten::kNone;
    case 17:
      return isNamed(name, "X-Forwarded-Proto") ? Rewritten::kForwardedProto : Rewritten::kNone;
    default: return Rewritten::kNone;
  }
}

}  // namespace

std::string_view findHeader(const evkeyvalq& headers, const char* name) {
  const char* v = evhttp_find_header(&headers, name);
  return v ? std::string_view(v) : std::string_view();
}

size_t headerBytes(const evkeyvalq& headers) {
  size_t total = 0;
  forEachHeader(headers, [&](const char* name, const char* value) {
    total += std::char_traits<char>::length(name) + std::char_traits<char>::length(value) + 4;
  });
  return total;
}

void forwardRequestHeaders(const evkeyvalq& from, evkeyvalq& to, const RequestForwarding& how) {
  // The first of each, as evhttp_find_header would return it.
  const char* client_host = nullptr;
  const char* forwarded_for = nullptr;
  const char* forwarded_proto = nullptr;
  const auto keepFirst = [](const char*& slot, const char* value) {
    if (slot == nullptr) slot = value;
    return true;
  };
  copyEndToEnd(from, to, [&](std::string_view name, const char* value) {
    switch (rewrittenField(name)) {
      case Rewritten::kNone: return false;
      case Rewritten::kDropped: return true;
      case Rewritten::kHost: return keepFirst(client_host, value);
      case Rewritten::kForwardedFor: return keepFirst(forwarded_for, value);
      case Rewritten::kForwardedProto: return keepFirst(forwarded_proto, value);
    }
    return true;
  });

  const char* host = !how.host_override.empty() ? how.host_override.c_str() : client_host;
  if (host != nullptr && *host != '\0') evhttp_add_header(&to, "Host", host);

  const std::string_view prior = forwarded_for != nullptr ? forwarded_for : "";
  if (how.client_address.empty()) {
    if (!prior.empty()) evhttp_add_header(&to, "X-Forwarded-For", forwarded_for);
  } else if (prior.empty()) {
    evhttp_add_header(&to, "X-Forwarded-For", how.client_address.c_str());
  } else {
    fmt::memory_buffer joined;  // inline storage: no allocation for ordinary chains
    joined.append(prior);
    joined.append(std::string_view(", "));
    joined.append(std::string_view(how.client_address));
    joined.push_back('\0');
    evhttp_add_header(&to, "X-Forwarded-For", joined.data());
  }
  const bool has_proto = forwarded_proto != nullptr && *forwarded_proto != '\0';
  evhttp_add_header(&to, "X-Forwarded-Proto", has_proto ? forwarded_proto : "http");
}

HeaderList syntheticRequestHeaders(const evkeyvalq& from, const RequestForwarding& how) {
  evkeyvalq forwarded{};
  forwarded.tqh_first = nullptr;
  forwarded.tqh_last = &forwarded.tqh_first;
  forwardRequestHeaders(from, forwarded, how);
  HeaderList out;
  forEachHeader(forwarded, [&](const char* name, const char* value) {
    for (const char* skip : {"Mcp-Session-Id", "MCP-Protocol-Version", "Last-Event-ID",
                             "Content-Type", "Accept", "Mcp-Method", "Mcp-Name"}) {
      if (equalsIgnoreCase(name, skip)) return;
    }
    out.emplace_back(name, value);
  });
  evhttp_clear_headers(&forwarded);
  return out;
}

void forwardResponseHeaders(const evkeyvalq& from, evkeyvalq& to) {
  copyEndToEnd(from, to, [](std::string_view, const char*) { return false; });
}

}  // namespace sidecar::proxy
