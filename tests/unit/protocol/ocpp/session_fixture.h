#pragma once
// Test fixture for CentralSystemSession: a FakeSink, a fixed clock, captured frames, and a
// `post` that runs inline or queues (defer_posts_) to imitate a strand hop.
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/metrics.h"
#include "protocol/ocpp/v16/central_system.h"
#include "unit/protocol/ocpp/fake_sink.h"

namespace cp::ocpp::v16::testing {

namespace json = boost::json;
using ocpp::testing::FakeSink;

class FixedClock final : public Clock {
 public:
  Timestamp now() const override { return t; }
  Timestamp t = from_millis(1'700'000'000'000);
};

struct Sent {
  int type;
  std::string id;
  json::value rest;  // whole frame
};

class SessionTest : public ::testing::Test {
 protected:
  SessionTest() { make_session(); }

  void make_session(SessionOptions options = {}) {
    session_ = std::make_unique<CentralSystemSession>(
        "CP-1", sink_, clock_, [this](std::string frame) { frames_.push_back(std::move(frame)); },
        [this](std::function<void()> f) {
          if (defer_posts_) posted_.push_back(std::move(f));
          else f();
        },
        &metrics_, std::move(options));
  }

  json::array last() {
    EXPECT_FALSE(frames_.empty());
    return frames_.empty() ? json::array{} : json::parse(frames_.back()).as_array();
  }
  // Asserts the last frame is a CALLERROR for `id` with `code`.
  void expect_call_error(std::string_view id, std::string_view code) {
    const auto f = last();
    ASSERT_EQ(f.size(), 5u) << frames_.back();
    EXPECT_EQ(f[0], 4);
    EXPECT_EQ(f[1], json::string(id));
    EXPECT_EQ(f[2], json::string(code)) << frames_.back();
    EXPECT_TRUE(f[4].is_object());
  }
  json::value expect_call_result(std::string_view id) {
    const auto f = last();
    EXPECT_EQ(f.size(), 3u) << frames_.back();
    EXPECT_EQ(f[0], 3) << frames_.back();
    EXPECT_EQ(f[1], json::string(id));
    return f.size() == 3 ? f[2] : json::value();
  }
  std::uint64_t counter(const std::string& action, const std::string& result) {
    return metrics_.counter("chargeplane_ocpp_messages_total", "", {{"action", action}, {"result", result}}).value();
  }

  FakeSink sink_;
  FixedClock clock_;
  Metrics metrics_;
  std::vector<std::string> frames_;
  bool defer_posts_ = false;
  std::deque<std::function<void()>> posted_;
  std::unique_ptr<CentralSystemSession> session_;
};

}  // namespace cp::ocpp::v16::testing
