#pragma once
// ApiAuth's shared state (services/auth.h), split out so sessions (api_auth.cpp) and accounts
// (accounts.cpp) can both reach it. Private to services/. Every member below `mu` is guarded
// by it; nothing does I/O or PBKDF2 while holding it.
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

#include "services/auth.h"
#include "services/detail/login_throttle.h"

namespace cp::services {

struct ApiAuth::Impl {
  Impl(store::Store& s, const Clock& c, std::chrono::seconds t, int i, LoginThrottleOptions o)
      : store(s), clock(c), ttl(t), iterations(i), throttle(o) {}

  store::Store& store;
  const Clock& clock;
  const std::chrono::seconds ttl;
  const int iterations;
  std::once_flag dummy_once;
  std::string dummy_hash;  // verified against for unknown users: same cost, no user enumeration

  struct User {
    Role role = Role::Viewer;
    Timestamp created;
    bool committed = false;  // false while its creation is in flight: reserved, not usable
  };
  struct Token {
    std::string id;
    TokenKind kind = TokenKind::Session;
    std::string name, owner;
    Role role = Role::Viewer;  // upper bound; the owner's current role may be lower
    Timestamp created;
    std::optional<Timestamp> expires, last_used;
    Timestamp touched;  // when last_used was last written (coarse writes)
  };

  mutable std::mutex mu;
  std::map<std::string, User> users;                     // username -> user (ordered for lists)
  std::unordered_map<std::string, Token> tokens;         // SHA-256(secret) -> live token
  std::unordered_map<std::string, std::string> digests;  // token id -> SHA-256(secret)
  detail::LoginThrottle throttle;
  Timestamp last_purge;

  void burn_time_like_a_verification(std::string_view password);

  // A fresh secret, its digest (the map key) and a public id.
  struct Minted {
    std::string secret, digest, id;
  };
  static Minted mint();
  static store::TokenRecord record_of(const Token& t, const std::string& digest);

  // ---- with `mu` held ----
  void add_token_locked(const std::string& digest, Token t);
  std::optional<Token> remove_token_locked(const std::string& id);
  void remove_tokens_of_locked(const std::string& owner, std::optional<TokenKind> kind);
  int committed_admins_locked() const;

  // An audit entry for `action` on `target` by `actor`; `detail` pairs become a JSON object
  // (plus "token" when the actor used an API token).
  store::AuditRecord audit(const Principal& actor, std::string action, std::string target,
                           std::initializer_list<std::pair<std::string_view, std::string_view>> detail = {}) const;
};

}  // namespace cp::services
