#pragma once
// The API's transport-neutral request/response (private to src/api). The Beast session turns
// wire messages into these and back, so routing and handlers never see Beast.
#include <boost/json/value.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "services/auth.h"

namespace cp::api::detail {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // percent-encoded as received, without the query
  std::map<std::string, std::string> query;   // decoded; a repeated key keeps the last value
  std::map<std::string, std::string> params;  // decoded {placeholders} of the matched route
  std::string authorization;
  std::string idempotency_key;  // the Idempotency-Key header, "" when absent
  std::string accept_encoding;  // the Accept-Encoding header (static files may be sent gzipped)
  std::optional<std::string> last_event_id;  // the Last-Event-ID header (live events), if sent
  std::string body;
  std::string remote_address;  // the client's IP address (login throttling, audit); no port
  std::optional<services::Principal> principal;  // set by the router for authenticated routes
};

struct EventSubscription;  // sse.h

struct Response {
  unsigned status = 200;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // Set by the live-events route: instead of writing this response, the session hands its
  // connection over to an event stream for this subscription (sse_stream.h).
  std::shared_ptr<const EventSubscription> event_stream = nullptr;
};

// Completes a request exactly once, from any thread.
using Respond = std::function<void(Response)>;

Response json_response(unsigned status, const boost::json::value& body);
Response no_content();
// RFC 9457 problem details: {type, title, status, detail, code}.
Response problem(unsigned status, const std::string& code, const std::string& detail);
// A store failure: "store_closed" -> 503, anything else 500 (the detail stays generic).
Response store_problem(const Error& e);

std::string percent_decode(std::string_view s, bool plus_is_space);
std::map<std::string, std::string> parse_query(std::string_view query);

}  // namespace cp::api::detail
