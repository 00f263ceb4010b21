#pragma once
// Base64 (RFC 4648): the standard alphabet (HTTP Basic credentials, password hashes) and the
// URL-safe one (tokens, generated secrets). Pure functions, no allocation beyond the result.
#include <optional>
#include <string>
#include <string_view>

namespace cp {

enum class Base64Alphabet { Standard, Url };
enum class Base64Padding { Padded, Unpadded };

std::string base64_encode(std::string_view bytes, Base64Alphabet alphabet = Base64Alphabet::Standard,
                          Base64Padding padding = Base64Padding::Padded);
// Accepts input with or without '=' padding; nullopt on any other character or an impossible length.
std::optional<std::string> base64_decode(std::string_view text, Base64Alphabet alphabet = Base64Alphabet::Standard);

}  // namespace cp
