#pragma once
// Pile simulator: N OCPP 1.6 charge points over real WebSockets, for demos, load and e2e.
//
// Each simulated pile connects to `<url>/<pileId>` (subprotocol ocpp1.6, HTTP Basic auth),
// sends BootNotification (retried after the returned interval while Pending/Rejected),
// StatusNotification for connectors 0..n, Heartbeat at the interval the server returned, then
// repeats charging sessions per connector: Authorize, Preparing, StartTransaction, Charging,
// MeterValues every interval (energy, power, current and voltage per phase, temperature, SoC
// on a CC/CV-like curve), StopTransaction with transactionData, Finishing, Available, idle gap.
// It answers the server's Reset (stops transactions, reconnects, boots again),
// Remote{Start,Stop}Transaction (Authorize first when AuthorizeRemoteTxRequests is true),
// {Change,Get}Configuration, TriggerMessage, UnlockConnector, ChangeAvailability, ClearCache,
// Set/ClearChargingProfile (a ChargePointMaxProfile caps the power of the running sessions,
// shared equally; a TxProfile caps its transaction), UpdateFirmware and GetDiagnostics (with
// status notifications) and DataTransfer (UnknownVendorId); the remaining 1.6 actions get
// CALLERROR NotSupported, unknown ones NotImplemented. One CALL outstanding per pile (others queue), `call_timeout` per
// CALL (a timeout drops the connection), reconnect with exponential back-off and jitter.
//
// Threads: one io_context run by `threads` threads; each pile lives on its own strand.
// Errors: configuration problems are returned as `Error` before any socket is opened; network
// trouble at run time is counted in `SimStats`, logged at debug level, and retried.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "sim/detail/backoff.h"

namespace cp::sim {

struct SimOptions {
  std::string url = "ws://127.0.0.1:8180/ocpp";  // base; "/<pileId>" is appended
  std::string prefix = "SIM";                    // pile ids are "<prefix>-00001" ...
  int piles = 1;                                 // 0 with a password file: every pile in it
  std::string password;                          // shared by every pile, or
  std::string password_file;                     // lines "pileId password" (# comments)
  int connectors = 2;
  std::chrono::seconds meter_interval{10};       // MeterValueSampleInterval
  std::chrono::seconds heartbeat_interval{300};  // until BootNotification.conf says otherwise
  std::vector<std::string> id_tags{"SIMTAG0001", "SIMTAG0002", "SIMTAG0003"};
  std::uint64_t seed = 1;
  std::chrono::seconds duration{0};              // 0: until SIGINT/SIGTERM (or stop())
  int threads = 1;
  double connect_rate = 0;                       // new connections per second; 0 = all at once
  std::chrono::seconds call_timeout{30};
  BackoffPolicy backoff;
  // Session shape: meter samples per session and idle gap between sessions (uniform ranges).
  int session_samples_min = 10;
  int session_samples_max = 60;
  std::chrono::seconds idle_gap_min{5};
  std::chrono::seconds idle_gap_max{60};
  std::chrono::seconds stats_interval{10};       // progress line on stderr; 0 = none
  std::string vendor = "ChargePlane";
  std::string model = "SIM-AC22";
};

struct PileCredential {
  std::string id;
  std::string password;
};

// The piles `opts` describes, with their passwords. Fails on an unreadable password file, a pile
// missing from it, no password at all, or a pile id OCPP cannot carry (1..48 chars, no '/').
Result<std::vector<PileCredential>> pile_credentials(const SimOptions& opts);

// A snapshot of the counters; latencies are CALL round trips as the pile sees them.
struct SimStats {
  std::int64_t piles = 0;
  std::int64_t connected = 0;       // WebSocket open right now
  std::int64_t booted = 0;          // connected and BootNotification Accepted
  std::uint64_t connects = 0;       // successful handshakes, ever
  std::uint64_t connect_failures = 0;
  std::uint64_t handshake_rejected = 0;  // HTTP status instead of 101 (e.g. 401)
  std::uint64_t disconnects = 0;
  std::uint64_t calls_ok = 0;
  std::uint64_t calls_error = 0;    // CALLERROR received
  std::uint64_t calls_timeout = 0;
  std::uint64_t server_calls = 0;   // CALLs from the server answered
  std::uint64_t transactions_started = 0;
  std::uint64_t transactions_stopped = 0;
  std::uint64_t meter_values = 0;
  double latency_p50_ms = 0;
  double latency_p99_ms = 0;
  double latency_max_ms = 0;
};
std::string format_stats(const SimStats& s);

class Simulator {
 public:
  explicit Simulator(SimOptions opts);
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // Runs until `duration`, SIGINT/SIGTERM or stop(); blocks the calling thread.
  Status run();
  // Thread-safe: closes every pile's connection (normal closure) and makes run() return.
  void stop();
  SimStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Blocking entry point for `chargeplane sim`: runs the fleet, prints a summary, returns the
// process exit code (0, or 1 with the reason on stderr when the options are unusable).
int run_simulator(const SimOptions& opts);

// Registering the simulated piles with the platform's REST API before they connect.
struct RegistrationOptions {
  std::string api_url;         // http://host:port (no TLS)
  std::string admin_user = "admin";
  std::string admin_password;  // used to log in when `token` is empty
  std::string token;           // bearer token, if already known
  int concurrency = 4;         // parallel HTTP connections
  // Id tags to create as Accepted (POST /api/v1/id-tags; 409 = exists) so that the simulated
  // drivers are authorized; the defaults are SimOptions' default tags.
  std::vector<std::string> id_tags{"SIMTAG0001", "SIMTAG0002", "SIMTAG0003"};
  // YKC piles (PileCredential.password unused): registered as protocol "ykc" with this cipher
  // ("none", "des", "3des") and key, as the gateway's POST /api/v1/piles expects.
  std::string protocol = "ocpp1.6";
  std::string ykc_cipher = "none";
  std::string ykc_key_hex;  // never logged
};
struct RegistrationReport {
  std::size_t created = 0;   // 201
  std::size_t existing = 0;  // 409: already registered
  std::size_t failed = 0;
  std::string first_error;   // of the failures, for the operator
  std::size_t id_tags_created = 0;
};
// POST /api/v1/piles {"id","protocol":"ocpp1.6","password"} for each pile (YKC: {"id","protocol":"ykc",
// "encryption":{"cipher","key"}}), then the id tags.
// Errors only when the API cannot be reached or login fails; per-item failures are counted.
Result<RegistrationReport> register_piles(const RegistrationOptions& opts, const std::vector<PileCredential>& piles);

}  // namespace cp::sim
