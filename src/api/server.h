#pragma once
// ApiServer — the operator REST API (DESIGN.md §6) over HTTP/1.1 (Boost.Beast, keep-alive),
// JSON bodies, errors as application/problem+json with a stable `code` (docs/api.md).
//
// Threads: sessions run on strands of the caller's io_context; CPU-heavy work (PBKDF2 for
// login and pile registration) runs on a small private worker pool so it never stalls the io
// threads. Writes are acknowledged (2xx) only after the store's `done` (durable); the
// response is posted back to the session's strand, no thread waits for the store.
// Live events (`GET /api/v1/events`, Server-Sent Events): a session whose route answers with
// an event stream hands its connection to a stream object on the same strand, which feeds it
// from the EventBus through a bounded queue and drops the client when the queue overflows
// (api/detail/sse_stream.h). stop() ends streams with a final `closing` event.
// Owns: the listening socket, its sessions, event streams and the worker pool. Borrows
// everything in ApiContext, which must outlive the server.
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/metrics.h"
#include "core/result.h"
#include "core/time.h"
#include "services/acquisition.h"
#include "services/auth.h"
#include "services/config_jobs.h"
#include "services/event_bus.h"
#include "services/registry.h"
#include "store/store.h"

namespace boost::asio {
class io_context;
}

namespace cp::services {
class Control;
class PileKeyVault;
}

namespace cp::api {

// Limits of live event streams (docs/api.md "Live events").
struct EventStreamOptions {
  std::size_t max_queue_events = 4096;          // per client; beyond either limit the client
  std::size_t max_queue_bytes = 4 * 1024 * 1024;  // is dropped ("dropped", slow_consumer)
  std::size_t max_clients = 256;                // more get 503 too_many_event_streams
  std::chrono::milliseconds keep_alive{15000};  // `: keep-alive` comment period
  std::chrono::milliseconds retry{3000};        // `retry:` sent to clients
  std::chrono::seconds write_timeout{60};       // a write making no progress this long ends the stream
  std::chrono::seconds close_grace{5};          // to deliver the final event before closing anyway
  std::chrono::seconds ticket_ttl{60};
  std::size_t max_tickets = 10000;              // unused tickets held at once
};

struct ApiOptions {
  std::size_t body_limit = 1 << 20;            // larger request bodies get 413
  std::chrono::seconds request_timeout{30};    // to read one request (and keep-alive idle)
  std::size_t worker_threads = 2;              // for password hashing off the io threads
  int pile_password_iterations = services::kPilePasswordIterations;
  std::string default_registration = "Accepted";  // POST /piles without "registration"
  EventStreamOptions events = {};
  // The operator console's built files (web/dist), served at `/` (api/detail/static_assets.h).
  // Empty, missing or without index.html: the API is served alone and a warning is logged.
  std::string web_root;
};

struct ApiContext {
  store::Store& store;
  services::Registry& registry;
  services::ApiAuth& auth;
  services::PileAuthenticator& pile_auth;
  Metrics& metrics;
  const Clock& clock;
  ApiOptions options = {};
  services::ConfigJobs* config_jobs = nullptr;           // null: the config-job routes answer 503
  services::AcquisitionPolicies* acquisition = nullptr;  // null: the policy routes answer 503
  services::EventBus* events = nullptr;  // live events; without a bus /events answers 503
  services::Control* control = nullptr;  // remote control; without it the command routes answer 503
  // Seals pile frame-encryption keys (YKC); without it registering a key answers 503.
  const services::PileKeyVault* key_vault = nullptr;
  // Per-protocol pile options (the `ykc` object of a pile): applies `patch` (a JSON object) onto
  // `current` ("" = defaults) and returns the canonical JSON, or an error whose code is the
  // problem code. Wired in app/ (the API knows no protocol); null: such options are refused.
  using ProtocolOptions = std::function<Result<std::string>(std::string_view protocol, std::string_view current,
                                                            std::string_view patch)>;
  ProtocolOptions protocol_options = {};
};

class ApiServer {
 public:
  // port 0 = an ephemeral port (see port() after start()).
  ApiServer(boost::asio::io_context& io, const std::string& host, unsigned short port, ApiContext ctx);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Binds and starts accepting. Errors: "listen_failed" (address in use, bad host...).
  Status start();
  // Stops accepting and closes open sessions. Idempotent; safe from any thread.
  void stop();
  unsigned short port() const;
  // Live event streams open now (stop() waits for nothing; the caller may, e.g. at SIGTERM).
  std::size_t event_streams() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cp::api
