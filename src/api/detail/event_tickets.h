#pragma once
// EventTickets — short-lived, single-use credentials for `GET /api/v1/events?ticket=…`
// (private to src/api). A browser's EventSource cannot send an Authorization header, and a
// bearer token in a URL ends up in proxy and browser histories; a ticket is worth little
// there: it opens one stream, once, within its lifetime (60 s by default), as the principal
// that asked for it. Tickets are 32 random bytes (base64url) held only as their SHA-256
// digest; they are never logged. At most `max_outstanding` live tickets exist (expired ones
// are purged first), so issuing cannot grow memory without bound.
// Thread-safe.
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/result.h"
#include "core/time.h"
#include "services/auth.h"

namespace cp::api::detail {

struct EventTicket {
  std::string ticket;  // the secret, returned to the client once
  Timestamp expires_at;
};

class EventTickets {
 public:
  EventTickets(const Clock& clock, std::chrono::seconds ttl, std::size_t max_outstanding)
      : clock_(clock), ttl_(ttl), max_outstanding_(max_outstanding) {}

  // Errors: "too_many_tickets" when `max_outstanding` unexpired tickets exist.
  Result<EventTicket> issue(const services::Principal& principal);
  // The ticket's principal, consuming the ticket; nullopt when unknown, used or expired.
  std::optional<services::Principal> redeem(std::string_view ticket);
  std::size_t outstanding() const;

 private:
  struct Entry {
    services::Principal principal;
    Timestamp expires_at;
  };
  const Clock& clock_;
  const std::chrono::seconds ttl_;
  const std::size_t max_outstanding_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> tickets_;  // SHA-256(ticket) -> entry
};

}  // namespace cp::api::detail
