#include "api/detail/sse.h"

#include <algorithm>

namespace cp::api::detail {
namespace {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const auto end = comma == std::string::npos ? text.size() : comma;
    out.push_back(text.substr(start, end - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// The pile id rule of docs/api.md: 1-48 of A-Z a-z 0-9 . _ -
bool valid_pile_id(std::string_view id) {
  if (id.empty() || id.size() > 48) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
  });
}

// Event types are dotted lower-case words: "connector.status", "config_job.parameter".
bool valid_type(std::string_view type) {
  if (type.empty() || type.size() > 64 || type.front() == '.' || type.back() == '.') return false;
  return std::all_of(type.begin(), type.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.'; });
}

constexpr std::string_view kId = "id: ";
constexpr std::string_view kEvent = "event: ";
constexpr std::string_view kData = "data: ";

}  // namespace

Result<EventFilter> EventFilter::parse(const std::map<std::string, std::string>& query) {
  EventFilter f;
  if (auto it = query.find("pile"); it != query.end()) {
    for (auto& id : split_list(it->second)) {
      if (!valid_pile_id(id)) return fail("invalid_parameter", "pile: '" + id + "' is not a pile id");
      f.piles_.push_back(std::move(id));
    }
    if (f.piles_.size() > kMaxEntries)
      return fail("invalid_parameter", "pile: at most " + std::to_string(kMaxEntries) + " piles");
    std::sort(f.piles_.begin(), f.piles_.end());
  }
  if (auto it = query.find("type"); it != query.end()) {
    for (auto& t : split_list(it->second)) {
      std::string type = t.size() > 2 && t.ends_with(".*") ? t.substr(0, t.size() - 2) : t;
      if (!valid_type(type)) return fail("invalid_parameter", "type: '" + t + "' is not an event type");
      f.types_.push_back({std::move(type)});
    }
    if (f.types_.size() > kMaxEntries)
      return fail("invalid_parameter", "type: at most " + std::to_string(kMaxEntries) + " types");
  }
  return f;
}

bool EventFilter::matches(const services::LiveEvent& e) const {
  if (!piles_.empty() && !std::binary_search(piles_.begin(), piles_.end(), e.pile)) return false;
  if (types_.empty()) return true;
  return std::any_of(types_.begin(), types_.end(), [&](const TypeEntry& t) {
    return e.type == t.type || (e.type.size() > t.type.size() && e.type.starts_with(t.type) &&
                                e.type[t.type.size()] == '.');
  });
}

bool EventQueue::push(std::shared_ptr<const services::LiveEvent> event) {
  const auto size = sse_event_size(*event);
  if (events_.size() + 1 > max_events_ || bytes_ + size > max_bytes_) return false;
  bytes_ += size;
  events_.push_back(std::move(event));
  return true;
}

std::shared_ptr<const services::LiveEvent> EventQueue::pop() {
  if (events_.empty()) return nullptr;
  auto e = std::move(events_.front());
  events_.pop_front();
  bytes_ -= sse_event_size(*e);
  return e;
}

void EventQueue::clear() {
  events_.clear();
  bytes_ = 0;
}

std::string sse_retry(std::uint64_t milliseconds) { return "retry: " + std::to_string(milliseconds) + "\n\n"; }

void append_sse_event(std::string& out, std::optional<std::uint64_t> id, std::string_view event,
                      std::string_view data) {
  if (id) {
    out += kId;
    out += std::to_string(*id);
    out += '\n';
  }
  out += kEvent;
  for (char c : event)
    if (c != '\r' && c != '\n') out += c;
  out += '\n';
  // A data line ends at CR, LF or CRLF; each line of the payload gets its own `data:` field and
  // the client joins them with LF (compact JSON has none, so this is one line in practice).
  std::size_t start = 0;
  for (;;) {
    const auto end = data.find_first_of("\r\n", start);
    out += kData;
    out += data.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    out += '\n';
    if (end == std::string_view::npos) break;
    start = end + ((data[end] == '\r' && end + 1 < data.size() && data[end + 1] == '\n') ? 2 : 1);
  }
  out += '\n';
}

void append_sse_event(std::string& out, const services::LiveEvent& e) { append_sse_event(out, e.seq, e.type, e.json); }

std::size_t sse_event_size(const services::LiveEvent& e) {
  // The common case computed, not rendered: no line breaks in the JSON.
  if (e.json.find_first_of("\r\n") == std::string::npos && e.type.find_first_of("\r\n") == std::string::npos)
    return kId.size() + std::to_string(e.seq).size() + 1 + kEvent.size() + e.type.size() + 1 + kData.size() +
           e.json.size() + 2;
  std::string rendered;
  append_sse_event(rendered, e);
  return rendered.size();
}

}  // namespace cp::api::detail
