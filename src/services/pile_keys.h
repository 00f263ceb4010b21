#pragma once
// Pile frame-encryption keys (YKC DES/3DES, docs/ykc.md): validation, sealing at rest, and the
// per-pile transport profile the gateway reads at login.
//
// PileKeyVault seals a pile's key with AES-256-GCM under a 32-byte key-encryption key (KEK)
// kept in a file outside the database (created 0600 in the data directory; a KEK file readable
// by group or others is refused). The pile id is authenticated data, so a sealed key copied to
// another pile's row does not open. The store only ever sees "v1:<base64(nonce|ciphertext|tag)>".
// Keys are never logged; the API shows `fingerprint()` instead: the key check value (KCV) that
// key-management tools print, the first 3 bytes of a zero block encrypted with the key (hex).
//
// PileTransports answers the gateway's login question: is this pile registered, for which
// protocol, and with which cipher, key (in clear, in memory only) and variant options. One store
// read and one AES-GCM open per login; thread-safe (no state besides the vault).
// Errors: "invalid_key" (validation), "kek_unavailable" (file missing, unreadable, wrong size or
// too permissive), "unseal_failed" (wrong KEK or tampered row), store errors as the store reports.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "store/store.h"

namespace cp::services {

// "none", "des" (8-byte key) or "3des" (16-byte 2-key or 24-byte 3-key EDE).
bool valid_cipher(std::string_view cipher);
// Checks `hex` against the cipher's key length and returns the raw key bytes. "none" takes no key.
Result<std::string> parse_pile_key(std::string_view cipher, std::string_view hex);

class PileKeyVault {
 public:
  explicit PileKeyVault(std::string kek);  // 32 raw bytes (tests; production uses open_file)
  // Reads the KEK file, creating it (0600, 32 random bytes) when absent.
  static Result<PileKeyVault> open_file(const std::string& path);

  Result<std::string> seal(std::string_view pile, std::string_view key) const;
  Result<std::string> unseal(std::string_view pile, std::string_view sealed) const;
  // KCV of a valid (cipher, raw key): 6 upper-case hex digits; "" for "none".
  static std::string fingerprint(std::string_view cipher, std::string_view key);

 private:
  std::string kek_;
};

struct PileTransport {
  std::string protocol;      // "ykc", ...
  std::string registration;  // Accepted | Pending | Rejected
  std::string cipher = "none";
  std::string key;  // raw key bytes in clear; "" for "none". Never log.
  std::string options_json = "{}";
};

class PileTransports {
 public:
  PileTransports(store::Store& store, const PileKeyVault& vault) : store_(store), vault_(vault) {}
  // nullopt when the pile is not registered.
  Result<std::optional<PileTransport>> lookup(const std::string& pile) const;

 private:
  store::Store& store_;
  const PileKeyVault& vault_;
};

}  // namespace cp::services
