#pragma once
// The API's handlers and the route table that binds them (private to src/api). Each handler
// completes through `Respond` exactly once; writes respond from the store's `done`.
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "api/detail/event_tickets.h"
#include "api/detail/router.h"
#include "api/server.h"

namespace cp::api::detail {

struct ApiState {
  explicit ApiState(ApiContext c)
      : ctx(c), tickets(c.clock, c.options.events.ticket_ttl, c.options.events.max_tickets) {}
  ApiContext ctx;
  EventTickets tickets;  // for GET /api/v1/events?ticket=
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
void get_me(ApiState& s, Request& req, Respond respond);
void create_token(ApiState& s, Request& req, Respond respond);
void list_tokens(ApiState& s, Request& req, Respond respond);
void delete_token(ApiState& s, Request& req, Respond respond);
void healthz(ApiState& s, Request& req, Respond respond);
void metrics(ApiState& s, Request& req, Respond respond);
// The problem for an ApiAuth error (user_exists -> 409, ...; unknown codes are store errors).
Response account_problem(const Error& e);
// users (users_handlers.cpp)
void list_users(ApiState& s, Request& req, Respond respond);
void create_user(ApiState& s, Request& req, Respond respond);
void get_user(ApiState& s, Request& req, Respond respond);
void patch_user(ApiState& s, Request& req, Respond respond);
void delete_user(ApiState& s, Request& req, Respond respond);
// audit log (audit_handlers.cpp)
void list_audit(ApiState& s, Request& req, Respond respond);
// The audit entry of a change made by this request's principal: put it in the same store batch
// as the change (store::InsertAudit). `detail` is a JSON object; never put secrets in it.
store::AuditRecord audit_record(const ApiState& s, const Request& req, std::string action, std::string target,
                                boost::json::object detail = {});
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
// The job that brings a pile being registered to its effective acquisition policy (delivered
// when it first connects), or nothing when no policy is set. Without it a pile registered after
// a policy change would never be told the intervals the rest of the fleet runs on.
std::optional<services::NewConfigJob> policy_job_for_new_pile(ApiState& s, const Request& req,
                                                             const store::PileRecord& pile);
// live events (event_handlers.cpp)
void issue_event_ticket(ApiState& s, Request& req, Respond respond);
void event_stream(ApiState& s, Request& req, Respond respond);
// remote control (command_handlers.cpp)
void create_command(ApiState& s, Request& req, Respond respond);
void get_command(ApiState& s, Request& req, Respond respond);
void list_pile_commands(ApiState& s, Request& req, Respond respond);

}  // namespace cp::api::detail
