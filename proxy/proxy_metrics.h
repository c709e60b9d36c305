#pragma once
// ProxyMetrics: the proxy's counters, looked up once at start-up so the
// request path only increments.

#include "common/metrics.h"

namespace sidecar::proxy {

struct ProxyMetrics {
  explicit ProxyMetrics(MetricsRegistry& r)
      : registry(r),
        requests_post(r.counter("sidecar_requests_total", "Client requests", "method=\"POST\"")),
        requests_get(r.counter("sidecar_requests_total", "Client requests", "method=\"GET\"")),
        requests_delete(r.counter("sidecar_requests_total", "Client requests", "method=\"DELETE\"")),
        exchanges_active(r.gauge("sidecar_exchanges_active", "Requests in flight")),
        streams_open(r.gauge("sidecar_sse_streams_open", "SSE responses being relayed")),
        client_hangups(r.counter("sidecar_client_hangups_total",
                                 "Clients that disconnected before their response ended")),
        upstream_failures(r.counter("sidecar_upstream_failures_total",
                                    "Upstream requests that failed (refused, reset, timeout)")),
        upstream_streams_aborted(r.counter("sidecar_upstream_streams_aborted_total",
                                           "Upstream responses that broke after headers were relayed")),
        backpressure_pauses(r.counter("sidecar_backpressure_pauses_total",
                                      "Times upstream reads paused for a slow client")),
        bytes_relayed(r.counter("sidecar_response_bytes_total", "Response body bytes relayed")),
        messages_recorded(r.counter("sidecar_messages_recorded_total",
                                    "JSON-RPC messages handed to the session store")),
        messages_unparsed(r.counter("sidecar_upstream_unparsed_payloads_total",
                                    "Upstream SSE data or JSON bodies that were not JSON-RPC")),
        sessions_created(r.counter("sidecar_sessions_created_total", "Sessions recorded")),
        sessions_closed(r.counter("sidecar_sessions_closed_total", "Sessions closed by DELETE")),
        session_transition_failures(r.counter("sidecar_session_transition_failures_total",
                                              "State changes the store refused")),
        store_errors(r.counter("sidecar_store_errors_total", "Store calls that failed on the request path")),
        streams_orphaned(r.counter("sidecar_streams_orphaned_total",
                                   "Request streams read on after their client disconnected")),
        orphans_cancelled(r.counter("sidecar_orphan_streams_cancelled_total",
                                    "Orphaned streams nobody resumed within streams.orphan_ttl")),
        streams_from_log(r.counter("sidecar_log_streams_total",
                                   "GET streams served from the session log (resumed or standalone)")),
        events_from_log(r.counter("sidecar_log_stream_events_total",
                                  "Events sent to clients from the session log")),
        streams_drained(r.counter("sidecar_streams_closed_for_drain_total",
                                  "Streams closed with retry: so the client resumes on another node")) {}

  MetricsRegistry& registry;
  Counter& requests_post;
  Counter& requests_get;
  Counter& requests_delete;
  Gauge& exchanges_active;
  Gauge& streams_open;
  Counter& client_hangups;
  Counter& upstream_failures;
  Counter& upstream_streams_aborted;
  Counter& backpressure_pauses;
  Counter& bytes_relayed;
  Counter& messages_recorded;
  Counter& messages_unparsed;
  Counter& sessions_created;
  Counter& sessions_closed;
  Counter& session_transition_failures;
  Counter& store_errors;
  Counter& streams_orphaned;
  Counter& orphans_cancelled;
  Counter& streams_from_log;
  Counter& events_from_log;
  Counter& streams_drained;
};

}  // namespace sidecar::proxy
