#pragma once
// RAII owners for C handles. Every libevent/OpenSSL handle has exactly one
// owner built from these; *_free is called nowhere else.

#include <memory>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

namespace sidecar {

template <auto Free>
struct CDeleter {
  template <class T>
  void operator()(T* p) const noexcept {
    if (p != nullptr) Free(p);
  }
};

template <class T, auto Free>
using CPtr = std::unique_ptr<T, CDeleter<Free>>;

using EventBasePtr = CPtr<event_base, &event_base_free>;
using EventPtr = CPtr<event, &event_free>;
using EvBufferPtr = CPtr<evbuffer, &evbuffer_free>;
using EvHttpPtr = CPtr<evhttp, &evhttp_free>;
using EvHttpConnectionPtr = CPtr<evhttp_connection, &evhttp_connection_free>;
using EvHttpUriPtr = CPtr<evhttp_uri, &evhttp_uri_free>;

}  // namespace sidecar
