#pragma once
// Server-Sent Events, the pure parts (private to src/api): what a live-event client asked for
// (EventFilter from `?pile=` and `?type=`), the bounded per-client queue, and the wire framing
// (WHATWG HTML "Server-sent events": `id:`, `event:`, `data:` lines, a blank line per event,
// `:` comments). No I/O; the stream that owns a connection is in sse_stream.h.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "services/auth.h"
#include "services/event_bus.h"

namespace cp::api::detail {

// `pile` and `type` are comma-separated lists; an event passes when it matches both (an empty
// list matches everything). A type entry matches that exact type and every type below it:
// `config_job` and `config_job.*` both match `config_job.parameter`. With a pile list, events
// about no pile (pile "") do not pass.
class EventFilter {
 public:
  static constexpr std::size_t kMaxEntries = 100;  // per list
  // Errors: "invalid_parameter" naming the parameter and the offending entry.
  static Result<EventFilter> parse(const std::map<std::string, std::string>& query);
  bool matches(const services::LiveEvent& event) const;

 private:
  std::vector<std::string> piles_;  // sorted
  struct TypeEntry {
    std::string type;  // without a trailing ".*"
  };
  std::vector<TypeEntry> types_;
};

// What the events route hands to the server: the stream to open, for whom.
struct EventSubscription {
  EventFilter filter;
  services::Principal principal;
  // The client's Last-Event-ID (header, or `?last_event_id=` for clients that cannot set it):
  // nullopt when it sent none; the text as sent otherwise (replayable only if it is one of our ids).
  std::optional<std::string> last_event_id;
};

// A client's queue of events not yet written, bounded in count and in bytes (bytes = the
// framed size, so the limit is what would go on the wire). `push` refuses, leaving the queue
// as it was, when the event would exceed either limit: the caller drops the client.
// Not thread-safe (the stream guards it).
class EventQueue {
 public:
  EventQueue(std::size_t max_events, std::size_t max_bytes) : max_events_(max_events), max_bytes_(max_bytes) {}
  bool push(std::shared_ptr<const services::LiveEvent> event);
  std::shared_ptr<const services::LiveEvent> pop();  // null when empty
  void clear();
  bool empty() const { return events_.empty(); }
  std::size_t size() const { return events_.size(); }
  std::size_t bytes() const { return bytes_; }

 private:
  std::deque<std::shared_ptr<const services::LiveEvent>> events_;
  std::size_t bytes_ = 0;
  const std::size_t max_events_;
  const std::size_t max_bytes_;
};

// "retry: <ms>\n\n": how long a client waits before reconnecting.
std::string sse_retry(std::uint64_t milliseconds);
inline constexpr std::string_view kSseKeepAlive = ": keep-alive\n\n";
// One event: `id:` (when given), `event:`, one `data:` line per line of `data`, blank line.
// CR and LF are removed from `event` (a field value cannot hold them).
void append_sse_event(std::string& out, std::optional<std::uint64_t> id, std::string_view event,
                      std::string_view data);
void append_sse_event(std::string& out, const services::LiveEvent& event);
std::size_t sse_event_size(const services::LiveEvent& event);  // bytes append_sse_event adds

}  // namespace cp::api::detail
