// The operator console served by the real binary: `/` and hashed assets with their caching
// and gzip, path traversal refused on the wire, and a server without a console still serving
// its API.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <filesystem>
#include <fstream>
#include <random>

#include "integration/support/server_process.h"

namespace cp::testing {
namespace {

namespace fs = std::filesystem;
namespace asio = boost::asio;

// One raw HTTP/1.1 exchange (the target is sent byte for byte, no client-side normalising).
std::string raw_get(unsigned short port, const std::string& target, const std::string& extra_headers = {}) {
  asio::io_context io;
  asio::ip::tcp::socket s(io);
  s.connect({asio::ip::make_address("127.0.0.1"), port});
  const std::string req = "GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n" + extra_headers + "\r\n";
  asio::write(s, asio::buffer(req));
  std::string out;
  boost::system::error_code ec;
  asio::read(s, asio::dynamic_buffer(out), ec);  // until the server closes
  return out;
}

int status_of(const std::string& response) {
  return response.size() > 12 ? std::stoi(response.substr(9, 3)) : 0;
}

bool has_header(const std::string& response, const std::string& line) {
  const auto end = response.find("\r\n\r\n");
  std::string head = response.substr(0, end);
  std::string lower_head, lower_line;
  for (char c : head) lower_head += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (char c : line) lower_line += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower_head.find("\r\n" + lower_line + "\r\n") != std::string::npos;
}

struct Console : ::testing::Test {
  fs::path base;
  fs::path root;
  void SetUp() override {
    base = fs::temp_directory_path() / ("cp-console-" + std::to_string(std::random_device{}()));
    root = base / "web";
    fs::create_directories(root / "assets");
    std::ofstream(root / "index.html") << "<!doctype html><title>ChargePlane console</title>";
    std::ofstream(root / "assets" / "index-AbC123.js") << "export const x = 1;";
    std::ofstream(root / "assets" / "index-AbC123.js.gz", std::ios::binary) << "not-really-gzip";
    std::ofstream(base / "secret.txt") << "TOP-SECRET-OUTSIDE-WEB-ROOT";
  }
  void TearDown() override { fs::remove_all(base); }
};

TEST_F(Console, ServesIndexAndAssetsWithCachingAndGzip) {
  ServerProcess server({"--web-root", root.string()});
  auto index = raw_get(server.api_port(), "/");
  EXPECT_EQ(status_of(index), 200) << index;
  EXPECT_TRUE(has_header(index, "Content-Type: text/html; charset=utf-8")) << index;
  EXPECT_TRUE(has_header(index, "Cache-Control: no-cache")) << index;
  EXPECT_NE(index.find("ChargePlane console"), std::string::npos);

  auto js = raw_get(server.api_port(), "/assets/index-AbC123.js", "Accept-Encoding: gzip, deflate\r\n");
  EXPECT_EQ(status_of(js), 200) << js;
  EXPECT_TRUE(has_header(js, "Content-Type: text/javascript; charset=utf-8")) << js;
  EXPECT_TRUE(has_header(js, "Content-Encoding: gzip")) << js;
  EXPECT_TRUE(has_header(js, "Vary: Accept-Encoding")) << js;
  EXPECT_TRUE(has_header(js, "Cache-Control: public, max-age=31536000, immutable")) << js;
  EXPECT_NE(js.find("not-really-gzip"), std::string::npos);

  auto plain = raw_get(server.api_port(), "/assets/index-AbC123.js");
  EXPECT_FALSE(has_header(plain, "Content-Encoding: gzip")) << plain;
  EXPECT_NE(plain.find("export const x = 1;"), std::string::npos);

  // The API is untouched: its 404s stay problems, its routes answer as before.
  auto api404 = raw_get(server.api_port(), "/api/v1/nope");
  EXPECT_EQ(status_of(api404), 404);
  EXPECT_TRUE(has_header(api404, "Content-Type: application/problem+json")) << api404;
  EXPECT_EQ(status_of(raw_get(server.api_port(), "/healthz")), 200);
}

TEST_F(Console, PathTraversalIsRefusedOnTheWire) {
  ServerProcess server({"--web-root", root.string()});
  for (const std::string target : {"/../secret.txt", "/../../../../etc/passwd", "/assets/../../secret.txt",
                                   "/%2e%2e/secret.txt", "/assets/%2e%2e/%2e%2e/secret.txt", "/%2e%2e%2fsecret.txt",
                                   "/..%5csecret.txt", "/assets/..%2f..%2fsecret.txt", "//etc/passwd",
                                   "/index.html%00.png"}) {
    auto r = raw_get(server.api_port(), target);
    EXPECT_EQ(status_of(r), 404) << target << "\n" << r;
    EXPECT_EQ(r.find("TOP-SECRET"), std::string::npos) << target;
    EXPECT_EQ(r.find("root:"), std::string::npos) << target;
  }
}

TEST_F(Console, WithoutAConsoleTheApiStillServesAndSaysWhy) {
  ServerProcess server({"--web-root", (base / "missing").string()});
  EXPECT_EQ(status_of(raw_get(server.api_port(), "/healthz")), 200);
  EXPECT_EQ(status_of(raw_get(server.api_port(), "/")), 404);
  EXPECT_NE(server.log().find("api.console_unavailable"), std::string::npos) << server.log();
}

}  // namespace
}  // namespace cp::testing
