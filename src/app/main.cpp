// chargeplane — one binary: `serve` (gateway + services + API), `sim` (simulated piles),
// `migrate` (create/upgrade the database and exit), `user` (add|passwd|list API users).
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <filesystem>

#include "app/config.h"
#include "app/serve.h"
#include "app/user_command.h"
#include "core/log.h"
#include "sim/cli.h"
#include "store/store.h"

namespace {

void add_serve_flags(CLI::App& cmd, cp::app::ServeConfig& c, std::string& config_file) {
  cmd.add_option("--config", config_file, "TOML file with the same keys as the flags");
  cmd.add_option("--data-dir", c.data_dir, "Directory for the SQLite database and state");
  cmd.add_option("--listen-ocpp", c.listen_ocpp, "OCPP-J WebSocket listener HOST:PORT (path /ocpp/<id>)");
  cmd.add_option("--listen-api", c.listen_api, "REST API listener HOST:PORT");
  cmd.add_option("--listen-ykc", c.listen_ykc, "YKC pile TCP listener HOST:PORT");
  cmd.add_option("--ykc-heartbeat-timeout", c.ykc_heartbeat_timeout_s,
                 "Close a YKC connection silent (no frame) for this long, also the time to log in (s)")
      ->check(CLI::Range(1, 3600));
  cmd.add_option("--ykc-command-timeout", c.ykc_command_timeout_s, "Seconds a YKC command waits for the pile's answer")
      ->check(CLI::Range(1, 3600));
  cmd.add_option("--ykc-frames-per-second", c.ykc_frames_per_second, "Per-connection sustained YKC frame rate")
      ->check(CLI::PositiveNumber);
  cmd.add_option("--ykc-frame-burst", c.ykc_frame_burst, "Per-connection YKC frame burst")->check(CLI::PositiveNumber);
  cmd.add_option("--log-level", c.log_level, "trace|debug|info|warn|error");
  cmd.add_flag("--log-json", c.log_json, "Log JSON lines instead of text");
  cmd.add_option("--threads", c.threads, "I/O threads (0 = one per core)");
  cmd.add_option("--io-coalesce", c.io_coalesce_us,
                 "Under load, an I/O thread gathers events for this many microseconds between rounds (0 = never)")
      ->check(CLI::Range(0, 10000));
  cmd.add_option("--heartbeat-interval", c.heartbeat_interval_s, "Heartbeat interval given to booting piles (s)");
  cmd.add_option("--max-message-bytes", c.max_message_bytes, "Largest OCPP message accepted (close 1009 above)");
  cmd.add_option("--messages-per-second", c.messages_per_second, "Per-connection sustained message rate");
  cmd.add_option("--message-burst", c.message_burst, "Per-connection message burst");
  cmd.add_option("--ocpp-call-timeout,--call-timeout", c.call_timeout_s,
                 "Seconds a server-initiated OCPP CALL (a command) waits for the pile's answer")
      ->check(CLI::Range(1, 3600));
  cmd.add_option("--jobs-max-in-flight", c.jobs_max_in_flight, "Piles a configuration job configures at once, fleet-wide")
      ->check(CLI::Range(1, 100000));
  cmd.add_option("--jobs-piles-per-second", c.jobs_piles_per_second, "New piles configuration jobs start per second, fleet-wide")
      ->check(CLI::Range(0.1, 100000.0));
  cmd.add_option("--idle-timeout", c.idle_timeout_s, "Close connections silent for this long (s)");
  cmd.add_flag("--accept-unknown-id-tags", c.accept_unknown_id_tags, "Authorize id tags not in the table");
  cmd.add_option("--synchronous-full", c.synchronous_full, "SQLite synchronous=FULL (true) or NORMAL");
  cmd.add_option("--commit-delay", c.commit_delay_us,
                 "Under concurrent writes, wait up to this many microseconds so more share one commit (0 = never)")
      ->check(CLI::Range(0, 100000));
  cmd.add_option("--events-telemetry-interval", c.events_telemetry_interval_ms,
                 "Live events: at most one telemetry event per pile per this many ms")
      ->check(CLI::NonNegativeNumber);
  cmd.add_option("--events-queue-events", c.events_queue_events, "Live events: queued events per client before it is dropped")
      ->check(CLI::PositiveNumber);
  cmd.add_option("--events-ticket-ttl", c.events_ticket_ttl_s, "Live events: life of an unused event ticket (s)")
      ->check(CLI::PositiveNumber);
  cmd.add_option("--events-queue-bytes", c.events_queue_bytes, "Live events: queued bytes per client before it is dropped")
      ->check(CLI::PositiveNumber);
  cmd.add_option("--web-root", c.web_root,
                 "Operator console files served at / (default: the 'web' folder next to this binary; 'none' = off)");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ChargePlane — EV charging pile fleet platform"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "chargeplane 0.1.0");

  cp::app::ServeConfig serve_defaults;
  cp::app::ServeConfig serve_config;
  std::string config_file;
  auto* serve = app.add_subcommand("serve", "Run the gateway, services and API");
  add_serve_flags(*serve, serve_config, config_file);

  std::string migrate_dir = "./data";
  auto* migrate = app.add_subcommand("migrate", "Create or upgrade the database in --data-dir, then exit");
  migrate->add_option("--data-dir", migrate_dir, "Data directory");

  cp::app::UserCommand user_command;
  auto* user = cp::app::add_user_command(app, user_command);

  cp::sim::SimCommand sim_command;
  auto* sim = cp::sim::add_sim_command(app, sim_command);

  CLI11_PARSE(app, argc, argv);

  if (sim->parsed()) {
    cp::init_logging(sim_command.log_level, cp::LogFormat::Text);
    cp::app::raise_open_file_limit();
    return cp::sim::run_sim_command(sim_command);
  }

  if (user->parsed()) {
    cp::init_logging("warn", cp::LogFormat::Text);
    return cp::app::run_user_command(*user, user_command);
  }

  if (serve->parsed()) {
    cp::app::ServeConfig config = serve_defaults;
    if (!config_file.empty()) {
      if (auto s = cp::app::load_toml(config_file, config); !s) {
        std::fprintf(stderr, "chargeplane: %s\n", s.error().message.c_str());
        return 2;
      }
      // Flags given on the command line win over the file: parse again on top of it.
      serve_config = config;
      CLI::App again{"serve"};
      std::string ignored;
      add_serve_flags(again, serve_config, ignored);
      again.allow_extras();
      std::vector<std::string> args(argv + 2, argv + argc);
      std::reverse(args.begin(), args.end());
      again.parse(args);
    }
    cp::init_logging(serve_config.log_level, serve_config.log_json ? cp::LogFormat::Json : cp::LogFormat::Text);
    return cp::app::run_serve(serve_config);
  }
  if (migrate->parsed()) {
    cp::init_logging("info", cp::LogFormat::Text);
    std::filesystem::create_directories(migrate_dir);
    cp::store::SqliteOptions o;
    o.path = (std::filesystem::path(migrate_dir) / "chargeplane.db").string();
    auto s = cp::store::open_sqlite(o);
    if (!s) {
      spdlog::error("migrate.failed error=\"{}\"", s.error().message);
      return 2;
    }
    (*s)->close();
    spdlog::info("migrate.done path={}", o.path);
    return 0;
  }
  return 0;
}
