// The pure parts of live events: filters, the bounded queue and the SSE wire framing.
#include "api/detail/sse.h"

#include <gtest/gtest.h>

namespace cp::api::detail {
namespace {

std::shared_ptr<const services::LiveEvent> event(const std::string& type, const std::string& pile,
                                                 std::string json = "{}", std::uint64_t seq = 1) {
  auto e = std::make_shared<services::LiveEvent>();
  e->seq = seq;
  e->type = type;
  e->pile = pile;
  e->json = std::move(json);
  return e;
}

EventFilter filter(std::map<std::string, std::string> q) {
  auto f = EventFilter::parse(q);
  EXPECT_TRUE(f.ok()) << (f ? "" : f.error().message);
  return f ? *f : EventFilter{};
}

TEST(EventFilter, EmptyFilterPassesEverything) {
  auto f = filter({});
  EXPECT_TRUE(f.matches(*event("pile.online", "CP-1")));
  EXPECT_TRUE(f.matches(*event("config_job.state", "")));
}

TEST(EventFilter, TypeEntryMatchesItselfAndDottedChildrenOnly) {
  auto f = filter({{"type", "config_job"}});
  EXPECT_TRUE(f.matches(*event("config_job", "")));
  EXPECT_TRUE(f.matches(*event("config_job.parameter", "CP-1")));
  EXPECT_FALSE(f.matches(*event("config_jobs.state", "")));
  EXPECT_FALSE(f.matches(*event("pile.online", "CP-1")));
  auto star = filter({{"type", "config_job.*"}});
  EXPECT_TRUE(star.matches(*event("config_job.state", "")));
  EXPECT_FALSE(star.matches(*event("config_jobx", "")));
}

TEST(EventFilter, PileListExcludesEventsAboutNoPile) {
  auto f = filter({{"pile", "CP-2,CP-1"}});
  EXPECT_TRUE(f.matches(*event("pile.online", "CP-1")));
  EXPECT_TRUE(f.matches(*event("pile.online", "CP-2")));
  EXPECT_FALSE(f.matches(*event("pile.online", "CP-3")));
  EXPECT_FALSE(f.matches(*event("config_job.state", "")));
}

TEST(EventFilter, BothListsMustMatch) {
  auto f = filter({{"pile", "CP-1"}, {"type", "telemetry"}});
  EXPECT_TRUE(f.matches(*event("telemetry", "CP-1")));
  EXPECT_FALSE(f.matches(*event("telemetry", "CP-2")));
  EXPECT_FALSE(f.matches(*event("pile.online", "CP-1")));
}

TEST(EventFilter, RejectsMalformedEntriesNamingTheParameter) {
  for (auto q : std::vector<std::map<std::string, std::string>>{
           {{"pile", ""}}, {{"pile", "a b"}}, {{"pile", std::string(49, 'a')}}, {{"type", "Pile"}},
           {{"type", "pile."}}, {{"type", "*"}}, {{"type", "a,,b"}}}) {
    auto f = EventFilter::parse(q);
    ASSERT_FALSE(f.ok()) << q.begin()->second;
    EXPECT_EQ(f.error().code, "invalid_parameter");
    EXPECT_EQ(f.error().message.rfind(q.begin()->first + ":", 0), 0u) << f.error().message;
  }
  std::string many;
  for (int i = 0; i <= 100; ++i) many += (i ? ",P" : "P") + std::to_string(i);
  EXPECT_FALSE(EventFilter::parse({{"pile", many}}).ok());
}

TEST(EventQueue, RefusesTheEventThatWouldExceedTheCount) {
  EventQueue q(2, 1 << 20);
  EXPECT_TRUE(q.push(event("a", "")));
  EXPECT_TRUE(q.push(event("b", "")));
  EXPECT_FALSE(q.push(event("c", "")));
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(q.pop()->type, "a");
  EXPECT_TRUE(q.push(event("c", "")));
}

TEST(EventQueue, CountsFramedBytesAgainstTheByteLimit) {
  auto e = event("telemetry", "CP-1", std::string(100, 'x'), 42);
  const auto size = sse_event_size(*e);
  std::string framed;
  append_sse_event(framed, *e);
  EXPECT_EQ(size, framed.size());
  EventQueue q(100, 2 * size);
  EXPECT_TRUE(q.push(e));
  EXPECT_TRUE(q.push(e));
  EXPECT_EQ(q.bytes(), 2 * size);
  EXPECT_FALSE(q.push(e));
  q.pop();
  EXPECT_EQ(q.bytes(), size);
  q.clear();
  EXPECT_EQ(q.bytes(), 0u);
  EXPECT_TRUE(q.empty());
}

TEST(SseFraming, EventHasIdEventDataAndABlankLine) {
  std::string out;
  append_sse_event(out, *event("pile.online", "CP-1", R"({"type":"pile.online"})", 7));
  EXPECT_EQ(out, "id: 7\nevent: pile.online\ndata: {\"type\":\"pile.online\"}\n\n");
}

TEST(SseFraming, EveryLineOfDataGetsItsOwnField) {
  std::string out;
  append_sse_event(out, std::nullopt, "x", "a\nb\r\nc\rd");
  EXPECT_EQ(out, "event: x\ndata: a\ndata: b\ndata: c\ndata: d\n\n");
  auto e = event("x", "", "a\nb", 3);
  EXPECT_EQ(sse_event_size(*e), std::string("id: 3\nevent: x\ndata: a\ndata: b\n\n").size());
}

TEST(SseFraming, LineBreaksCannotEscapeTheEventField) {
  std::string out;
  append_sse_event(out, std::nullopt, "bad\ntype", "{}");
  EXPECT_EQ(out, "event: badtype\ndata: {}\n\n");
}

TEST(SseFraming, RetryAndKeepAlive) {
  EXPECT_EQ(sse_retry(3000), "retry: 3000\n\n");
  EXPECT_EQ(kSseKeepAlive, ": keep-alive\n\n");
}

}  // namespace
}  // namespace cp::api::detail
