// Login/logout, health and metrics.
#include "api/detail/handlers.h"
#include "api/detail/representation.h"

namespace cp::api::detail {
namespace json = boost::json;

void login(ApiState& s, Request& req, Respond respond) {
  auto body = parse_object(req.body);
  if (!body) return respond(problem(400, body.error().code, body.error().message));
  auto username = string_field(*body, "username");
  auto password = string_field(*body, "password");
  if (!username || !password || !*username || !*password)
    return respond(problem(400, "invalid_field", "'username' and 'password' must be strings"));
  auto issued = s.ctx.auth.issue_token(**username, **password);
  if (!issued) {
    if (issued.error().code == "invalid_credentials")
      return respond(problem(401, "invalid_credentials", "unknown user or wrong password"));
    return respond(store_problem(issued.error()));
  }
  respond(json_response(200, json::object{{"token", issued->token},
                                          {"expires_at", format_rfc3339(issued->expires_at)},
                                          {"username", issued->principal.username},
                                          {"role", services::to_string(issued->principal.role)}}));
}

void logout(ApiState& s, Request& req, Respond respond) {
  // The router authenticated this token; the header is "Bearer <token>".
  std::string_view h = req.authorization;
  const auto space = h.find(' ');
  if (space != std::string_view::npos) {
    auto token = h.substr(space + 1);
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
    s.ctx.auth.logout(token);
  }
  respond(no_content());
}

void healthz(ApiState&, Request&, Respond respond) {
  respond(json_response(200, json::object{{"status", "ok"}}));
}

void metrics(ApiState& s, Request&, Respond respond) {
  respond(Response{200, "text/plain; version=0.0.4; charset=utf-8", s.ctx.metrics.render_prometheus(), {}});
}

}  // namespace cp::api::detail
