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

// "pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>"
std::string hash_password(std::string_view password, int iterations = 120000);
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
class ApiAuth {
 public:
  ApiAuth(store::Store& store, const Clock& clock, std::chrono::seconds token_ttl = std::chrono::hours(12));
  ~ApiAuth();
  // Creates the user if absent (first admin at start). Durable before returning.
  Status ensure_user(const std::string& username, std::string_view password, Role role);
  // Returns a bearer token, or error "invalid_credentials".
  Result<std::string> login(const std::string& username, std::string_view password);
  std::optional<Principal> authenticate(std::string_view bearer_token) const;
  void logout(std::string_view bearer_token);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cp::services
