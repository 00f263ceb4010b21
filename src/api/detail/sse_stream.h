#pragma once
// EventStreams — the live event streams (Server-Sent Events) of one ApiServer (private to
// src/api; Beast code, like server.cpp). The events route answers with an EventSubscription;
// the session then hands its socket to `open`, and the stream lives on the same strand:
//   header + `retry:` -> subscribe to the EventBus (with the client's Last-Event-ID: the kept
//   events after it first, or a `replay_unavailable` notice) -> each matching event is queued (bounded,
//   EventQueue) by the publisher's thread and written from the strand -> `: keep-alive` on a
//   timer -> the end: client gone, write stalled (`write_timeout`), queue overflow (final
//   `dropped` event, slow_consumer) or server stop (final `closing` event).
// The body is close-delimited (`Connection: close`, no Content-Length): the stream is the last
// response on its connection. A client's memory is its queue (count and bytes bounded) plus
// one write batch (<= 64 KiB); the kernel send buffer per stream is capped as well.
// Metrics: chargeplane_event_streams (gauge), chargeplane_event_streams_dropped_total{reason},
// chargeplane_events_sent_total.
// Thread-safe; open() runs on the socket's strand, the rest from any thread.
#include <boost/asio/ip/tcp.hpp>

#include <cstddef>
#include <memory>

#include "api/detail/sse.h"
#include "api/server.h"
#include "core/metrics.h"
#include "core/time.h"
#include "services/event_bus.h"

namespace cp::api::detail {

class EventStream;  // one client (sse_stream.cpp)

class EventStreams {
 public:
  EventStreams(services::EventBus* bus, Metrics& metrics, const Clock& clock, EventStreamOptions options);
  ~EventStreams();
  EventStreams(const EventStreams&) = delete;
  EventStreams& operator=(const EventStreams&) = delete;

  bool available() const;  // a bus to stream from
  // Holds a place for one more stream; false at `max_clients` or once stopping.
  bool reserve();
  // Takes over `socket` (whose executor is the session's strand) and consumes a reservation.
  void open(boost::asio::ip::tcp::socket socket, const EventSubscription& subscription);
  // Server stop: every stream writes what it has queued, a final `closing` event, and closes
  // (forcibly after `close_grace`). Later reservations fail.
  void close_all();
  std::size_t count() const;

 private:
  friend class EventStream;
  struct Hub;
  std::shared_ptr<Hub> hub_;
};

}  // namespace cp::api::detail
