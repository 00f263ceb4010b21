#pragma once
// ServeConfig — everything `chargeplane serve` is configured with. Defaults here; an optional
// TOML file (--config) overrides them; command-line flags override the file.
#include <cstddef>
#include <string>

#include "core/result.h"

namespace cp::app {

struct ServeConfig {
  std::string data_dir = "./data";
  std::string listen_ocpp = "127.0.0.1:9000";
  std::string listen_api = "127.0.0.1:8080";
  std::string listen_ykc = "127.0.0.1:8767";
  std::string log_level = "info";
  bool log_json = false;
  int threads = 0;  // 0 = hardware concurrency
  // Under load an I/O thread sleeps this long between rounds of events instead of waking for
  // each (core/io_loop.h); 0 = wake for every event.
  int io_coalesce_us = 100;
  // OCPP
  int heartbeat_interval_s = 300;
  std::size_t max_message_bytes = 64 * 1024;
  double messages_per_second = 20;
  double message_burst = 200;
  int call_timeout_s = 30;  // server-initiated CALLs (commands); --ocpp-call-timeout
  int idle_timeout_s = 600;
  bool accept_unknown_id_tags = false;
  // YKC (docs/ykc.md)
  int ykc_heartbeat_timeout_s = 35;  // silence (no frame) before a YKC connection is closed
  int ykc_command_timeout_s = 30;    // a platform command's answer
  double ykc_frames_per_second = 20;
  double ykc_frame_burst = 200;
  // Configuration jobs: fleet-wide delivery limits
  int jobs_max_in_flight = 100;
  double jobs_piles_per_second = 50;
  // Store
  bool synchronous_full = true;
  int commit_delay_us = 500;  // the writer's commit window under concurrent load (docs/storage.md)
  // Live events (GET /api/v1/events)
  int events_telemetry_interval_ms = 1000;  // at most one telemetry event per pile this often
  std::size_t events_queue_events = 4096;   // per client; a client beyond either limit is dropped
  std::size_t events_queue_bytes = 4 * 1024 * 1024;
  int events_ticket_ttl_s = 60;  // life of an unused event ticket
  // Operator console: the built web/dist; "" = the `web` folder next to the binary (where
  // `make build` puts it: build/web), "none" = no console.
  std::string web_root;
};

// The console directory `serve` uses for this config: web_root as given, or <dir of exe>/web.
std::string resolve_web_root(const std::string& configured);

// Reads the keys of a TOML file into `config` (unknown keys are an error, so typos surface).
Status load_toml(const std::string& path, ServeConfig& config);

struct HostPort {
  std::string host;
  unsigned short port = 0;
};
Result<HostPort> parse_host_port(const std::string& text);

}  // namespace cp::app
