#pragma once
// `chargeplane sim` command line (CLI11), kept next to the simulator so flags and options stay
// in step. The app adds the subcommand and, once parsed, runs it:
//
//   cp::sim::SimCommand sim;
//   CLI::App* sub = cp::sim::add_sim_command(app, sim);
//   CLI11_PARSE(app, argc, argv);
//   if (sub->parsed()) return cp::sim::run_sim_command(sim);
#include <string>

#include "sim/simulator.h"
#include "sim/ykc_simulator.h"

namespace CLI {
class App;
}

namespace cp::sim {

struct SimCommand {
  SimOptions options;
  RegistrationOptions registration;  // used when registration.api_url is set
  std::string protocol = "ocpp1.6";     // or "ykc"
  YkcSimOptions ykc;                    // --protocol ykc
  std::string ykc_address = "127.0.0.1:8767";
  std::string key_file;
  bool register_only = false;
  std::string log_level = "info";
};

// Adds subcommand "sim" to `app`; parsed values land in `out` (which must outlive parsing).
CLI::App* add_sim_command(CLI::App& app, SimCommand& out);

// Registers the piles first when --api is given, then runs the fleet. Returns the exit code.
int run_sim_command(const SimCommand& cmd);

}  // namespace cp::sim
