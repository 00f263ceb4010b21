#pragma once
// LoginThrottle — the brute-force back-off of ApiAuth::login (LoginThrottleOptions in
// services/auth.h describes the policy). Pure bookkeeping: the caller passes "now". Not
// thread-safe; ApiAuth guards it with its mutex. Private to services/.
#include <chrono>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/time.h"
#include "services/auth.h"

namespace cp::services::detail {

class LoginThrottle {
 public:
  explicit LoginThrottle(LoginThrottleOptions options) : options_(options) {}

  // How long the caller must wait before this attempt is allowed; nullopt = go ahead.
  // `address` may be empty (no per-address accounting).
  std::optional<std::chrono::seconds> wait_before(const std::string& username, const std::string& address,
                                                  Timestamp now);
  void failed(const std::string& username, const std::string& address, Timestamp now);
  void succeeded(const std::string& username);

  std::size_t tracked() const { return users_.size() + addresses_.size(); }

 private:
  struct Failures {
    int count = 0;
    Timestamp last;
  };
  using Table = std::unordered_map<std::string, Failures>;

  std::optional<std::chrono::seconds> wait(const Table& t, const std::string& key, int free, Timestamp now) const;
  void record(Table& t, const std::string& key, Timestamp now);
  std::chrono::milliseconds lockout(int count, int free) const;

  LoginThrottleOptions options_;
  Table users_, addresses_;
};

}  // namespace cp::services::detail
