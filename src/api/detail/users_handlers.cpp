// /api/v1/users (admin): create, list, read, change role or password, delete. The rules (last
// admin, not yourself, password length) and the audit entries are services::ApiAuth's.
#include "api/detail/handlers.h"
#include "api/detail/representation.h"

namespace cp::api::detail {
namespace json = boost::json;
namespace {

json::object user_json(const services::UserInfo& u) {
  return json::object{
      {"username", u.username}, {"role", services::to_string(u.role)}, {"created", format_rfc3339(u.created)}};
}

Response bad(const Error& e) { return problem(400, e.code, e.message); }

// The optional "role" member: absent -> nullopt; present -> a role or error invalid_role.
Result<std::optional<services::Role>> role_field(const json::object& o) {
  auto r = string_field(o, "role");
  if (!r) return fail("invalid_role", "'role' must be viewer, operator or admin");
  if (!*r) return std::optional<services::Role>{};
  auto role = services::role_from_string(**r);
  if (!role) return fail("invalid_role", "'role' must be viewer, operator or admin");
  return std::optional<services::Role>{*role};
}

}  // namespace

void list_users(ApiState& s, Request&, Respond respond) {
  json::array items;
  for (const auto& u : s.ctx.auth.users()) items.push_back(user_json(u));
  respond(json_response(200, json::object{{"items", std::move(items)}}));
}

void get_user(ApiState& s, Request& req, Respond respond) {
  const auto& name = req.params["username"];
  auto u = s.ctx.auth.user(name);
  if (!u) return respond(problem(404, "user_not_found", "no user '" + name + "'"));
  respond(json_response(200, user_json(*u)));
}

void create_user(ApiState& s, Request& req, Respond respond) {
  auto body = parse_object(req.body);
  if (!body) return respond(bad(body.error()));
  auto username = string_field(*body, "username");
  auto password = string_field(*body, "password");
  auto role = role_field(*body);
  if (!username || !*username)
    return respond(problem(400, "invalid_username", "'username' must be a string"));
  if (!password || !*password) return respond(problem(400, "invalid_password", "'password' must be a string"));
  if (!role) return respond(bad(role.error()));
  if (!*role) return respond(problem(400, "invalid_role", "'role' is required: viewer, operator or admin"));
  s.ctx.auth.create_user(*req.principal, **username, **password, **role,
                         [respond = std::move(respond)](Result<services::UserInfo> u) {
                           if (!u) return respond(account_problem(u.error()));
                           auto r = json_response(201, user_json(*u));
                           r.headers.emplace_back("Location", "/api/v1/users/" + u->username);
                           respond(std::move(r));
                         });
}

void patch_user(ApiState& s, Request& req, Respond respond) {
  auto body = parse_object(req.body);
  if (!body) return respond(bad(body.error()));
  auto password = string_field(*body, "password");
  auto role = role_field(*body);
  if (!password) return respond(bad(password.error()));
  if (!role) return respond(bad(role.error()));
  if (!*password && !*role)
    return respond(problem(400, "invalid_body", "nothing to change: give 'role' and/or 'password'"));
  s.ctx.auth.update_user(*req.principal, req.params["username"], *role, *password,
                         [respond = std::move(respond)](Result<services::UserInfo> u) {
                           if (!u) return respond(account_problem(u.error()));
                           respond(json_response(200, user_json(*u)));
                         });
}

void delete_user(ApiState& s, Request& req, Respond respond) {
  s.ctx.auth.delete_user(*req.principal, req.params["username"], [respond = std::move(respond)](const Status& st) {
    respond(st ? no_content() : account_problem(st.error()));
  });
}

}  // namespace cp::api::detail
