#pragma once
#include <functional>

// `chargeplane sim`: runs simulated OCPP 1.6 piles against a server, optionally registering
// them through the REST API first.
namespace CLI {
class App;
}

namespace cp::app {

// Adds the `sim` subcommand to `app`; `run` is called if it was parsed.
struct SimCommand {
  CLI::App* command = nullptr;
  std::function<int()> run;
};
SimCommand add_sim_command(CLI::App& app);

}  // namespace cp::app
