// ApiAuth (services/auth.h), the accounts half: users and API tokens. Each change is one store
// batch with its audit entry. The in-memory view changes first where that fails closed
// (deletion, revocation, demotion) and is restored if the batch fails; creations become
// usable only after COMMIT.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <tuple>

#include "services/auth.h"
#include "services/detail/api_auth_state.h"

namespace cp::services {
namespace {

constexpr std::size_t kMaxTokenName = 64;
constexpr auto kMaxTokenLifetime = std::chrono::days(3650);

Unexpected<Error> user_not_found(const std::string& username) {
  return fail("user_not_found", "no user '" + username + "'");
}

bool valid_token_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxTokenName) return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return c >= 0x20 && c <= 0x7E; });
}

}  // namespace

bool valid_username(std::string_view username) {
  if (username.empty() || username.size() > 64) return false;
  // Reserved: the audit log's actors for the server itself and the `user` subcommand.
  if (username == "system" || username == "cli") return false;
  return std::all_of(username.begin(), username.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '@' || c == '-';
  });
}

bool valid_user_password(std::string_view password) { return password.size() >= 12 && password.size() <= 1024; }

// ---- users ----

std::vector<UserInfo> ApiAuth::users() const {
  std::lock_guard lock(impl_->mu);
  std::vector<UserInfo> out;
  for (const auto& [name, u] : impl_->users)
    if (u.committed) out.push_back(UserInfo{name, u.role, u.created});
  return out;
}

std::optional<UserInfo> ApiAuth::user(const std::string& username) const {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->users.find(username);
  if (it == impl_->users.end() || !it->second.committed) return std::nullopt;
  return UserInfo{username, it->second.role, it->second.created};
}

void ApiAuth::create_user(const Principal& actor, const std::string& username, std::string_view password, Role role,
                          Done<UserInfo> done) {
  auto& m = *impl_;
  if (!valid_username(username))
    return done(fail("invalid_username", "'username' must be 1 to 64 characters of A-Z a-z 0-9 . _ @ -"));
  if (!valid_user_password(password))
    return done(fail("invalid_password", "'password' must be at least 12 characters"));
  const auto now = m.clock.now();
  {
    std::lock_guard lock(m.mu);
    if (!m.users.try_emplace(username, Impl::User{role, now, false}).second)
      return done(fail("user_exists", "user '" + username + "' already exists"));
  }
  store::UserRecord record{username, hash_password(password, m.iterations), to_string(role), now};
  m.store.submit({store::UpsertUser{record}, store::InsertAudit{m.audit(actor, "user.create", username,
                                                                        {{"role", to_string(role)}})}},
                 [&m, username, role, now, by = actor.username, done = std::move(done)](const Status& s) {
                   {
                     std::lock_guard lock(m.mu);
                     if (s) m.users[username].committed = true;
                     else m.users.erase(username);
                   }
                   if (!s) return done(fail(s.error()));
                   spdlog::info("user_created username={} role={} by={}", username, to_string(role), by);
                   done(UserInfo{username, role, now});
                 });
}

void ApiAuth::update_user(const Principal& actor, const std::string& username, std::optional<Role> role,
                          std::optional<std::string> password, Done<UserInfo> done) {
  auto& m = *impl_;
  if (password && !valid_user_password(*password))
    return done(fail("invalid_password", "'password' must be at least 12 characters"));
  auto stored = m.store.user(username);  // the password hash is only in the store
  if (!stored) return done(fail(stored.error()));
  if (!stored->has_value()) return done(user_not_found(username));
  store::UserRecord record = **stored;
  if (password) record.password_hash = hash_password(*password, m.iterations);

  Role before = Role::Viewer;
  {
    std::lock_guard lock(m.mu);
    auto it = m.users.find(username);
    if (it == m.users.end() || !it->second.committed) return done(user_not_found(username));
    before = it->second.role;
    if (role && before == Role::Admin && *role != Role::Admin && m.committed_admins_locked() <= 1)
      return done(fail("last_admin", "'" + username + "' is the last admin"));
    // A demotion applies to live tokens at once; a promotion only once it is durable.
    if (role && *role < before) it->second.role = *role;
    if (password) m.remove_tokens_of_locked(username, TokenKind::Session);
  }
  const Role after = role.value_or(before);
  record.role = to_string(after);
  store::WriteBatch batch{store::UpsertUser{record}};
  if (password) batch.push_back(store::RevokeTokensOf{username, m.clock.now(), std::string("session")});
  batch.push_back(store::InsertAudit{m.audit(actor, "user.update", username,
                                             {{"role", to_string(after)},
                                              {"previous_role", to_string(before)},
                                              {"password_changed", password ? "true" : "false"}})});
  m.store.submit(std::move(batch), [&m, username, before, after, changed = password.has_value(),
                                    created = record.created, done = std::move(done)](const Status& s) {
    {
      std::lock_guard lock(m.mu);
      if (auto it = m.users.find(username); it != m.users.end()) it->second.role = s ? after : before;
    }
    if (!s) return done(fail(s.error()));
    spdlog::info("user_updated username={} role={} password_changed={}", username, to_string(after), changed);
    done(UserInfo{username, after, created});
  });
}

