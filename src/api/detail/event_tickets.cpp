#include "api/detail/event_tickets.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <stdexcept>

#include "core/base64.h"

namespace cp::api::detail {
namespace {

std::string digest(std::string_view ticket) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  if (EVP_Digest(ticket.data(), ticket.size(), md.data(), &len, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("SHA-256 failed");
  return std::string(reinterpret_cast<const char*>(md.data()), len);
}

std::string random_ticket() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) throw std::runtime_error("CSPRNG failed");
  return base64_encode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
                       Base64Alphabet::Url, Base64Padding::Unpadded);
}

}  // namespace

Result<EventTicket> EventTickets::issue(const services::Principal& principal) {
  const auto now = clock_.now();
  EventTicket t{random_ticket(), now + std::chrono::duration_cast<std::chrono::milliseconds>(ttl_)};
  std::lock_guard lock(mu_);
  if (tickets_.size() >= max_outstanding_)
    std::erase_if(tickets_, [&](const auto& kv) { return kv.second.expires_at <= now; });
  if (tickets_.size() >= max_outstanding_)
    return fail("too_many_tickets", "too many unused event tickets; try again within a minute");
  tickets_.emplace(digest(t.ticket), Entry{principal, t.expires_at});
  return t;
}

std::optional<services::Principal> EventTickets::redeem(std::string_view ticket) {
  if (ticket.empty()) return std::nullopt;
  const auto key = digest(ticket);
  const auto now = clock_.now();
  std::lock_guard lock(mu_);
  auto it = tickets_.find(key);
  if (it == tickets_.end()) return std::nullopt;
  auto entry = std::move(it->second);
  tickets_.erase(it);  // single use, also when it turns out to be expired
  if (entry.expires_at <= now) return std::nullopt;
  return std::move(entry.principal);
}

std::size_t EventTickets::outstanding() const {
  std::lock_guard lock(mu_);
  return tickets_.size();
}

}  // namespace cp::api::detail
