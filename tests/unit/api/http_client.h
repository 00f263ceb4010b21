#pragma once
// A blocking Beast HTTP/1.1 client for the API tests: one keep-alive connection per instance.
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>

#include <string>
#include <vector>

namespace cp::testing {

struct HttpReply {
  int status = 0;
  std::string body;
  std::string content_type;
  std::map<std::string, std::string> headers;
  boost::json::value json() const { return boost::json::parse(body); }
  std::string code() const { return std::string(json().at("code").as_string()); }
};

class HttpClient {
 public:
  explicit HttpClient(unsigned short port) : stream_(io_) {
    namespace asio = boost::asio;
    stream_.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }

  HttpReply request(const std::string& method, const std::string& target, const std::string& body = {},
                    const std::string& token = {}) {
    namespace http = boost::beast::http;
    http::request<http::string_body> req(http::string_to_verb(method), target, 11);
    req.set(http::field::host, "127.0.0.1");
    if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
    if (!body.empty()) {
      req.set(http::field::content_type, "application/json");
      req.body() = body;
    }
    req.prepare_payload();
    http::write(stream_, req);
    return read();
  }

  // Sends only the header of a request announcing `content_length` bytes (no body).
  HttpReply announce(const std::string& method, const std::string& target, std::size_t content_length,
                     const std::string& token) {
    std::string head = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token +
                       "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(content_length) +
                       "\r\n\r\n";
    boost::asio::write(stream_.socket(), boost::asio::buffer(head));
    return read();
  }

 private:
  HttpReply read() {
    namespace http = boost::beast::http;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    http::read(stream_, buffer_, parser);
    auto res = parser.release();
    HttpReply r;
    r.status = static_cast<int>(res.result_int());
    r.body = res.body();
    r.content_type = std::string(res[http::field::content_type]);
    for (const auto& f : res) r.headers[std::string(f.name_string())] = std::string(f.value());
    return r;
  }

  boost::asio::io_context io_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
};

}  // namespace cp::testing
