#pragma once
// The API's handlers and the route table that binds them (private to src/api). Each handler
// completes through `Respond` exactly once; writes respond from the store's `done`.
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "api/detail/router.h"
#include "api/server.h"

namespace cp::api::detail {

struct ApiState {
  explicit ApiState(ApiContext c) : ctx(c) {}
  ApiContext ctx;
  // Ids with a create in flight: two concurrent POSTs of one id must not both get 201.
  std::mutex mu;
  std::set<std::string> creating;

  bool reserve(const std::string& key);
  void release(const std::string& key);
};

std::vector<Route> make_routes(const std::shared_ptr<ApiState>& state);

// accounts and operations (account_handlers.cpp)
void login(ApiState& s, Request& req, Respond respond);
void logout(ApiState& s, Request& req, Respond respond);
void healthz(ApiState& s, Request& req, Respond respond);
void metrics(ApiState& s, Request& req, Respond respond);
// piles (pile_handlers.cpp)
void list_piles(ApiState& s, Request& req, Respond respond);
void create_pile(ApiState& s, Request& req, Respond respond);
void get_pile(ApiState& s, Request& req, Respond respond);
void patch_pile(ApiState& s, Request& req, Respond respond);
void delete_pile(ApiState& s, Request& req, Respond respond);
void list_connectors(ApiState& s, Request& req, Respond respond);
void pile_telemetry(ApiState& s, Request& req, Respond respond);
// records (record_handlers.cpp)
void list_transactions(ApiState& s, Request& req, Respond respond);
void list_id_tags(ApiState& s, Request& req, Respond respond);
void create_id_tag(ApiState& s, Request& req, Respond respond);
// remote configuration (config_handlers.cpp)
void list_parameters(ApiState& s, Request& req, Respond respond);
void create_config_job(ApiState& s, Request& req, Respond respond);
void list_config_jobs(ApiState& s, Request& req, Respond respond);
void get_config_job(ApiState& s, Request& req, Respond respond);
void retry_config_job(ApiState& s, Request& req, Respond respond);
void get_pile_config(ApiState& s, Request& req, Respond respond);
void get_fleet_policy(ApiState& s, Request& req, Respond respond);
void put_fleet_policy(ApiState& s, Request& req, Respond respond);
void get_pile_policy(ApiState& s, Request& req, Respond respond);
void put_pile_policy(ApiState& s, Request& req, Respond respond);
void delete_pile_policy(ApiState& s, Request& req, Respond respond);
// remote control (command_handlers.cpp)
void create_command(ApiState& s, Request& req, Respond respond);
void get_command(ApiState& s, Request& req, Respond respond);
void list_pile_commands(ApiState& s, Request& req, Respond respond);

}  // namespace cp::api::detail
