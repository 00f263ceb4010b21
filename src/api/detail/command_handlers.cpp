// /api/v1/piles/{id}/commands and /api/v1/commands/{id}: remote control through
// services::Control. POST answers 202 only once the command is committed (Control's `accepted`
// runs after COMMIT); the pile's answer is read later with GET.
#include <boost/json/parse.hpp>
#include <spdlog/spdlog.h>

#include "api/detail/command_args.h"
#include "api/detail/handlers.h"
#include "api/detail/representation.h"
#include "services/control.h"

namespace cp::api::detail {
namespace json = boost::json;
namespace {

constexpr std::int64_t kMaxPage = 500;

Response no_control() {
  return problem(503, "control_unavailable", "remote control is not available on this server");
}

// Stored JSON text back to a value; text that is not JSON (never written by this server) is
// shown as a string rather than failing the read.
json::value stored_json(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  boost::system::error_code ec;
  auto v = json::parse(*text, ec);
  return ec ? json::value(*text) : v;
}

json::object command_json(const store::CommandRecord& c) {
  return {{"id", c.id},
          {"pile", c.pile},
          {"type", c.type},
          {"args", stored_json(c.args_json)},
          {"status", c.status},
          {"detail", c.detail},
          {"response", stored_json(c.response_json)},
          {"created_by", c.created_by},
          {"created", format_rfc3339(c.created)},
          {"updated", format_rfc3339(c.updated)}};
}

}  // namespace

void create_command(ApiState& s, Request& req, Respond respond) {
  if (!s.ctx.control) return respond(no_control());
  const auto pile = req.params["id"];
  if (!s.ctx.registry.exists(pile)) return respond(problem(404, "pile_not_found", "no pile '" + pile + "'"));
  auto parsed = parse_command_request(req.body, s.ctx.clock.now());
  if (!parsed) return respond(problem(parsed.error().status, parsed.error().code, parsed.error().detail));
  services::CommandRequest request{pile, std::move(parsed->command), std::move(parsed->args_json),
                                   req.principal ? req.principal->username : "", std::nullopt};
  request.audit = audit_record(s, req, "command.create", "", json::object{{"pile", pile}, {"type", domain::command_type(request.command)}});
  s.ctx.control->submit(std::move(request), [pile, respond = std::move(respond)](Result<std::string> id) {
    if (!id) {
      if (id.error().code == "pile_not_found") return respond(problem(404, "pile_not_found", id.error().message));
      if (id.error().code == "invalid_command_args")  // the pile's protocol cannot carry it
        return respond(problem(422, "invalid_command_args", id.error().message));
      return respond(store_problem(id.error()));
    }
    auto r = json_response(202, json::object{{"id", *id}});
    r.headers.emplace_back("Location", "/api/v1/commands/" + *id);
    respond(std::move(r));
  });
}

void get_command(ApiState& s, Request& req, Respond respond) {
  if (!s.ctx.control) return respond(no_control());
  const auto& id = req.params["id"];
  auto c = s.ctx.control->command(id);
  if (!c) return respond(store_problem(c.error()));
  if (!c->has_value()) return respond(problem(404, "command_not_found", "no command '" + id + "'"));
  respond(json_response(200, command_json(**c)));
}

void list_pile_commands(ApiState& s, Request& req, Respond respond) {
  if (!s.ctx.control) return respond(no_control());
  const auto& pile = req.params["id"];
  auto limit = query_int(req.query, "limit", 1, kMaxPage);
  if (!limit) return respond(problem(400, limit.error().code, limit.error().message));
  if (!s.ctx.registry.exists(pile)) return respond(problem(404, "pile_not_found", "no pile '" + pile + "'"));
  store::CommandQuery q;
  q.pile = pile;
  q.before = query_string(req.query, "before");
  const auto page = limit->value_or(50);
  q.limit = static_cast<int>(page) + 1;  // one more tells whether there is a next page
  auto rows = s.ctx.control->history(q);
  if (!rows) return respond(store_problem(rows.error()));
  respond(json_response(200, page_json(*rows, page, command_json)));
}

}  // namespace cp::api::detail
