#include "api/detail/http.h"

#include <boost/json/serialize.hpp>

namespace cp::api::detail {
namespace {

const char* reason(unsigned status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Response json_response(unsigned status, const boost::json::value& body) {
  return {status, "application/json", boost::json::serialize(body), {}};
}

Response no_content() { return {204, "", "", {}}; }

Response problem(unsigned status, const std::string& code, const std::string& detail) {
  boost::json::object o{{"type", "urn:chargeplane:problem:" + code},
                        {"title", reason(status)},
                        {"status", status},
                        {"detail", detail},
                        {"code", code}};
  return {status, "application/problem+json", boost::json::serialize(o), {}};
}

Response store_problem(const Error& e) {
  if (e.code == "store_closed") return problem(503, "store_unavailable", "the store is shutting down");
  return problem(500, "store_error", "the store could not complete the request");
}

std::string percent_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else if (s[i] == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += s[i];  // a stray '%' is kept literally
    }
  }
  return out;
}

std::map<std::string, std::string> parse_query(std::string_view query) {
  std::map<std::string, std::string> out;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    auto key = percent_decode(pair.substr(0, eq), true);
    auto value = eq == std::string_view::npos ? std::string{} : percent_decode(pair.substr(eq + 1), true);
    out[std::move(key)] = std::move(value);
  }
  return out;
}

}  // namespace cp::api::detail
