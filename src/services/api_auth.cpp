// ApiAuth (services/auth.h), the session half: load, login, authenticate, logout, and the
// shared helpers. Users and API tokens: accounts.cpp. A bearer token is 32 random bytes
// (base64url) handed out once; the store and the in-memory map hold only its SHA-256, so
// neither a database copy nor a memory dump yields a usable token.
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include <future>

#include "core/base64.h"
#include "services/auth.h"
#include "services/detail/api_auth_state.h"
#include "services/detail/encoding.h"

namespace cp::services {
namespace {

// Session rows are kept this long after they end (for investigations), then purged.
constexpr auto kSessionRowRetention = std::chrono::hours(24);
constexpr auto kPurgeEvery = std::chrono::hours(1);
// No real token is this long; refuse before hashing arbitrary attacker input.
constexpr std::size_t kMaxTokenLength = 256;

std::string digest_of(std::string_view secret) {
  const auto d = detail::sha256(secret);
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

}  // namespace

const char* to_string(TokenKind k) { return k == TokenKind::Api ? "api" : "session"; }

// ---- Impl helpers ----

void ApiAuth::Impl::burn_time_like_a_verification(std::string_view password) {
  std::call_once(dummy_once, [&] { dummy_hash = hash_password(random_secret(), iterations); });
  (void)verify_password(password, dummy_hash);
}

ApiAuth::Impl::Minted ApiAuth::Impl::mint() {
  Minted m;
  m.secret = base64_encode(detail::random_bytes(32), Base64Alphabet::Url, Base64Padding::Unpadded);
  m.digest = digest_of(m.secret);
  m.id = "tok_" + random_secret(9);
  return m;
}

store::TokenRecord ApiAuth::Impl::record_of(const Token& t, const std::string& digest) {
  store::TokenRecord r;
  r.id = t.id;
  r.kind = to_string(t.kind);
  r.name = t.name;
  r.owner = t.owner;
  r.role = to_string(t.role);
  r.digest = digest;
  r.created = t.created;
  r.expires = t.expires;
  r.last_used = t.last_used;
  return r;
}

void ApiAuth::Impl::add_token_locked(const std::string& digest, Token t) {
  digests[t.id] = digest;
  tokens[digest] = std::move(t);
}

std::optional<ApiAuth::Impl::Token> ApiAuth::Impl::remove_token_locked(const std::string& id) {
  auto d = digests.find(id);
  if (d == digests.end()) return std::nullopt;
  auto it = tokens.find(d->second);
  digests.erase(d);
  if (it == tokens.end()) return std::nullopt;
  auto t = std::move(it->second);
  tokens.erase(it);
  return t;
}

void ApiAuth::Impl::remove_tokens_of_locked(const std::string& owner, std::optional<TokenKind> kind) {
  std::erase_if(tokens, [&](const auto& kv) {
    const Token& t = kv.second;
    if (t.owner != owner || (kind && t.kind != *kind)) return false;
    digests.erase(t.id);
    return true;
  });
}

int ApiAuth::Impl::committed_admins_locked() const {
  int n = 0;
  for (const auto& [name, u] : users) n += u.committed && u.role == Role::Admin;
  return n;
}

store::AuditRecord ApiAuth::Impl::audit(const Principal& actor, std::string action, std::string target,
                                        std::initializer_list<std::pair<std::string_view, std::string_view>> detail) const {
  boost::json::object o;
  for (const auto& [k, v] : detail) o[k] = v;
  if (actor.token_kind == TokenKind::Api && !actor.token_id.empty()) o["token"] = actor.token_id;
  return store::AuditRecord{0, clock.now(), actor.username, std::move(action), std::move(target),
                            boost::json::serialize(o)};
}

// ---- ApiAuth ----

ApiAuth::ApiAuth(store::Store& store, const Clock& clock, std::chrono::seconds token_ttl, int password_iterations,
                 LoginThrottleOptions throttle)
    : impl_(std::make_unique<Impl>(store, clock, token_ttl, password_iterations, throttle)) {}
ApiAuth::~ApiAuth() = default;

Status ApiAuth::load() {
  auto& m = *impl_;
  const auto now = m.clock.now();
  auto users = m.store.users();
  if (!users) return fail(users.error());
  auto tokens = m.store.live_tokens(now);
  if (!tokens) return fail(tokens.error());
  std::lock_guard lock(m.mu);
  for (const auto& u : *users) {
    auto role = role_from_string(u.role);
    if (!role) continue;  // the schema's CHECK makes this unreachable; never guess a role
    m.users[u.username] = Impl::User{*role, u.created, true};
  }
  for (const auto& r : *tokens) {
    auto role = role_from_string(r.role);
    if (!role || r.digest.size() != 32) continue;
    Impl::Token t{r.id, r.kind == "api" ? TokenKind::Api : TokenKind::Session, r.name, r.owner, *role,
                  r.created, r.expires, r.last_used, r.last_used.value_or(r.created)};
    m.add_token_locked(r.digest, std::move(t));
  }
  m.last_purge = now;
  m.store.submit({store::PurgeSessions{now - kSessionRowRetention}}, [](const Status& s) {
    if (!s) spdlog::warn("auth.purge_failed error=\"{}\"", s.error().message);
  });
  spdlog::info("auth.loaded users={} tokens={}", users->size(), m.tokens.size());
  return {};
}

Status ApiAuth::ensure_user(const std::string& username, std::string_view password, Role role) {
  auto& m = *impl_;
  auto existing = m.store.user(username);
  if (!existing) return fail(existing.error());
  if (existing->has_value()) {
    if (auto r = role_from_string((*existing)->role)) {
      std::lock_guard lock(m.mu);
      m.users.try_emplace(username, Impl::User{*r, (*existing)->created, true});
    }
    return {};
  }
  store::UserRecord user{username, hash_password(password, m.iterations), to_string(role), m.clock.now()};
  const auto entry = m.audit(Principal{"system", Role::Admin, "", TokenKind::Session}, "user.create", username,
                             {{"role", to_string(role)}});
  std::promise<Status> durable;
  auto result = durable.get_future();
  m.store.submit({store::UpsertUser{user}, store::InsertAudit{entry}},
                 [&durable](const Status& s) { durable.set_value(s); });
  auto status = result.get();
  if (!status.ok()) return status;
  {
    std::lock_guard lock(m.mu);
    m.users[username] = Impl::User{role, user.created, true};
  }
  spdlog::info("user_created username={} role={}", username, to_string(role));
  return status;
}

void ApiAuth::login(const std::string& username, std::string_view password, const std::string& remote_address,
                    LoginDone done) {
  auto& m = *impl_;
  const auto now = m.clock.now();
  {
    std::lock_guard lock(m.mu);
    if (auto wait = m.throttle.wait_before(username, remote_address, now)) {
      spdlog::info("login_throttled username={} remote={} retry_after_s={}", username, remote_address, wait->count());
      return done(fail(LoginError{{"too_many_attempts", "too many failed logins; try again later"}, *wait}));
    }
  }
  auto user = m.store.user(username);
  if (!user) return done(fail(LoginError{user.error(), {}}));
  const auto role = user->has_value() ? role_from_string((*user)->role) : std::nullopt;
  bool ok = false;
  if (user->has_value()) ok = verify_password(password, (*user)->password_hash) && role;
  else m.burn_time_like_a_verification(password);
  if (!ok) {
    {
      std::lock_guard lock(m.mu);
      m.throttle.failed(username, remote_address, m.clock.now());
    }
    spdlog::info("login_failed username={} remote={}", username, remote_address);
    return done(fail(LoginError{{"invalid_credentials", "unknown user or wrong password"}, {}}));
  }

  auto minted = Impl::mint();
  Impl::Token t{minted.id, TokenKind::Session, "", username, *role, now, now + m.ttl, std::nullopt, now};
  const Principal who{username, *role, minted.id, TokenKind::Session};
  store::WriteBatch batch{store::InsertToken{Impl::record_of(t, minted.digest)},
                          store::InsertAudit{m.audit(who, "auth.login", username, {{"remote", remote_address}})}};
  {
    std::lock_guard lock(m.mu);
    if (now - m.last_purge >= kPurgeEvery) {
      m.last_purge = now;
      batch.push_back(store::PurgeSessions{now - kSessionRowRetention});
      std::erase_if(m.tokens, [&](const auto& kv) {
        if (!kv.second.expires || *kv.second.expires > now) return false;
        m.digests.erase(kv.second.id);
        return true;
      });
    }
  }
  m.store.submit(std::move(batch), [&m, t = std::move(t), minted = std::move(minted), who,
                                    done = std::move(done)](const Status& s) mutable {
    if (!s) return done(fail(LoginError{s.error(), {}}));
    IssuedToken issued{std::move(minted.secret), t.id, "", t.created, t.expires, who};
    {
      std::lock_guard lock(m.mu);
      m.throttle.succeeded(t.owner);
      m.add_token_locked(minted.digest, std::move(t));
    }
    spdlog::info("login username={} role={} token={}", who.username, to_string(who.role), who.token_id);
    done(std::move(issued));
  });
}

Result<IssuedToken> ApiAuth::issue_token(const std::string& username, std::string_view password) {
  std::promise<Result<IssuedToken, LoginError>> p;
  auto f = p.get_future();
  login(username, password, "", [&p](Result<IssuedToken, LoginError> r) { p.set_value(std::move(r)); });
  auto r = f.get();
  if (!r) return fail(r.error().error);
  return std::move(*r);
}

Result<std::string> ApiAuth::login(const std::string& username, std::string_view password) {
  auto issued = issue_token(username, password);
  if (!issued) return fail(issued.error());
  return std::move(issued->token);
}

std::optional<Principal> ApiAuth::authenticate(std::string_view bearer_token) const {
  if (bearer_token.empty() || bearer_token.size() > kMaxTokenLength) return std::nullopt;
  // The map is keyed by SHA-256(secret): a lookup's timing can only reveal bits of a digest,
  // which does not help find a secret (that would need a preimage).
  const auto key = digest_of(bearer_token);
  auto& m = *impl_;
  const auto now = m.clock.now();
  std::optional<Principal> who;
  std::optional<store::TouchToken> touch;
  {
    std::lock_guard lock(m.mu);
    auto it = m.tokens.find(key);
    if (it == m.tokens.end()) return std::nullopt;
    auto& t = it->second;
    if (t.expires && *t.expires <= now) {
      m.digests.erase(t.id);
      m.tokens.erase(it);
      return std::nullopt;
    }
    auto owner = m.users.find(t.owner);
    if (owner == m.users.end() || !owner->second.committed) return std::nullopt;
    const Role role = t.kind == TokenKind::Session ? owner->second.role : std::min(t.role, owner->second.role);
    who = Principal{t.owner, role, t.id, t.kind};
    t.last_used = now;
    if (now - t.touched >= kTokenTouchInterval) {
      t.touched = now;
      touch = store::TouchToken{t.id, now};
    }
  }
  if (touch)
    m.store.submit({*touch}, [](const Status& s) {
      if (!s) spdlog::debug("auth.touch_failed error=\"{}\"", s.error().message);
    });
  return who;
}

void ApiAuth::logout(const Principal& who, StatusDone done) {
  auto& m = *impl_;
  {
    std::lock_guard lock(m.mu);
    m.remove_token_locked(who.token_id);  // dead at once, even if the write below fails
  }
  m.store.submit({store::RevokeToken{who.token_id, m.clock.now()},
                  store::InsertAudit{m.audit(who, "auth.logout", who.username)}},
                 std::move(done));
}

void ApiAuth::logout(std::string_view bearer_token) {
  auto who = authenticate(bearer_token);
  if (!who) return;
  std::promise<void> p;
  logout(*who, [&p](const Status&) { p.set_value(); });
  p.get_future().wait();
}

}  // namespace cp::services
