#pragma once
// `chargeplane serve`: wires store, services, gateway and API into one process and runs it
// until SIGINT/SIGTERM, then stops accepting, lets in-flight writes commit, and exits 0.
#include "app/config.h"

namespace cp::app {

int run_serve(const ServeConfig& config);

// Raises RLIMIT_NOFILE's soft limit to the hard limit; logs both. Returns the new soft limit.
long raise_open_file_limit();

}  // namespace cp::app
