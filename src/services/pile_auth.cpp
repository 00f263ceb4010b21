// PileAuthenticator (services/auth.h): OCPP security profile 1/2 Basic-auth verification.
// The first successful verification of a pile costs one PBKDF2; it is then remembered as
// HMAC-SHA256(process-random key, pile, password), so the reconnect storm after a network
// blip costs one HMAC per pile. The cache never holds a password or anything reusable
// outside this process.
#include <atomic>
#include <spdlog/spdlog.h>

#include "services/auth.h"
#include "services/detail/encoding.h"

namespace cp::services {

struct PileAuthenticator::Impl {
  store::Store& store;
  const std::string key = detail::random_bytes(32);
  std::mutex mu;
  std::unordered_map<std::string, detail::Digest> verified;  // pile -> HMAC of its good password
  // Bumped by forget(): a verification that read the old credentials before a change must
  // not cache them after it.
  std::atomic<std::uint64_t> epoch{0};

  explicit Impl(store::Store& s) : store(s) {}

  detail::Digest fingerprint(const std::string& pile, std::string_view password) const {
    // Length-prefixed so (pile, password) pairs cannot collide by shifting bytes between them.
    std::string msg = std::to_string(pile.size()) + ":" + pile;
    msg.append(password.data(), password.size());
    return detail::hmac_sha256(key, msg);
  }
};

PileAuthenticator::PileAuthenticator(store::Store& store) : impl_(std::make_unique<Impl>(store)) {}
PileAuthenticator::~PileAuthenticator() = default;

PileAuthResult PileAuthenticator::verify(const std::string& pile, std::string_view password) {
  auto& m = *impl_;
  const auto fp = m.fingerprint(pile, password);
  {
    std::lock_guard lock(m.mu);
    auto it = m.verified.find(pile);
    if (it != m.verified.end() && detail::equal_constant_time(it->second.data(), fp.data(), fp.size()))
      return PileAuthResult::Ok;
  }
  const auto epoch = m.epoch.load();
  auto record = m.store.pile(pile);
  if (!record) {
    spdlog::warn("pile_auth_store_error pile={} code={}", pile, record.error().code);
    return PileAuthResult::UnknownPile;  // fail closed
  }
  if (!record->has_value()) return PileAuthResult::UnknownPile;
  if (!verify_password(password, (*record)->password_hash)) return PileAuthResult::BadPassword;
  std::lock_guard lock(m.mu);
  if (m.epoch.load() == epoch) m.verified[pile] = fp;
  return PileAuthResult::Ok;
}

void PileAuthenticator::forget(const std::string& pile) {
  std::lock_guard lock(impl_->mu);
  impl_->epoch.fetch_add(1);
  impl_->verified.erase(pile);
}

}  // namespace cp::services
