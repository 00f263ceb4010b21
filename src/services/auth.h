#pragma once
// Credentials: password hashing (PBKDF2-HMAC-SHA256 via OpenSSL, PHC-style encoded string),
// pile authentication (OCPP security profile 1: HTTP Basic with the pile id and password),
// API users, roles, bearer tokens (login sessions and named API tokens) and the audit entries
// of account changes. Secrets are never logged; only hashes are stored.
// Thread-safe. CPU cost: one PBKDF2 per first pile verification (later ones hit an in-memory
// cache keyed by a per-process HMAC of the password), one PBKDF2 per login or user password
// change (call those off the io threads); authenticating a bearer token is one SHA-256 and a
// hash-map lookup.
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "store/store.h"

namespace cp::services {

// Iteration counts. Users choose their own passwords, which are guessable: they get a high
// count. Pile passwords are machine secrets: the API only accepts 16..40 characters and
// operators are expected to generate them (`random_secret()` gives 192 bits), so stretching
// adds little — an offline attacker cannot enumerate such a secret at any count. What the
// count does cost is CPU exactly when it hurts: after a restart the verification cache is
// empty and the whole fleet reconnects at once. At ~0.7 us per iteration on one core,
// 10,000 piles cost ~15 core-seconds at 2,000 iterations, ~14 core-minutes at 120,000.
// After the first success each reconnect costs one HMAC (PileAuthenticator's cache).
inline constexpr int kUserPasswordIterations = 120000;
inline constexpr int kPilePasswordIterations = 2000;

// "pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>" (unpadded standard base64, PHC style).
std::string hash_password(std::string_view password, int iterations = kUserPasswordIterations);
// Constant-time comparison; false for malformed strings or absurd iteration counts.
bool verify_password(std::string_view password, std::string_view encoded);
// Cryptographically random printable secret (base64url, `bytes` of entropy).
std::string random_secret(std::size_t bytes = 24);

enum class PileAuthResult { Ok, UnknownPile, BadPassword };

class PileAuthenticator {
 public:
  explicit PileAuthenticator(store::Store& store);
  ~PileAuthenticator();
  PileAuthResult verify(const std::string& pile, std::string_view password);
  void forget(const std::string& pile);  // credentials changed or pile deleted

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

enum class Role { Viewer, Operator, Admin };  // ordered: each role may do what those below may
const char* to_string(Role r);
std::optional<Role> role_from_string(std::string_view s);
inline bool role_allows(Role have, Role need) { return static_cast<int>(have) >= static_cast<int>(need); }

enum class TokenKind { Session, Api };
const char* to_string(TokenKind k);

// Who is making a request: the token's owner with the role this request may use (a session
// carries its user's current role; an API token the lower of its own role and its owner's).
struct Principal {
  std::string username;
  Role role = Role::Viewer;
  std::string token_id;  // the bearer token's public id ("" when not authenticated by a token)
  TokenKind token_kind = TokenKind::Session;
};

struct IssuedToken {
  std::string token;  // the bearer secret: returned to the client once, never stored or logged
  std::string id;     // public handle (lists, DELETE /tokens/{id}, audit)
  std::string name;   // "" for sessions
  Timestamp created;
  std::optional<Timestamp> expires_at;  // nullopt: an API token without expiry
  Principal principal;
};

struct TokenInfo {  // a live token as lists show it: never the secret nor its digest
  std::string id;
  TokenKind kind = TokenKind::Api;
  std::string name;
  std::string owner;
  Role role = Role::Viewer;
  Timestamp created;
  std::optional<Timestamp> expires_at;
  std::optional<Timestamp> last_used;  // coarse (see kTokenTouchInterval)
};

struct UserInfo {
  std::string username;
  Role role = Role::Viewer;
  Timestamp created;
};

struct ApiTokenSpec {
  std::string name;                          // 1..64 printable characters
  std::optional<Role> role;                  // default: the owner's role; never above it
  std::optional<std::chrono::days> expires_in;  // default: no expiry
};

// Brute-force protection for login: consecutive failures per username and per remote address
// beyond a free allowance lock that key for an exponentially growing time (base, 2*base, ...,
// capped). A success clears the username's count; an address's count fades after `forget_after`
// without failures (so one valid account cannot be used to reset it). Memory is bounded.
struct LoginThrottleOptions {
  int free_failures_per_user = 5;
  int free_failures_per_address = 20;
  std::chrono::seconds base_lockout{1};
  std::chrono::seconds max_lockout{15 * 60};
  std::chrono::seconds forget_after{60 * 60};
  std::size_t max_tracked_keys = 10000;  // per kind; stale keys are evicted first
};

struct LoginError {
  Error error;  // invalid_credentials | too_many_attempts | a store error
  std::chrono::seconds retry_after{0};  // too_many_attempts: when to try again
};

// User names: 1..64 of [A-Za-z0-9._@-], except "system" and "cli" (audit actors that are not
// users). User passwords: 12..1024 characters.
bool valid_username(std::string_view username);
bool valid_user_password(std::string_view password);

// last_used of a token is written at most this often (not on every request).
inline constexpr std::chrono::minutes kTokenTouchInterval{10};

// Users (stored with PBKDF2 hashes) and bearer tokens. Tokens are 32 random bytes (base64url)
// shown once and stored as SHA-256 (durable, so they survive a restart); authentication uses
// an in-memory map loaded by load() and kept current by every issue and revocation, so it
// never reads the store. Users' roles are cached the same way: a role change or deletion
// applies to the user's live tokens at once.
//
// Writes are asynchronous: each mutating call validates, then submits one store batch holding
// the change and its audit entry (store::InsertAudit, actor = the Principal), and calls `done`
// after COMMIT on the store's writer thread (validation failures call it at once, on the
// caller's thread). Errors: user_exists, user_not_found, invalid_username, invalid_password,
// last_admin, cannot_delete_self, token_not_found, role_too_high, invalid_token_name,
// session_required, invalid_credentials, too_many_attempts, or the store's error.
// Revocation takes effect in memory before the write commits (fail closed).
class ApiAuth {
 public:
  template <class T>
  using Done = std::function<void(Result<T>)>;
  using StatusDone = std::function<void(const Status&)>;
  using LoginDone = std::function<void(Result<IssuedToken, LoginError>)>;

