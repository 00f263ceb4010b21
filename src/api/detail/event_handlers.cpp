// Live events: the ticket a browser trades its bearer token for, and the stream route, which
// validates the request and answers with an EventSubscription (the session then hands its
// connection to EventStreams, sse_stream.h). docs/api.md "Live events".
#include <boost/json/object.hpp>

#include "api/detail/handlers.h"
#include "api/detail/sse.h"

namespace cp::api::detail {

void issue_event_ticket(ApiState& s, Request& req, Respond respond) {
  auto ticket = s.tickets.issue(*req.principal);
  if (!ticket) return respond(problem(429, "too_many_tickets", ticket.error().message));
  respond(json_response(200, boost::json::object{{"ticket", ticket->ticket},
                                                  {"expires_at", format_rfc3339(ticket->expires_at)}}));
}

void event_stream(ApiState& s, Request& req, Respond respond) {
  if (!s.ctx.events) return respond(problem(503, "events_unavailable", "live events are not enabled on this server"));
  auto filter = EventFilter::parse(req.query);
  if (!filter) return respond(problem(400, filter.error().code, filter.error().message));
  Response r;
  r.status = 200;
  r.content_type = "text/event-stream";
  std::optional<std::string> last_event_id = req.last_event_id;
  if (!last_event_id)
    if (auto it = req.query.find("last_event_id"); it != req.query.end()) last_event_id = it->second;
  r.event_stream = std::make_shared<const EventSubscription>(
      EventSubscription{std::move(*filter), *req.principal, std::move(last_event_id)});
  respond(std::move(r));
}

}  // namespace cp::api::detail
