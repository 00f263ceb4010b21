// Registering simulated piles through the REST API (POST /api/v1/piles), before they connect.
// Synchronous Beast HTTP/1.1 with keep-alive, `concurrency` connections on their own threads;
// 201 and 409 (already registered) both count as success.
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/object.hpp>

#include <atomic>
#include <mutex>
#include <optional>
#include <thread>

#include "sim/detail/url.h"
#include "sim/simulator.h"

namespace cp::sim {
namespace {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;

class ApiClient {
 public:
  explicit ApiClient(Url url) : url_(std::move(url)), stream_(ioc_) {}

  // One request; reconnects once if the kept-alive connection was closed by the server.
  Result<http::response<http::string_body>> request(http::verb verb, const std::string& target,
                                                    const std::string& body, const std::string& token) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      try {
        if (!connected_) connect();
        http::request<http::string_body> req{verb, url_.path + target, 11};
        req.set(http::field::host, url_.host + ":" + url_.port);
        req.set(http::field::user_agent, "chargeplane-sim");
        req.set(http::field::accept, "application/json");
        if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
        if (!body.empty()) {
          req.set(http::field::content_type, "application/json");
          req.body() = body;
        }
        req.keep_alive(true);
        req.prepare_payload();
        stream_.expires_after(std::chrono::seconds{30});
        http::write(stream_, req);
        beast::flat_buffer buffer;
        http::response<http::string_body> res;
        http::read(stream_, buffer, res);
        if (!res.keep_alive()) close();
        return res;
      } catch (const std::exception& e) {
        close();
        if (attempt == 1) return fail("api_unreachable", std::string("API request failed: ") + e.what());
      }
    }
    return fail("api_unreachable", "API request failed");
  }

 private:
  void connect() {
    asio::ip::tcp::resolver resolver(ioc_);
    stream_.expires_after(std::chrono::seconds{10});
    stream_.connect(resolver.resolve(url_.host, url_.port));
    connected_ = true;
  }
  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    stream_.close();
    connected_ = false;
  }

  Url url_;
  asio::io_context ioc_;
  beast::tcp_stream stream_;
  bool connected_ = false;
};

std::string problem_code(const std::string& body) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object()) return {};
  const auto* code = v.get_object().if_contains("code");
  return code != nullptr && code->is_string() ? std::string(code->get_string()) : std::string();
}

Result<std::string> login(ApiClient& api, const RegistrationOptions& opts) {
  const auto body = json::serialize(json::object{{"username", opts.admin_user}, {"password", opts.admin_password}});
  auto res = api.request(http::verb::post, "/api/v1/auth/login", body, "");
  if (!res) return fail(res.error());
  if (res->result() != http::status::ok && res->result() != http::status::created)
    return fail("login_failed", "login as " + opts.admin_user + " failed: HTTP " + std::to_string(res->result_int()));
  boost::system::error_code ec;
  auto v = json::parse(res->body(), ec);
  if (ec || !v.is_object() || !v.get_object().contains("token") || !v.get_object().at("token").is_string())
    return fail("login_failed", "login answer has no token");
  return std::string(v.get_object().at("token").get_string());
}

}  // namespace

Result<RegistrationReport> register_piles(const RegistrationOptions& opts, const std::vector<PileCredential>& piles) {
  auto url = parse_url(opts.api_url);
  if (!url || url->scheme != "http") return fail("invalid_options", "api url must be http://host:port");
  std::string token = opts.token;
  {
    ApiClient api(*url);
    if (token.empty()) {
      auto t = login(api, opts);
      if (!t) return fail(t.error());
      token = *t;
    }
  }
  RegistrationReport report;
  std::mutex mu;
  std::atomic<std::size_t> next{0};
  std::atomic<bool> unreachable{false};
  auto worker = [&] {
    ApiClient api(*url);
    for (std::size_t i = next++; i < piles.size() && !unreachable; i = next++) {
      const auto& p = piles[i];
      json::object pile{{"id", p.id}, {"protocol", opts.protocol}};
      if (opts.protocol == "ykc") {
        if (opts.ykc_cipher != "none") pile["encryption"] = json::object{{"cipher", opts.ykc_cipher}, {"key", opts.ykc_key_hex}};
      } else {
        pile["password"] = p.password;
      }
      const auto body = json::serialize(pile);
      auto res = api.request(http::verb::post, "/api/v1/piles", body, token);
      std::lock_guard lock(mu);
      if (!res) {
        unreachable = true;
        ++report.failed;
        if (report.first_error.empty()) report.first_error = res.error().message;
      } else if (res->result() == http::status::created || res->result() == http::status::ok) {
        ++report.created;
      } else if (res->result() == http::status::conflict) {
        ++report.existing;
      } else {
        ++report.failed;
        if (report.first_error.empty())
          report.first_error = p.id + ": HTTP " + std::to_string(res->result_int()) + " " + problem_code(res->body());
      }
    }
  };
  std::vector<std::thread> threads;
  const auto n = static_cast<std::size_t>(std::max(1, opts.concurrency));
  for (std::size_t t = 0; t < std::min(n, std::max<std::size_t>(1, piles.size())); ++t) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  if (unreachable && report.created + report.existing == 0) return fail("api_unreachable", report.first_error);
  ApiClient api(*url);
  for (const auto& tag : opts.id_tags) {
    const auto body = json::serialize(json::object{{"id_tag", tag}, {"status", "Accepted"}});
    auto res = api.request(http::verb::post, "/api/v1/id-tags", body, token);
    if (res && (res->result() == http::status::created || res->result() == http::status::ok)) ++report.id_tags_created;
    else if (!res || res->result() != http::status::conflict) {
      ++report.failed;
      if (report.first_error.empty())
        report.first_error = "id tag " + tag + ": " + (res ? "HTTP " + std::to_string(res->result_int()) : res.error().message);
    }
  }
  return report;
}

}  // namespace cp::sim
