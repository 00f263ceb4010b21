// The console's static files: what is served, how (type, caching, gzip), and what never is.
#include "api/detail/static_assets.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "api/detail/router.h"
#include "unit/services/fake_store.h"

namespace cp::api::detail {
namespace {

namespace fs = std::filesystem;

std::string header(const Response& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return {};
}

struct StaticAssetsTest : ::testing::Test {
  fs::path root;
  fs::path outside;
  void SetUp() override {
    const auto base = fs::temp_directory_path() / ("cp-static-" + std::to_string(std::random_device{}()));
    root = base / "dist";
    outside = base / "secret.txt";
    fs::create_directories(root / "assets");
    fs::create_directories(root / ".hidden");
    write(root / "index.html", "<!doctype html><title>console</title>");
    write(root / "index.html.gz", "GZ-INDEX");
    write(root / "assets" / "app-1a2b3c.js", "console.log(1)");
    write(root / "assets" / "app-1a2b3c.js.gz", "GZ-APP");
    write(root / "assets" / "style-9f8e.css", "body{}");
    write(root / "favicon.svg", "<svg/>");
    write(root / ".hidden" / "key.txt", "hidden");
    write(root / ".env", "SECRET=1");
    write(outside, "outside the web root");
    fs::create_symlink(outside, root / "link.txt");
  }
  void TearDown() override { fs::remove_all(root.parent_path()); }
  static void write(const fs::path& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }
};

TEST_F(StaticAssetsTest, RootServesIndexHtmlRevalidatedWithSecurityHeaders) {
  auto a = StaticAssets::load(root.string());
  EXPECT_TRUE(a.problem().empty()) << a.problem();
  auto r = a.serve("/", "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(r->content_type, "text/html; charset=utf-8");
  EXPECT_EQ(r->body, "<!doctype html><title>console</title>");
  EXPECT_EQ(header(*r, "Cache-Control"), "no-cache");
  EXPECT_EQ(header(*r, "Vary"), "Accept-Encoding");
  EXPECT_EQ(header(*r, "X-Content-Type-Options"), "nosniff");
  EXPECT_NE(header(*r, "Content-Security-Policy").find("default-src 'self'"), std::string::npos);
  EXPECT_EQ(a.serve("/index.html", "")->body, r->body);
}

TEST_F(StaticAssetsTest, HashedAssetsAreImmutableAndTyped) {
  auto a = StaticAssets::load(root.string());
  auto js = a.serve("/assets/app-1a2b3c.js", "");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(header(*js, "Cache-Control"), "public, max-age=31536000, immutable");
  auto css = a.serve("/assets/style-9f8e.css", "");
  ASSERT_TRUE(css);
  EXPECT_EQ(css->content_type, "text/css; charset=utf-8");
  EXPECT_EQ(header(*css, "Vary"), "");  // no compressed sibling
  auto svg = a.serve("/favicon.svg", "");
  ASSERT_TRUE(svg);
  EXPECT_EQ(svg->content_type, "image/svg+xml");
  EXPECT_EQ(header(*svg, "Cache-Control"), "no-cache");
}

TEST_F(StaticAssetsTest, GzipSiblingOnlyForClientsThatAcceptIt) {
  auto a = StaticAssets::load(root.string());
  auto gz = a.serve("/assets/app-1a2b3c.js", "br, gzip;q=0.8");
  ASSERT_TRUE(gz);
  EXPECT_EQ(gz->body, "GZ-APP");
  EXPECT_EQ(header(*gz, "Content-Encoding"), "gzip");
  auto plain = a.serve("/assets/app-1a2b3c.js", "identity");
  EXPECT_EQ(plain->body, "console.log(1)");
  EXPECT_EQ(header(*plain, "Content-Encoding"), "");
  EXPECT_EQ(a.serve("/assets/app-1a2b3c.js", "gzip;q=0")->body, "console.log(1)");
  EXPECT_FALSE(a.serve("/assets/app-1a2b3c.js.gz", "gzip"));  // siblings are not files of their own
}

TEST_F(StaticAssetsTest, AcceptEncodingParsing) {
  EXPECT_TRUE(StaticAssets::accepts_gzip("gzip"));
  EXPECT_TRUE(StaticAssets::accepts_gzip("deflate, GZIP"));
  EXPECT_TRUE(StaticAssets::accepts_gzip("*"));
  EXPECT_FALSE(StaticAssets::accepts_gzip(""));
  EXPECT_FALSE(StaticAssets::accepts_gzip("br, deflate"));
  EXPECT_FALSE(StaticAssets::accepts_gzip("gzip;q=0.0"));
  EXPECT_TRUE(StaticAssets::accepts_gzip("gzip;q=0.5"));
}

TEST_F(StaticAssetsTest, TraversalHiddenFilesAndSymlinksAreNeverServed) {
  auto a = StaticAssets::load(root.string());
  for (const char* path : {"/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt",
                           "/assets/%2e%2e/index.html", "/./index.html", "//index.html", "/assets\\..\\index.html",
                           "/index.html%00.js", "/.env", "/.hidden/key.txt", "/link.txt", "/etc/passwd", "",
                           "index.html", "/assets/"}) {
    EXPECT_FALSE(a.serve(path, "gzip")) << path;
  }
}

TEST_F(StaticAssetsTest, MissingRootIsAnEmptySetWithAReason) {
  auto a = StaticAssets::load((root / "nope").string());
  EXPECT_TRUE(a.empty());
  EXPECT_NE(a.problem().find("not a directory"), std::string::npos);
  EXPECT_FALSE(a.serve("/", ""));
  EXPECT_FALSE(StaticAssets::load("").problem().empty());
  fs::remove(root / "index.html");
  EXPECT_NE(StaticAssets::load(root.string()).problem().find("no index.html"), std::string::npos);
}

TEST(RouterFallback, OnlyUnmatchedGetsOutsideTheApiReachTheFallback) {
  cp::testing::FakeStore store;
  cp::testing::FakeClock clock;
  Metrics metrics;
  services::ApiAuth auth{store, clock, std::chrono::hours(1), 1000};
  Router router({{"GET", "/api/v1/x", kPublic, Exec::Inline, [](Request&, Respond r) { r(no_content()); }},
                 {"POST", "/thing", kPublic, Exec::Inline, [](Request&, Respond r) { r(no_content()); }}},
                auth, metrics, nullptr);
  std::string served;
  router.set_fallback([&](Request& req, Respond r) { served = req.path; r(no_content()); });
  auto run = [&](std::string method, std::string path) {
    Request req;
    req.method = std::move(method);
    req.path = std::move(path);
    unsigned status = 0;
    router.dispatch(std::move(req), [&](Response res) { status = res.status; });
    return status;
  };
  EXPECT_EQ(run("GET", "/assets/app.js"), 204u);
  EXPECT_EQ(served, "/assets/app.js");
  served.clear();
  EXPECT_EQ(run("GET", "/api/v1/nothing"), 404u);  // the API's 404, not a file
  EXPECT_EQ(run("POST", "/index.html"), 404u);
  EXPECT_EQ(run("GET", "/thing"), 405u);  // a route's other method stays 405
  EXPECT_EQ(run("GET", "/api/v1/x"), 204u);
  EXPECT_TRUE(served.empty());
}

}  // namespace
}  // namespace cp::api::detail
