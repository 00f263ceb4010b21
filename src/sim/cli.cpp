#include "sim/cli.h"

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <cstdio>

namespace cp::sim {

CLI::App* add_sim_command(CLI::App& app, SimCommand& out) {
  auto* sim = app.add_subcommand("sim", "Run simulated charge points against a ChargePlane (or any OCPP) server");
  auto& o = out.options;
  sim->add_option("--piles", o.piles, "Number of simulated piles (0 with --password-file: every pile in it)")
      ->capture_default_str()->check(CLI::NonNegativeNumber);
  sim->add_option("--protocol", out.protocol, "Protocol the piles speak")->capture_default_str()
      ->check(CLI::IsMember({"ocpp1.6"}));
  sim->add_option("--url", o.url, "WebSocket base URL; the pile id is appended")->capture_default_str();
  sim->add_option("--prefix", o.prefix, "Pile id prefix: <prefix>-00001, ...")->capture_default_str();
  auto* pw = sim->add_option("--password", o.password, "Password shared by every pile (16..40 characters)")
                 ->envname("CHARGEPLANE_SIM_PASSWORD");
  auto* pwf = sim->add_option("--password-file", o.password_file, "File of 'pileId password' lines")
                  ->check(CLI::ExistingFile);
  pw->excludes(pwf);
  sim->add_option("--connectors", o.connectors, "Connectors per pile")->capture_default_str()->check(CLI::Range(1, 32));
  sim->add_option_function<int>("--interval", [&o](int s) { o.meter_interval = std::chrono::seconds{s}; },
                                "Meter value interval, seconds (default 10)")->check(CLI::PositiveNumber);
  sim->add_option_function<int>("--duration", [&o](int s) { o.duration = std::chrono::seconds{s}; },
                                "Stop after this many seconds (default: run until SIGINT)")->check(CLI::NonNegativeNumber);
  sim->add_option("--threads", o.threads, "I/O threads")->capture_default_str()->check(CLI::Range(1, 256));
  sim->add_option("--ramp", o.connect_rate, "New connections per second (0: all at once)")->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  sim->add_option("--seed", o.seed, "Random seed (sessions, curves, jitter)")->capture_default_str();
  sim->add_option("--id-tag", o.id_tags, "Id tags the simulated drivers present (repeatable)")->capture_default_str();
  sim->add_option("--api", out.registration.api_url, "Register the piles through this REST API first (http://host:port)");
  sim->add_option("--admin-user", out.registration.admin_user, "API user for registration")->capture_default_str();
  sim->add_option("--admin-password", out.registration.admin_password, "API password for registration")
      ->envname("CHARGEPLANE_ADMIN_PASSWORD");
  sim->add_option("--api-token", out.registration.token, "API bearer token instead of a password")
      ->envname("CHARGEPLANE_API_TOKEN");
  sim->add_flag("--register-only", out.register_only, "Register the piles and exit");
  sim->add_option("--log-level", out.log_level, "trace, debug, info, warn, error")->capture_default_str();
  return sim;
}

int run_sim_command(const SimCommand& cmd) {
  spdlog::set_level(spdlog::level::from_str(cmd.log_level));
  if (!cmd.registration.api_url.empty()) {
    auto piles = pile_credentials(cmd.options);
    if (!piles) {
      std::fprintf(stderr, "chargeplane sim: %s\n", piles.error().message.c_str());
      return 1;
    }
    for (const auto& p : *piles) {
      if (p.password.size() < 16 || p.password.size() > 40) {
        std::fprintf(stderr, "chargeplane sim: pile %s: password must be 16..40 characters\n", p.id.c_str());
        return 1;
      }
    }
    auto registration = cmd.registration;
    registration.id_tags = cmd.options.id_tags;
    auto report = register_piles(registration, *piles);
    if (!report) {
      std::fprintf(stderr, "chargeplane sim: registration failed: %s\n", report.error().message.c_str());
      return 1;
    }
    std::printf("sim registered created=%zu existing=%zu failed=%zu\n", report->created, report->existing, report->failed);
    if (report->failed > 0) {
      std::fprintf(stderr, "chargeplane sim: %zu piles could not be registered (first: %s)\n", report->failed,
                   report->first_error.c_str());
      return 1;
    }
  } else if (cmd.register_only) {
    std::fprintf(stderr, "chargeplane sim: --register-only needs --api\n");
    return 1;
  }
  std::fflush(stdout);
  if (cmd.register_only) return 0;
  return run_simulator(cmd.options);
}

}  // namespace cp::sim