  ApiAuth(store::Store& store, const Clock& clock, std::chrono::seconds token_ttl = std::chrono::hours(12),
          int password_iterations = kUserPasswordIterations, LoginThrottleOptions throttle = {});
  ~ApiAuth();

  // Loads users and live tokens from the store (call once at start, before serving), and
  // drops session rows that ended more than a day ago.
  Status load();
  // Creates the user if absent (first admin at start). Blocks until durable; not for the
  // store's writer thread. Not subject to the password rule (bootstrap only).
  Status ensure_user(const std::string& username, std::string_view password, Role role);

  // ---- login sessions ----
  // One PBKDF2 on the calling thread, then the session row and a "login" audit entry.
  void login(const std::string& username, std::string_view password, const std::string& remote_address,
             LoginDone done);
  // Blocking forms of login (tools and tests; no remote address, same throttling by user).
  Result<IssuedToken> issue_token(const std::string& username, std::string_view password);
  Result<std::string> login(const std::string& username, std::string_view password);
  std::optional<Principal> authenticate(std::string_view bearer_token) const;
  // Revokes the token `who` authenticated with.
  void logout(const Principal& who, StatusDone done);
  void logout(std::string_view bearer_token);  // blocking; unknown tokens are ignored

  // ---- users (the API allows these to admins) ----
  std::vector<UserInfo> users() const;
  std::optional<UserInfo> user(const std::string& username) const;
  void create_user(const Principal& actor, const std::string& username, std::string_view password, Role role,
                   Done<UserInfo> done);
  // Changes the role and/or password. A new password revokes the user's sessions; a lower
  // role applies to the user's tokens at once. Demoting the last admin fails (last_admin).
  void update_user(const Principal& actor, const std::string& username, std::optional<Role> role,
                   std::optional<std::string> password, Done<UserInfo> done);
  // Deletes the user and revokes every token of theirs. Not yourself, not the last admin.
  void delete_user(const Principal& actor, const std::string& username, StatusDone done);

  // ---- API tokens (for machines) ----
  // Owned by `actor`, who must have authenticated with a session (a token cannot mint tokens).
  void issue_api_token(const Principal& actor, ApiTokenSpec spec, Done<IssuedToken> done);
  // Live API tokens: the actor's own, or everyone's for an admin.
  std::vector<TokenInfo> api_tokens(const Principal& actor) const;
  // The owner or an admin; anyone else gets token_not_found (existence is not revealed).
  void revoke_api_token(const Principal& actor, const std::string& id, StatusDone done);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cp::services
