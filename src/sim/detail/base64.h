#pragma once
// RFC 4648 base64 (with padding), for the HTTP Basic credentials a pile presents (RFC 7617).
#include <string>
#include <string_view>

namespace cp::sim {

std::string base64_encode(std::string_view bytes);

}  // namespace cp::sim
