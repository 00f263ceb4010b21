#pragma once
// One simulated OCPP 1.6 charge point (see sim/simulator.h for the behaviour). Private to
// src/sim: the simulator creates one per pile and stops them all at the end.
// Threads: everything a pile does runs on its own strand of the shared io_context.
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace cp::sim {
struct SimOptions;
struct PileCredential;
struct Counters;

namespace detail {

struct WsEndpoint {
  std::string host;
  std::string port;
  std::string path;  // "/ocpp"; the pile id is appended
};

struct FleetContext {
  const SimOptions* options = nullptr;
  WsEndpoint endpoint;
  Counters* counters = nullptr;
};

class PileHandle {
 public:
  virtual ~PileHandle() = default;
  virtual void stop() = 0;  // thread-safe; closes normally and does not reconnect
};

// Starts the pile's life (first connect after `start_delay`); the io_context keeps it alive.
std::shared_ptr<PileHandle> spawn_charge_point(boost::asio::io_context& ioc, const FleetContext& fleet,
                                               const PileCredential& credential, std::uint64_t seed,
                                               std::chrono::milliseconds start_delay);

}  // namespace detail
}  // namespace cp::sim
