#pragma once
// OcppListener — the OCPP-J front door: a TCP acceptor that upgrades HTTP requests on
// /ocpp/<chargePointId> to WebSocket sessions (Boost.Beast), one session per pile.
//
// Before the upgrade it checks the path, the offered subprotocol (ocpp1.6; none supported →
// HTTP 400) and HTTP Basic credentials (OCPP security profile 1; unknown pile or wrong
// password → HTTP 401). After it, each session runs on its own strand (or straight on the
// io_context when one thread runs it): frames go to a protocol adapter (protocol/ocpp), replies
// come back through the adapter once the services have made the data durable. Limits per connection: message size (close 1009), message rate
// (close 1008), handshake and idle timeouts. A newer connection for the same pile replaces
// the older one, which is closed.
//
// Commands (services::PileLink::execute): each session queues them (bounded, see
// `max_queued_commands`; beyond it a command is done at once with status "Busy") and runs one
// at a time through the OCPP 1.6 command runner (protocol/ocpp/v16/command_runner.h); every
// server CALL gets `call_timeout`. When the connection closes, the running and queued commands
// are done with "Offline". Counter chargeplane_ocpp_server_calls_total{action,outcome}.
//
// Threads: all work runs on the io_context passed in (any number of threads; with more than
// one, each session has a strand, see `single_io_thread`).
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "core/metrics.h"
#include "core/result.h"
#include "core/time.h"

namespace boost::asio {
class io_context;
}
namespace cp::services {
class Fleet;
class PileAuthenticator;
}  // namespace cp::services

namespace cp::gateway {

struct OcppListenerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 9000;  // 0 = ephemeral (tests)
  std::size_t max_message_bytes = 64 * 1024;
  std::chrono::milliseconds handshake_timeout{10'000};
  std::chrono::milliseconds call_timeout{30'000};   // server-initiated CALLs
  std::size_t max_queued_commands = 16;             // per session, behind the running one; more → "Busy"
  std::chrono::seconds idle_timeout{600};           // no frame and no pong for this long → close
  double messages_per_second = 20;                  // sustained per-connection rate
  double message_burst = 200;                       // bucket size
  // True when exactly one thread runs the io_context: sessions then use its executor directly
  // instead of a strand each (no strand lock, queue or reference count per handler).
  bool single_io_thread = false;
};

class OcppListener {
 public:
  OcppListener(boost::asio::io_context& io, OcppListenerOptions options, services::Fleet& fleet,
               services::PileAuthenticator& auth, const Clock& clock, Metrics& metrics);
  ~OcppListener();
  OcppListener(const OcppListener&) = delete;
  OcppListener& operator=(const OcppListener&) = delete;

  // Binds and starts accepting. Error "bind_failed" with the reason if the address is taken.
  Status start();
  unsigned short port() const;
  // Stops accepting and closes every session with "going away" (1001). Returns at once;
  // sessions finish on the io_context.
  void stop();
  std::size_t session_count() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace cp::gateway
