#pragma once
// Credentials: password hashing (PBKDF2-HMAC-SHA256 via OpenSSL, PHC-style encoded string),
// pile authentication (OCPP security profile 1: HTTP Basic with the pile id and password),
// API users and bearer tokens. Secrets are never logged; only hashes are stored.
// Thread-safe. CPU cost: one PBKDF2 per first verification; later verifications of the same
// pile and password hit an in-memory cache keyed by a per-process HMAC of the password.
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

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

enum class Role { Viewer, Operator, Admin };
const char* to_string(Role r);
std::optional<Role> role_from_string(std::string_view s);

struct Principal {
  std::string username;
  Role role = Role::Viewer;
};

// Users (stored hashed) and bearer tokens (random, held hashed in memory with an expiry).
struct IssuedToken {
  std::string token;  // the bearer secret: returned to the client once, never stored or logged
  Timestamp expires_at;
  Principal principal;
};

class ApiAuth {
 public:
  ApiAuth(store::Store& store, const Clock& clock, std::chrono::seconds token_ttl = std::chrono::hours(12),
          int password_iterations = kUserPasswordIterations);
  ~ApiAuth();
  // Creates the user if absent (first admin at start). Durable before returning.
  Status ensure_user(const std::string& username, std::string_view password, Role role);
  // Returns a bearer token, or error "invalid_credentials".
  Result<std::string> login(const std::string& username, std::string_view password);
  // Same as login, with the expiry and principal (for the API's login response).
  Result<IssuedToken> issue_token(const std::string& username, std::string_view password);
  std::optional<Principal> authenticate(std::string_view bearer_token) const;
  void logout(std::string_view bearer_token);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cp::services
