#include "api/detail/router.h"

#include <cctype>
#include <chrono>
#include <memory>

namespace cp::api::detail {
namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  if (path.empty() || path.front() != '/') return out;
  std::size_t start = 1;
  for (;;) {
    const auto pos = path.find('/', start);
    out.emplace_back(path.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) return out;
    start = pos + 1;
  }
}

bool is_param(const std::string& seg) { return seg.size() > 2 && seg.front() == '{' && seg.back() == '}'; }

std::string bearer_token(std::string_view header) {
  constexpr std::string_view kScheme = "bearer ";
  if (header.size() <= kScheme.size()) return {};
  for (std::size_t i = 0; i < kScheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) return {};
  auto token = header.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  return std::string(token);
}

const char* status_class(unsigned status) {
  if (status < 300) return "2xx";
  if (status < 400) return "3xx";
  if (status < 500) return "4xx";
  return "5xx";
}

}  // namespace

Router::Router(std::vector<Route> routes, const services::ApiAuth& auth, Metrics& metrics, Offload offload,
               TicketCheck tickets)
    : auth_(auth), metrics_(metrics), offload_(std::move(offload)), tickets_(std::move(tickets)) {
  for (auto& r : routes) {
    auto segments = split_path(r.pattern);
    routes_.push_back({std::move(r), std::move(segments)});
  }
}

std::optional<Router::Match> Router::match(const std::string& method, const std::string& path,
                                           std::string* allow) const {
  const auto segments = split_path(path);
  bool path_matched = false;
  for (const auto& c : routes_) {
    if (c.segments.size() != segments.size()) continue;
    Match m;
    bool ok = true;
    for (std::size_t i = 0; i < segments.size() && ok; ++i) {
      if (is_param(c.segments[i])) {
        if (segments[i].empty()) ok = false;
        else m.params[c.segments[i].substr(1, c.segments[i].size() - 2)] = percent_decode(segments[i], false);
      } else {
        ok = c.segments[i] == segments[i];
      }
    }
    if (!ok) continue;
    path_matched = true;
    if (c.route.method != method) {
      if (allow) *allow += (allow->empty() ? "" : ", ") + c.route.method;
      continue;
    }
    m.route = &c.route;
    return m;
  }
  if (allow && !path_matched) allow->clear();
  return std::nullopt;
}

void Router::dispatch(Request request, Respond respond) const {
  std::string allow;
  auto m = match(request.method, request.path, &allow);
  const bool to_fallback = !m && allow.empty() && fallback_ && request.method == "GET" &&
                           request.path.rfind("/api/", 0) != 0 && request.path != "/api";
  const std::string label = m ? m->route->method + " " + m->route->pattern : to_fallback ? "GET static" : "unmatched";
  // Every response is counted and timed per route; the wrapper keeps that in one place.
  Respond counted = [this, label, start = std::chrono::steady_clock::now(), respond = std::move(respond)](Response r) {
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    metrics_.counter("chargeplane_http_requests_total", "API requests by route and status class",
                     {{"route", label}, {"status", status_class(r.status)}}).inc();
    metrics_.histogram("chargeplane_http_request_duration_seconds", "API request latency by route",
                       {{"route", label}}).observe(took.count());
    respond(std::move(r));
  };
  if (to_fallback) return fallback_(request, std::move(counted));
  if (!m) {
    if (!allow.empty()) {
      auto r = problem(405, "method_not_allowed", request.method + " is not supported on " + request.path);
      r.headers.emplace_back("Allow", allow);
      return counted(std::move(r));
    }
    return counted(problem(404, "not_found", "no route for " + request.path));
  }
  const Route& route = *m->route;
  request.params = std::move(m->params);
  if (route.min_role) {
    auto principal = auth_.authenticate(bearer_token(request.authorization));
    if (!principal && route.credentials == Credentials::BearerOrTicket && tickets_) {
      if (auto t = request.query.find("ticket"); t != request.query.end()) principal = tickets_(t->second);
    }
    if (!principal) {
      auto r = problem(401, "unauthorized", route.credentials == Credentials::BearerOrTicket
                                                ? "a valid bearer token or event ticket is required"
                                                : "a valid bearer token is required");
      r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"chargeplane\"");
      return counted(std::move(r));
    }
    if (!services::role_allows(principal->role, *route.min_role))
      return counted(problem(403, "forbidden", std::string("this operation needs the ") +
                                                   services::to_string(*route.min_role) + " role"));
    request.principal = std::move(principal);
  }
  if (route.exec == Exec::Worker && offload_) {
    auto shared = std::make_shared<Request>(std::move(request));
    offload_([&route, shared, counted = std::move(counted)]() mutable { route.handler(*shared, std::move(counted)); });
    return;
  }
  route.handler(request, std::move(counted));
}

}  // namespace cp::api::detail
