#pragma once
// YkcListener — the YKC front door (docs/ykc.md): a TCP acceptor, one session per connection.
//
// A session reads bytes, and hands them to the pure YKC pile adapter (protocol/ykc/
// pile_adapter.h), which reassembles frames, checks CRCs, logs the pile in against the registry
// (services::PileTransports: unknown pile → failure reply, then close), decrypts and encrypts
// per pile, and maps frames to domain events (services::Fleet) and replies — acknowledgements
// only after the data is durable. The session owns the socket, the write queue, and the limits:
// a heartbeat timeout (no frame for `heartbeat_timeout`, also the deadline to log in, closes a
// half-open connection), a per-connection frame-rate limit (token bucket; over it the connection
// is closed) and the command queue (PileLink::execute: bounded, one command at a time, each with
// `command_timeout`; when the connection closes, running and queued commands end "Offline").
// A newer connection for the same pile number replaces the older one.
//
// Threads: every session runs on its own strand of the io_context passed in, or straight on
// the io_context when one thread runs it (`single_io_thread`).
// Metrics: chargeplane_ykc_{connections_total,sessions,closed_total{reason}} here, frame
// counters in the adapter (docs/ykc.md "Metrics").
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
class PileTransports;
}  // namespace cp::services
namespace cp::ykc {
class CipherLibrary;
}

namespace cp::gateway {

struct YkcListenerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 8767;  // 0 = ephemeral (tests)
  // YKC piles heartbeat every 10 s and give up after 3 missed replies: silence for longer than
  // that means the connection is half-open. Also the time a new connection has to log in.
  std::chrono::milliseconds heartbeat_timeout{35'000};
  std::chrono::milliseconds command_timeout{30'000};  // a platform command's answer
  std::size_t max_queued_commands = 16;                // behind the running one; more → "Busy"
  double frames_per_second = 20;                       // sustained per connection
  double frame_burst = 200;                            // bucket size (a pile flushing offline data)
  std::size_t max_frame_bytes = 256;                   // larger declared lengths are "oversized"
  // Set when exactly one thread runs the io_context: sessions then use its executor instead of
  // a strand each (no strand lock, queue or reference count per handler), as OCPP sessions do.
  bool single_io_thread = false;
};

class YkcListener {
 public:
  // `ciphers` (may be null: encrypted piles then fail per frame) must outlive the listener.
  YkcListener(boost::asio::io_context& io, YkcListenerOptions options, services::Fleet& fleet,
              const services::PileTransports& transports, const ykc::CipherLibrary* ciphers, const Clock& clock,
              Metrics& metrics);
  ~YkcListener();
  YkcListener(const YkcListener&) = delete;
  YkcListener& operator=(const YkcListener&) = delete;

  // Binds and starts accepting. Error "bind_failed" with the reason.
  Status start();
  unsigned short port() const;
  // Stops accepting and closes every session. Returns at once.
  void stop();
  std::size_t session_count() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace cp::gateway
