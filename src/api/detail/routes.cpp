// The route table (docs/api.md documents every entry, with its role). Reads need viewer;
// operations on piles (config jobs, commands) need operator; users, piles, id tags and
// policies need admin. Every non-GET route above viewer is checked by
// tests/unit/api/roles_test.cpp: a viewer must get 403. Password hashing runs on the workers.
#include "api/detail/handlers.h"

namespace cp::api::detail {

bool ApiState::reserve(const std::string& key) {
  std::lock_guard lock(mu);
  return creating.insert(key).second;
}

void ApiState::release(const std::string& key) {
  std::lock_guard lock(mu);
  creating.erase(key);
}

std::vector<Route> make_routes(const std::shared_ptr<ApiState>& state) {
  using services::Role;
  using Fn = void (*)(ApiState&, Request&, Respond);
  // The state and the router both belong to the server's shared state, so the state
  // outlives every handler call and a plain pointer is enough.
  auto bind = [raw = state.get()](Fn fn) {
    return [raw, fn](Request& req, Respond respond) { fn(*raw, req, std::move(respond)); };
  };
  return {
      {"GET", "/healthz", kPublic, Exec::Inline, bind(healthz)},
      {"GET", "/metrics", kPublic, Exec::Inline, bind(metrics)},
      {"POST", "/api/v1/auth/login", kPublic, Exec::Worker, bind(login)},
      {"POST", "/api/v1/auth/logout", Role::Viewer, Exec::Inline, bind(logout)},
      {"GET", "/api/v1/me", Role::Viewer, Exec::Inline, bind(get_me)},
      {"GET", "/api/v1/users", Role::Admin, Exec::Inline, bind(list_users)},
      {"POST", "/api/v1/users", Role::Admin, Exec::Worker, bind(create_user)},
      {"GET", "/api/v1/users/{username}", Role::Admin, Exec::Inline, bind(get_user)},
      {"PATCH", "/api/v1/users/{username}", Role::Admin, Exec::Worker, bind(patch_user)},
      {"DELETE", "/api/v1/users/{username}", Role::Admin, Exec::Inline, bind(delete_user)},
      {"GET", "/api/v1/tokens", Role::Viewer, Exec::Inline, bind(list_tokens)},
      {"POST", "/api/v1/tokens", Role::Operator, Exec::Inline, bind(create_token)},
      {"DELETE", "/api/v1/tokens/{id}", Role::Viewer, Exec::Inline, bind(delete_token)},
      {"GET", "/api/v1/audit", Role::Admin, Exec::Inline, bind(list_audit)},
      {"GET", "/api/v1/piles", Role::Viewer, Exec::Inline, bind(list_piles)},
      {"POST", "/api/v1/piles", Role::Admin, Exec::Worker, bind(create_pile)},
      {"GET", "/api/v1/piles/{id}", Role::Viewer, Exec::Inline, bind(get_pile)},
      {"PATCH", "/api/v1/piles/{id}", Role::Admin, Exec::Worker, bind(patch_pile)},
      {"DELETE", "/api/v1/piles/{id}", Role::Admin, Exec::Inline, bind(delete_pile)},
      {"GET", "/api/v1/piles/{id}/connectors", Role::Viewer, Exec::Inline, bind(list_connectors)},
      {"GET", "/api/v1/piles/{id}/telemetry", Role::Viewer, Exec::Inline, bind(pile_telemetry)},
      {"GET", "/api/v1/transactions", Role::Viewer, Exec::Inline, bind(list_transactions)},
      {"GET", "/api/v1/id-tags", Role::Viewer, Exec::Inline, bind(list_id_tags)},
      {"POST", "/api/v1/id-tags", Role::Admin, Exec::Inline, bind(create_id_tag)},
      // remote configuration: operators run jobs, admins set policies
      {"GET", "/api/v1/parameters", Role::Viewer, Exec::Inline, bind(list_parameters)},
      {"POST", "/api/v1/config-jobs", Role::Operator, Exec::Worker, bind(create_config_job)},
      {"GET", "/api/v1/config-jobs", Role::Viewer, Exec::Inline, bind(list_config_jobs)},
      {"GET", "/api/v1/config-jobs/{id}", Role::Viewer, Exec::Worker, bind(get_config_job)},
      {"POST", "/api/v1/config-jobs/{id}/retry", Role::Operator, Exec::Worker, bind(retry_config_job)},
      {"GET", "/api/v1/piles/{id}/config", Role::Viewer, Exec::Inline, bind(get_pile_config)},
      {"GET", "/api/v1/acquisition-policy", Role::Viewer, Exec::Inline, bind(get_fleet_policy)},
      {"PUT", "/api/v1/acquisition-policy", Role::Admin, Exec::Worker, bind(put_fleet_policy)},
      {"GET", "/api/v1/piles/{id}/acquisition-policy", Role::Viewer, Exec::Inline, bind(get_pile_policy)},
      {"PUT", "/api/v1/piles/{id}/acquisition-policy", Role::Admin, Exec::Inline, bind(put_pile_policy)},
      {"DELETE", "/api/v1/piles/{id}/acquisition-policy", Role::Admin, Exec::Inline, bind(delete_pile_policy)},
      {"POST", "/api/v1/events/ticket", Role::Viewer, Exec::Inline, bind(issue_event_ticket)},
      {"GET", "/api/v1/events", Role::Viewer, Exec::Inline, bind(event_stream), Credentials::BearerOrTicket},
      {"POST", "/api/v1/piles/{id}/commands", Role::Operator, Exec::Inline, bind(create_command)},
      {"GET", "/api/v1/piles/{id}/commands", Role::Viewer, Exec::Inline, bind(list_pile_commands)},
      {"GET", "/api/v1/commands/{id}", Role::Viewer, Exec::Inline, bind(get_command)},
  };
}

}  // namespace cp::api::detail
