#pragma once
// One pile's OCPP-J WebSocket connection after a successful, authenticated upgrade.
// A session owns the Beast stream (on the bare TCP socket), the write queue and the protocol
// adapter; everything runs on its executor (a strand, or the io_context with one thread).
// Private to gateway/ (Beast types appear here, never in public headers).
#include <boost/asio/io_context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>

#include <functional>
#include <memory>
#include <string>

#include "core/metrics.h"
#include "core/time.h"
#include "gateway/ocpp_listener.h"
#include "services/registry.h"

namespace cp::ocpp::v16::detail {
class MeterValuesShapes;  // protocol/ocpp/v16/detail/fast_meter_values.h
}
namespace cp::services {
class Fleet;
}

namespace cp::gateway::detail {

// What every session of one listener shares. Outlives the sessions (held by shared_ptr).
struct SessionEnv {
  OcppListenerOptions options;
  services::Fleet& fleet;
  const Clock& clock;
  Metrics& metrics;
  Gauge& open_sessions;
  Counter& closed_oversize;
  Counter& closed_rate_limited;
  Counter& replaced;
  std::function<void(const void* session)> unregister;
  // MeterValues frame shapes, one copy for every pile that sends the same (fast_meter_values.h).
  std::shared_ptr<ocpp::v16::detail::MeterValuesShapes> meter_values_shapes;
};

// One pile's OCPP-J session, whatever executor it runs on (see make_ocpp_session).
class OcppSession : public services::PileLink {
 public:
  using Request = boost::beast::http::request<boost::beast::http::empty_body>;

  // Completes the WebSocket handshake for an already-validated upgrade request.
  virtual void run(Request request) = 0;
  // Closes with 1001 (server shutting down).
  virtual void going_away() = 0;
};

// Takes over the connection of `stream` (its upgrade request already read and validated).
// The session's handlers run on `io` itself when `single_io_thread`, else on a strand of its
// own. Each case is its own concrete Asio executor type, so Beast's per-operation work
// guards are plain copies instead of type-erased ones (`any_io_executor`).
std::shared_ptr<OcppSession> make_ocpp_session(boost::asio::io_context& io, bool single_io_thread,
                                               boost::beast::tcp_stream&& stream, std::string pile,
                                               std::string remote, std::shared_ptr<SessionEnv> env);

}  // namespace cp::gateway::detail
