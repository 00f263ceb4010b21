#pragma once
// `chargeplane user add|passwd|list`: user administration directly on the data directory, for
// bootstrapping and recovery (a forgotten admin password). Run it while the server is
// stopped: a running server caches users and sessions in memory and sees the change after its
// next restart. Passwords are read from standard input (one line; echo off on a terminal) or
// CHARGEPLANE_USER_PASSWORD, never from the command line (it would show in `ps`). Changes go
// through services::ApiAuth, so the same rules apply and the audit log names the actor "cli".
#include <string>

namespace CLI {
class App;
}

namespace cp::app {

struct UserCommand {
  std::string data_dir = "./data";
  std::string username;
  std::string role = "viewer";
};

// Registers `user` and its three subcommands on `app`; returns the `user` subcommand.
CLI::App* add_user_command(CLI::App& app, UserCommand& out);
// Runs whichever subcommand was parsed. Exit code: 0 ok, 1 refused (e.g. user_exists), 2 error.
int run_user_command(const CLI::App& user, const UserCommand& cmd);

}  // namespace cp::app
