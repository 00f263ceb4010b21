#pragma once
// Router — the API's route table as data: method + path pattern ("/api/v1/piles/{id}") +
// who may call it + where it runs. Dispatch matches the path (404 when nothing matches, 405
// when only the method differs), authenticates the bearer token (401), checks the role (403),
// then runs the handler inline or on the worker pool. A GET outside /api/ that matches no route
// goes to the fallback (static files). Private to src/api; no Beast here.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "api/detail/http.h"
#include "core/metrics.h"
#include "services/auth.h"

namespace cp::api::detail {

using Handler = std::function<void(Request&, Respond)>;

// Where a handler runs: inline on the io thread (fast, non-blocking work and store reads), or
// on the worker pool (password hashing).
enum class Exec { Inline, Worker };

// Credentials an authenticated route accepts: the bearer token, or also a single-use event
// ticket in `?ticket=` (for EventSource, which cannot set headers; see event_tickets.h).
enum class Credentials { Bearer, BearerOrTicket };

struct Route {
  std::string method;
  std::string pattern;
  std::optional<services::Role> min_role;  // nullopt = public (no token needed)
  Exec exec = Exec::Inline;
  Handler handler;
  Credentials credentials = Credentials::Bearer;
};

inline constexpr std::optional<services::Role> kPublic = std::nullopt;

class Router {
 public:
  using Offload = std::function<void(std::function<void()>)>;
  // Redeems a ticket (consuming it): its principal, or nullopt.
  using TicketCheck = std::function<std::optional<services::Principal>(std::string_view)>;
  Router(std::vector<Route> routes, const services::ApiAuth& auth, Metrics& metrics, Offload offload,
         TicketCheck tickets = {});

  void dispatch(Request request, Respond respond) const;

  // Serves a GET that matches no route and is not under /api/ (the console's static files);
  // public, inline. Without one such requests get 404 not_found.
  void set_fallback(Handler fallback) { fallback_ = std::move(fallback); }

  // Matching alone, for tests: the route's pattern and decoded params, or nullopt.
  struct Match {
    const Route* route = nullptr;
    std::map<std::string, std::string> params;
  };
  std::optional<Match> match(const std::string& method, const std::string& path, std::string* allow = nullptr) const;

 private:
  struct Compiled {
    Route route;
    std::vector<std::string> segments;  // "{id}" marks a parameter
  };
  std::vector<Compiled> routes_;
  const services::ApiAuth& auth_;
  Metrics& metrics_;
  Offload offload_;
  TicketCheck tickets_;
  Handler fallback_;
};

}  // namespace cp::api::detail
