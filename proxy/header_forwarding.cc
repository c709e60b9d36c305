#include "proxy/header_forwarding.h"

#include <strings.h>

#include <vector>

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

void copyEndToEnd(const evkeyvalq& from, evkeyvalq& to,
                  std::initializer_list<const char*> also_skip) {
  const std::vector<std::string> options = connectionOptionNames(findHeader(from, "Connection"));
  forEachHeader(from, [&](const char* name, const char* value) {
    if (!shouldForwardHeader(name, options)) return;
    for (const char* skip : also_skip) {
      if (equalsIgnoreCase(name, skip)) return;
    }
    evhttp_add_header(&to, name, value);
  });
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
  // Content-Length is recomputed by evhttp for the body it sends; Expect was
  // already answered by evhttp on the client side.
  copyEndToEnd(from, to, {"Host", "Content-Length", "Expect", "X-Forwarded-For", "X-Forwarded-Proto"});

  const std::string_view client_host = findHeader(from, "Host");
  const std::string host = how.host_override.empty() ? std::string(client_host) : how.host_override;
  if (!host.empty()) evhttp_add_header(&to, "Host", host.c_str());

  std::string forwarded_for(findHeader(from, "X-Forwarded-For"));
  if (!how.client_address.empty()) {
    if (!forwarded_for.empty()) forwarded_for += ", ";
    forwarded_for += how.client_address;
  }
  if (!forwarded_for.empty()) evhttp_add_header(&to, "X-Forwarded-For", forwarded_for.c_str());
  const std::string_view proto = findHeader(from, "X-Forwarded-Proto");
  evhttp_add_header(&to, "X-Forwarded-Proto", proto.empty() ? "http" : std::string(proto).c_str());
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
  copyEndToEnd(from, to, {});
}

}  // namespace sidecar::proxy
