// The pile simulator on its own (same flags as `chargeplane sim`), so fleets can be run
// against any OCPP 1.6 server, ChargePlane or a peer, without the platform binary.
//
//   sim_fleet sim --url ws://127.0.0.1:P/ocpp --piles 100 --password <16..40 chars> --interval 5
#include <CLI/CLI.hpp>

#include "sim/cli.h"

int main(int argc, char** argv) {
  CLI::App app{"ChargePlane pile simulator"};
  app.require_subcommand(1);
  cp::sim::SimCommand cmd;
  auto* sim = cp::sim::add_sim_command(app, cmd);
  CLI11_PARSE(app, argc, argv);
  return sim->parsed() ? cp::sim::run_sim_command(cmd) : 2;
}
