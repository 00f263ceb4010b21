#include "app/user_command.h"

#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <iostream>

#include "services/auth.h"
#include "store/store.h"

namespace cp::app {
namespace {

// One line from stdin, without echo when stdin is a terminal.
std::string read_password() {
  if (const char* env = std::getenv("CHARGEPLANE_USER_PASSWORD")) return env;
  const bool tty = isatty(STDIN_FILENO);
  termios saved{};
  if (tty) {
    std::fprintf(stderr, "password: ");
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::fprintf(stderr, "\n");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

template <class T, class Start>
T await(Start&& start) {
  std::promise<T> p;
  auto f = p.get_future();
  start([&p](T r) { p.set_value(std::move(r)); });
  return f.get();
}

int refused(const Error& e) {
  std::fprintf(stderr, "chargeplane: %s (%s)\n", e.message.c_str(), e.code.c_str());
  return e.code.rfind("invalid_", 0) == 0 || e.code == "user_exists" || e.code == "user_not_found" ? 1 : 2;
}

}  // namespace

CLI::App* add_user_command(CLI::App& app, UserCommand& out) {
  auto* user = app.add_subcommand("user", "Manage API users in --data-dir (run while the server is stopped)");
  user->require_subcommand(1);
  auto* add = user->add_subcommand("add", "Create a user; the password is read from stdin");
  add->add_option("username", out.username, "User name")->required();
  add->add_option("--role", out.role, "viewer|operator|admin")->capture_default_str();
  auto* passwd = user->add_subcommand("passwd", "Set a user's password (read from stdin); ends their sessions");
  passwd->add_option("username", out.username, "User name")->required();
  auto* list = user->add_subcommand("list", "List users and roles");
  for (auto* sub : {add, passwd, list})
    sub->add_option("--data-dir", out.data_dir, "Data directory")->capture_default_str();
  return user;
}

int run_user_command(const CLI::App& user, const UserCommand& cmd) {
  store::SqliteOptions o;
  o.path = (std::filesystem::path(cmd.data_dir) / "chargeplane.db").string();
  if (!std::filesystem::exists(o.path)) {
    std::fprintf(stderr, "chargeplane: no database at %s\n", o.path.c_str());
    return 2;
  }
  auto opened = store::open_sqlite(o);
  if (!opened) {
    std::fprintf(stderr, "chargeplane: %s\n", opened.error().message.c_str());
    return 2;
  }
  auto& store = **opened;
  SystemClock clock;
  services::ApiAuth auth(store, clock);
  if (auto s = auth.load(); !s) return refused(s.error());
  const services::Principal cli{"cli", services::Role::Admin, "", services::TokenKind::Session};

  int rc = 0;
  if (user.got_subcommand("list")) {
    for (const auto& u : auth.users())
      std::printf("%-32s %-9s %s\n", u.username.c_str(), services::to_string(u.role),
                  format_rfc3339(u.created).c_str());
  } else if (user.got_subcommand("add")) {
    auto role = services::role_from_string(cmd.role);
    if (!role) {
      std::fprintf(stderr, "chargeplane: --role must be viewer, operator or admin\n");
      rc = 1;
    } else {
      const auto password = read_password();
      auto r = await<Result<services::UserInfo>>(
          [&](auto done) { auth.create_user(cli, cmd.username, password, *role, done); });
      rc = r ? 0 : refused(r.error());
      if (r) std::printf("created user '%s' (%s)\n", r->username.c_str(), services::to_string(r->role));
    }
  } else if (user.got_subcommand("passwd")) {
    const auto password = read_password();
    auto r = await<Result<services::UserInfo>>(
        [&](auto done) { auth.update_user(cli, cmd.username, std::nullopt, password, done); });
    rc = r ? 0 : refused(r.error());
    if (r) std::printf("password of '%s' changed\n", r->username.c_str());
  }
  store.flush();
  store.close();
  return rc;
}

}  // namespace cp::app
