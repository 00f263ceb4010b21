#include "services/control.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <future>

#include "services/detail/encoding.h"

namespace cp::services {
namespace {

namespace json = boost::json;

constexpr const char* kInterruptedDetail =
    "the server stopped before the pile's answer was recorded; the pile may or may not have acted";

// The pile's answer as a JSON value for the live event (the runner stores valid JSON text).
json::value response_value(const std::optional<std::string>& text) {
  if (!text || text->empty()) return nullptr;
  boost::system::error_code ec;
  auto v = json::parse(*text, ec);
  if (ec) return json::value(*text);
  return v;
}

}  // namespace

Control::Control(store::Store& store, Registry& registry, EventBus& bus, const Clock& clock, Metrics& metrics,
                 Post post)
    : store_(store), registry_(registry), bus_(bus), clock_(clock), metrics_(metrics), post_(std::move(post)) {}

Result<std::size_t> Control::recover_interrupted() {
  store::CommandQuery open;
  open.open_only = true;
  open.limit = 1'000'000;
  auto left = store_.commands(open);
  if (!left) return fail(left.error());
  if (left->empty()) return std::size_t{0};
  std::promise<Status> committed;
  store_.submit({store::FinishOpenCommands{"Interrupted", kInterruptedDetail, clock_.now()}},
                [&committed](const Status& s) { committed.set_value(s); });
  if (auto s = committed.get_future().get(); !s) return fail(s.error());
  for (const auto& c : *left)
    spdlog::warn("command_interrupted id={} pile={} type={} was={}", c.id, c.pile, c.type, c.status);
  return left->size();
}

std::string Control::next_id() {
  // 12 hex digits of Unix ms, then a per-millisecond sequence and 16 random bits: ids sort by
  // creation time (the history cursor relies on it) and do not repeat across restarts.
  const auto random = detail::random_bytes(2);
  std::lock_guard lock(id_mu_);
  std::int64_t ms = to_millis(clock_.now());
  if (ms <= last_id_ms_) {
    ms = last_id_ms_;
    ++id_seq_;
  } else {
    id_seq_ = 0;
  }
  last_id_ms_ = ms;
  const unsigned r = (static_cast<unsigned char>(random[0]) << 8) | static_cast<unsigned char>(random[1]);
  return fmt::format("{:012x}-{:04x}{:04x}", ms, id_seq_ & 0xffff, r);
}

void Control::check_commands_for(std::string protocol, Check check) {
  checks_[std::move(protocol)] = std::move(check);
}

void Control::submit(CommandRequest request, Accepted accepted) {
  const auto protocol = registry_.protocol(request.pile);
  if (!protocol) return accepted(fail("pile_not_found", "no pile '" + request.pile + "'"));
  if (auto check = checks_.find(*protocol); check != checks_.end() && check->second) {
    if (auto ok = check->second(request.command); !ok) return accepted(fail(ok.error()));
  }
  store::CommandRecord record;
  record.id = next_id();
  record.pile = request.pile;
  record.type = domain::command_type(request.command);
  record.args_json = std::move(request.args_json);
  record.status = "Pending";
  record.created_by = std::move(request.created_by);
  record.created = record.updated = clock_.now();
  store::WriteBatch batch{store::InsertCommand{record}};
  if (request.audit) {
    request.audit->target = record.id;
    batch.push_back(store::InsertAudit{std::move(*request.audit)});
  }
  store_.submit(std::move(batch),
                [this, record, command = std::move(request.command), accepted = std::move(accepted)](
                    const Status& s) mutable {
                  if (!s) return accepted(fail(s.error()));
                  spdlog::info("command_accepted id={} pile={} type={} by={}", record.id, record.pile, record.type,
                               record.created_by);
                  accepted(record.id);
                  post_([this, record = std::move(record), command = std::move(command)]() mutable {
                    dispatch(std::move(record), std::move(command));
                  });
                });
}

void Control::dispatch(store::CommandRecord record, domain::Command command) {
  auto link = registry_.link(record.pile);
  if (!link) return finish(record, {"Offline", "the pile is not connected", "", {}, {}, {}});
  // Sent is written before the session sees the command, and writes commit in submission
  // order, so the final update always lands after it.
  store_.submit({store::UpdateCommand{record.id, "Sent", "", std::nullopt, clock_.now()}}, [id = record.id](const Status& s) {
    if (!s) spdlog::error("command_store_failed id={} status=Sent error=\"{}\"", id, s.error().message);
  });
  domain::CommandObserver observer;
  observer.done = [this, record](domain::CommandOutcome outcome) { finish(record, std::move(outcome)); };
  link->execute(std::move(command), std::move(observer));
}

void Control::finish(const store::CommandRecord& record, domain::CommandOutcome outcome) {
  std::optional<std::string> response;
  if (!outcome.response_json.empty()) response = outcome.response_json;
  const Timestamp at = clock_.now();
  store::UpdateCommand update{record.id, outcome.status, outcome.detail, response, at};
  store_.submit({update}, [this, record, update](const Status& s) {
    if (!s) {
      // Not durable, so not announced; the row stays Sent and becomes Interrupted at restart.
      spdlog::error("command_store_failed id={} status={} error=\"{}\"", record.id, update.status, s.error().message);
      return;
    }
    metrics_
        .counter("chargeplane_commands_total", "Remote-control commands finished, by type and final status",
                 {{"type", record.type}, {"status", update.status}})
        .inc();
    spdlog::info("command_finished id={} pile={} type={} status={}", record.id, record.pile, record.type,
                 update.status);
    if (!bus_.has_subscribers()) return;
    json::object event{{"type", "command.result"},
                       {"pile", record.pile},
                       {"at", format_rfc3339(update.updated)},
                       {"command", record.id},
                       {"command_type", record.type},
                       {"status", update.status},
                       {"detail", update.detail},
                       {"response", response_value(update.response_json)}};
    bus_.publish("command.result", record.pile, update.updated, json::serialize(event));
  });
}

Result<std::optional<store::CommandRecord>> Control::command(const std::string& id) { return store_.command(id); }

Result<std::vector<store::CommandRecord>> Control::history(const store::CommandQuery& query) {
  return store_.commands(query);
}

}  // namespace cp::services
