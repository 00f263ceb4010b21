#pragma once
// ApiServer — the operator REST API (DESIGN.md §6) over HTTP/1.1 (Boost.Beast, keep-alive),
// JSON bodies, errors as application/problem+json with a stable `code` (docs/api.md).
//
// Threads: sessions run on strands of the caller's io_context; CPU-heavy work (PBKDF2 for
// login and pile registration) runs on a small private worker pool so it never stalls the io
// threads. Writes are acknowledged (2xx) only after the store's `done` (durable); the
// response is posted back to the session's strand, no thread waits for the store.
// Owns: the listening socket, its sessions and the worker pool. Borrows everything in
// ApiContext, which must outlive the server.
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "core/metrics.h"
#include "core/result.h"
#include "core/time.h"
#include "services/acquisition.h"
#include "services/auth.h"
#include "services/config_jobs.h"
#include "services/registry.h"
#include "store/store.h"

namespace boost::asio {
class io_context;
}

namespace cp::services {
class Control;
}

namespace cp::api {

struct ApiOptions {
  std::size_t body_limit = 1 << 20;            // larger request bodies get 413
  std::chrono::seconds request_timeout{30};    // to read one request (and keep-alive idle)
  std::size_t worker_threads = 2;              // for password hashing off the io threads
  int pile_password_iterations = services::kPilePasswordIterations;
  std::string default_registration = "Accepted";  // POST /piles without "registration"
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
  services::Control* control = nullptr;  // remote control; without it the command routes answer 503
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

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cp::api