void ApiAuth::delete_user(const Principal& actor, const std::string& username, StatusDone done) {
  auto& m = *impl_;
  if (username == actor.username) return done(fail("cannot_delete_self", "you cannot delete your own user"));
  Impl::User removed;
  {
    std::lock_guard lock(m.mu);
    auto it = m.users.find(username);
    if (it == m.users.end() || !it->second.committed) return done(user_not_found(username));
    if (it->second.role == Role::Admin && m.committed_admins_locked() <= 1)
      return done(fail("last_admin", "'" + username + "' is the last admin"));
    removed = it->second;
    m.users.erase(it);  // its tokens stop authenticating now (authenticate() needs the owner)
  }
  const auto now = m.clock.now();
  m.store.submit({store::DeleteUser{username}, store::RevokeTokensOf{username, now, std::nullopt},
                  store::InsertAudit{m.audit(actor, "user.delete", username, {{"role", to_string(removed.role)}})}},
                 [&m, username, removed, done = std::move(done)](const Status& s) {
                   {
                     std::lock_guard lock(m.mu);
                     if (s) m.remove_tokens_of_locked(username, std::nullopt);
                     else m.users.try_emplace(username, removed);
                   }
                   if (s) spdlog::info("user_deleted username={}", username);
                   done(s);
                 });
}

// ---- API tokens ----

void ApiAuth::issue_api_token(const Principal& actor, ApiTokenSpec spec, Done<IssuedToken> done) {
  auto& m = *impl_;
  if (actor.token_kind != TokenKind::Session)
    return done(fail("session_required", "API tokens are created from a login session, not with another token"));
  if (!valid_token_name(spec.name))
    return done(fail("invalid_token_name", "'name' must be 1 to 64 printable ASCII characters"));
  if (spec.expires_in && (*spec.expires_in <= std::chrono::days(0) || *spec.expires_in > kMaxTokenLifetime))
    return done(fail("invalid_expiry", "'expires_in_days' must be 1 to 3650"));
  const Role role = spec.role.value_or(actor.role);
  if (!role_allows(actor.role, role))
    return done(fail("role_too_high", std::string("you cannot create a token above your own role (") +
                                          to_string(actor.role) + ")"));
  const auto now = m.clock.now();
  auto minted = Impl::mint();
  std::optional<Timestamp> expires;
  if (spec.expires_in) expires = now + std::chrono::duration_cast<std::chrono::milliseconds>(*spec.expires_in);
  Impl::Token t{minted.id, TokenKind::Api, spec.name, actor.username, role, now, expires, std::nullopt, now};
  const std::string expiry_text = expires ? format_rfc3339(*expires) : "never";
  store::WriteBatch batch{store::InsertToken{Impl::record_of(t, minted.digest)},
                          store::InsertAudit{m.audit(actor, "token.create", t.id,
                                                     {{"name", t.name}, {"role", to_string(role)},
                                                      {"owner", t.owner}, {"expires", expiry_text}})}};
  m.store.submit(std::move(batch), [&m, t = std::move(t), minted = std::move(minted),
                                    done = std::move(done)](const Status& s) mutable {
    if (!s) return done(fail(s.error()));
    IssuedToken issued{std::move(minted.secret), t.id, t.name, t.created, t.expires,
                       Principal{t.owner, t.role, t.id, TokenKind::Api}};
    spdlog::info("api_token_created id={} owner={} role={}", t.id, t.owner, to_string(t.role));
    {
      std::lock_guard lock(m.mu);
      m.add_token_locked(minted.digest, std::move(t));
    }
    done(std::move(issued));
  });
}

std::vector<TokenInfo> ApiAuth::api_tokens(const Principal& actor) const {
  auto& m = *impl_;
  const auto now = m.clock.now();
  std::vector<TokenInfo> out;
  std::lock_guard lock(m.mu);
  for (const auto& [digest, t] : m.tokens) {
    if (t.kind != TokenKind::Api || (t.expires && *t.expires <= now)) continue;
    if (t.owner != actor.username && actor.role != Role::Admin) continue;
    out.push_back(TokenInfo{t.id, t.kind, t.name, t.owner, t.role, t.created, t.expires, t.last_used});
  }
  std::sort(out.begin(), out.end(), [](const TokenInfo& a, const TokenInfo& b) {
    return std::tie(a.created, a.id) < std::tie(b.created, b.id);
  });
  return out;
}

void ApiAuth::revoke_api_token(const Principal& actor, const std::string& id, StatusDone done) {
  auto& m = *impl_;
  std::optional<Impl::Token> removed;
  {
    std::lock_guard lock(m.mu);
    auto d = m.digests.find(id);
    const auto* t = d == m.digests.end() ? nullptr : &m.tokens.at(d->second);
    if (!t || t->kind != TokenKind::Api || (t->owner != actor.username && actor.role != Role::Admin))
      return done(fail("token_not_found", "no token '" + id + "'"));
    removed = m.remove_token_locked(id);  // dead at once, even if the write below fails
  }
  m.store.submit({store::RevokeToken{id, m.clock.now()},
                  store::InsertAudit{m.audit(actor, "token.revoke", id, {{"name", removed->name},
                                                                         {"owner", removed->owner}})}},
                 [id, done = std::move(done)](const Status& s) {
                   if (s) spdlog::info("api_token_revoked id={}", id);
                   done(s);
                 });
}

}  // namespace cp::services
