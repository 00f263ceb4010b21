// ApiAuth (services/auth.h): users live in the store with PBKDF2 hashes; bearer tokens are
// 32 random bytes (base64url) handed out once and kept in memory only as SHA-256 -> session,
// so a memory dump does not yield usable tokens. Tokens do not survive a restart.
#include <future>
#include <spdlog/spdlog.h>

#include "services/auth.h"
#include "core/base64.h"
#include "services/detail/encoding.h"

namespace cp::services {
namespace {
std::string token_key(std::string_view token) {
  const auto d = detail::sha256(token);
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}
}  // namespace

struct ApiAuth::Impl {
  store::Store& store;
  const Clock& clock;
  std::chrono::seconds ttl;
  int iterations;
  std::once_flag dummy_once;
  std::string dummy_hash;  // verified against for unknown users: same cost, no user enumeration
  mutable std::mutex mu;
  struct Session {
    Principal principal;
    Timestamp expires_at;
  };
  std::unordered_map<std::string, Session> sessions;  // SHA-256(token) -> session

  Impl(store::Store& s, const Clock& c, std::chrono::seconds t, int i) : store(s), clock(c), ttl(t), iterations(i) {}

  void burn_time_like_a_verification(std::string_view password) {
    std::call_once(dummy_once, [&] { dummy_hash = hash_password(random_secret(), iterations); });
    (void)verify_password(password, dummy_hash);
  }

  void purge_expired_locked(Timestamp now) {
    std::erase_if(sessions, [&](const auto& kv) { return kv.second.expires_at <= now; });
  }
};

ApiAuth::ApiAuth(store::Store& store, const Clock& clock, std::chrono::seconds token_ttl, int password_iterations)
    : impl_(std::make_unique<Impl>(store, clock, token_ttl, password_iterations)) {}
ApiAuth::~ApiAuth() = default;

Status ApiAuth::ensure_user(const std::string& username, std::string_view password, Role role) {
  auto existing = impl_->store.user(username);
  if (!existing) return fail(existing.error());
  if (existing->has_value()) return {};
  store::UserRecord user{username, hash_password(password, impl_->iterations), to_string(role), impl_->clock.now()};
  std::promise<Status> durable;
  auto result = durable.get_future();
  impl_->store.submit({store::UpsertUser{std::move(user)}},
                      [&durable](const Status& s) { durable.set_value(s); });
  auto status = result.get();
  if (status.ok()) spdlog::info("user_created username={} role={}", username, to_string(role));
  return status;
}

Result<IssuedToken> ApiAuth::issue_token(const std::string& username, std::string_view password) {
  auto& m = *impl_;
  auto user = m.store.user(username);
  if (!user) return fail(user.error());
  const auto role = user->has_value() ? role_from_string((*user)->role) : std::nullopt;
  if (!user->has_value()) {
    m.burn_time_like_a_verification(password);
    return fail("invalid_credentials", "unknown user or wrong password");
  }
  if (!verify_password(password, (*user)->password_hash) || !role) {
    spdlog::info("login_failed username={}", username);
    return fail("invalid_credentials", "unknown user or wrong password");
  }
  IssuedToken issued;
  issued.token = base64_encode(detail::random_bytes(32), Base64Alphabet::Url, Base64Padding::Unpadded);
  const auto now = m.clock.now();
  issued.expires_at = now + std::chrono::duration_cast<std::chrono::milliseconds>(m.ttl);
  issued.principal = Principal{username, *role};
  std::lock_guard lock(m.mu);
  m.purge_expired_locked(now);
  m.sessions[token_key(issued.token)] = Impl::Session{issued.principal, issued.expires_at};
  spdlog::info("login username={} role={}", username, to_string(*role));
  return issued;
}

Result<std::string> ApiAuth::login(const std::string& username, std::string_view password) {
  auto issued = issue_token(username, password);
  if (!issued) return fail(issued.error());
  return std::move(issued->token);
}

std::optional<Principal> ApiAuth::authenticate(std::string_view bearer_token) const {
  if (bearer_token.empty()) return std::nullopt;
  const auto key = token_key(bearer_token);
  const auto now = impl_->clock.now();
  std::lock_guard lock(impl_->mu);
  auto it = impl_->sessions.find(key);
  if (it == impl_->sessions.end()) return std::nullopt;
  if (it->second.expires_at <= now) {
    impl_->sessions.erase(it);
    return std::nullopt;
  }
  return it->second.principal;
}

void ApiAuth::logout(std::string_view bearer_token) {
  const auto key = token_key(bearer_token);
  std::lock_guard lock(impl_->mu);
  impl_->sessions.erase(key);
}

}  // namespace cp::services
