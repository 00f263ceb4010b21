// PileAdapter: platform commands -> YKC frames, the pile's answers -> outcomes (docs/ykc.md
// "Commands"). One command at a time; the session queues the rest and arms the timeout.
//
//   RemoteStart       -> 0x34 (new transaction serial) / 0x33: result 1 "Accepted" once the
//                        transaction is recorded, 0 "Rejected" (detail: the pile's reason)
//   RemoteStartParallel (V1.6 only) -> one 0xA4 per gun, its own transaction serial, one
//                        parallel serial / an 0xA3 per gun: "Accepted" once every gun started
//                        and its transaction is recorded, "Rejected" if any gun refused (detail:
//                        each gun's reason); V1.5 piles: "NotSupported", nothing sent
//   RemoteStop        -> 0x36 for the gun running that transaction / 0x35
//   Reset             -> 0x92 (hard: immediately, soft: when idle) / 0x91
//   ChangeAvailability (connector 0) and ApplyConfig work_enabled / max_output_power_percent
//                     -> one 0x52 with both fields / 0x51; every other parameter NotSupported
//                        (raw "ykc:" keys UnknownParameter): YKC has no other settable parameter
//   TriggerMessage MeterValues|StatusNotification -> 0x12 / the gun's 0x13
//   anything else     -> "NotSupported" at once, nothing sent
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "domain/parameters.h"
#include "protocol/ykc/detail/adapter_state.h"
#include "protocol/ykc/event_map.h"

namespace cp::ykc {
namespace {

domain::CommandOutcome outcome(std::string status, std::string detail) {
  return {std::move(status), std::move(detail), "", {}, {}, {}};
}

const char* start_reason(std::uint8_t r) {
  switch (r) {
    case 1: return "pile number mismatch";
    case 2: return "gun already charging";
    case 3: return "device fault";
    case 4: return "device offline";
    case 5: return "gun not plugged in";
    default: return "no reason given";
  }
}
const char* stop_reason_text(std::uint8_t r) {
  switch (r) {
    case 1: return "pile number mismatch";
    case 2: return "gun not charging";
    case 3: return "other";
    default: return "no reason given";
  }
}

// id_tag -> logical card (8 BCD bytes): its digits when it is up to 16 decimal digits, else zeros
// (the id tag is kept on the transaction either way).
std::string logical_card(const std::string& id_tag) {
  if (!id_tag.empty() && id_tag.size() <= 16 && id_tag.find_first_not_of("0123456789") == std::string::npos)
    return std::string(16 - id_tag.size(), '0') + id_tag;
  return std::string(16, '0');
}

bool parse_bool(const std::string& v) { return v == "true"; }

}  // namespace

bool PileAdapter::command_waiting() const { return s_->running.has_value(); }

void PileAdapter::run_command(domain::Command command, domain::CommandObserver observer) {
  auto& s = *s_;
  s.running = State::Running{std::move(command), std::move(observer)};
  auto& r = *s.running;
  r.id = ++s.commands_run;
  r.type = domain::command_type(r.command);
  const auto not_supported = [&](const std::string& why) { s.finish_command(outcome("NotSupported", why)); };

  if (auto* start = std::get_if<domain::RemoteStart>(&r.command)) {
    r.gun = start->connector.value_or(1);
    if (r.gun < 1 || r.gun > 99) return s.finish_command(outcome("InvalidRequest", "YKC gun numbers are 1..99"));
    r.serial = transaction_serial(s.pile, r.gun, s.clock.now(), ++s.serial_counter);
    RemoteStart m;
    m.serial = r.serial;
    m.pile = s.pile;
    m.gun = static_cast<std::uint8_t>(r.gun);
    m.logical_card = logical_card(start->id_tag);
    m.balance = s.settings.remote_start_balance_fen;  // the platform keeps no balances: a per-pile cap
    r.reply_type = RemoteStartReply::kType;
    return s.send_request(m);
  }
  if (auto* parallel = std::get_if<domain::RemoteStartParallel>(&r.command)) {
    if (s.codec.options().protocol_version < kVersion16)
      return not_supported("parallel charging (0xA4) needs YKC V1.6; this pile logged in with an older version");
    if (parallel->connectors.size() < 2) return s.finish_command(outcome("InvalidRequest", "two or more guns"));
    for (int gun : parallel->connectors)
      if (gun < 1 || gun > 99) return s.finish_command(outcome("InvalidRequest", "YKC gun numbers are 1..99"));
    const auto now = s.clock.now();
    r.parallel_serial = parallel_serial(now);
    r.reply_type = ParallelRemoteStartReply::kType;
    for (int gun : parallel->connectors)
      r.parallel.push_back({gun, transaction_serial(s.pile, gun, now, ++s.serial_counter)});
    for (const auto& g : r.parallel) {
      ParallelRemoteStart m;
      m.start.serial = g.serial;
      m.start.pile = s.pile;
      m.start.gun = static_cast<std::uint8_t>(g.gun);
      m.start.logical_card = logical_card(parallel->id_tag);
      m.start.balance = s.settings.remote_start_balance_fen;
      m.parallel_serial = r.parallel_serial;
      s.send_request(m);
    }
    return;
  }
  if (auto* stop = std::get_if<domain::RemoteStop>(&r.command)) {
    for (const auto& [gun, tx] : s.gun_tx)
      if (tx == stop->transaction) r.gun = gun;
    if (r.gun == 0)
      return s.finish_command(outcome("Rejected", fmt::format("transaction {} is not running on this pile", stop->transaction)));
    r.reply_type = RemoteStopReply::kType;
    return s.send_request(RemoteStop{s.pile, static_cast<std::uint8_t>(r.gun)});
  }
  if (auto* reset = std::get_if<domain::Reset>(&r.command)) {
    r.reply_type = RebootReply::kType;
    return s.send_request(Reboot{s.pile, static_cast<std::uint8_t>(reset->hard ? 1 : 2)});
  }
  if (auto* avail = std::get_if<domain::ChangeAvailability>(&r.command)) {
    if (avail->connector != 0) return not_supported("YKC can enable or disable the whole pile only (connector 0)");
    r.reply_type = WorkParamsReply::kType;
    return s.send_request(WorkParams{s.pile, static_cast<std::uint8_t>(avail->operative ? 0 : 1), s.max_power_percent});
  }
  if (auto* trigger = std::get_if<domain::TriggerMessage>(&r.command)) {
    if (trigger->message != "MeterValues" && trigger->message != "StatusNotification")
      return not_supported("YKC can only be asked for real-time data (MeterValues, StatusNotification)");
    r.gun = trigger->connector.value_or(1);
    if (r.gun < 1 || r.gun > 99) return s.finish_command(outcome("InvalidRequest", "YKC gun numbers are 1..99"));
    r.reply_type = RealtimeData::kType;
    return s.send_request(RealtimeDataPoll{s.pile, static_cast<std::uint8_t>(r.gun)});
  }
  if (auto* apply = std::get_if<domain::ApplyConfig>(&r.command)) {
    WorkParams m{s.pile, s.work_disabled, s.max_power_percent};
    r.results.resize(apply->settings.size());
    for (std::size_t i = 0; i < apply->settings.size(); ++i) {
      const auto& setting = apply->settings[i];
      auto& result = r.results[i];
      result.parameter = setting.parameter;
      result.at = s.clock.now();
      const auto mapping = domain::mapping_for(setting.parameter, "ykc");
      if (mapping && mapping->key == "0x52.work_enabled") {
        m.disabled = parse_bool(setting.value) ? 0 : 1;
        r.frame_settings.push_back(i);
      } else if (mapping && mapping->key == "0x52.max_output_power_percent") {
        m.max_power_percent = static_cast<std::uint8_t>(std::stoi(setting.value));
        r.frame_settings.push_back(i);
      } else {
        result.status = domain::parse_raw_key(setting.parameter) ? domain::ParameterStatus::UnknownParameter
                                                                 : domain::ParameterStatus::NotSupported;
        result.detail = "YKC can set only work_enabled and max_output_power_percent (frame 0x52)";
        if (r.observer.parameter) r.observer.parameter(result);
      }
    }
    if (r.frame_settings.empty()) {
      domain::CommandOutcome out = outcome("Completed", "nothing YKC can carry");
      out.parameters = std::move(r.results);
      return s.finish_command(std::move(out));
    }
    r.reply_type = WorkParamsReply::kType;
    return s.send_request(m);
  }
  not_supported(std::string("YKC has no frame for ") + r.type);
}

void PileAdapter::State::finish_command(domain::CommandOutcome out) {
  if (!running) return;
  auto r = std::move(*running);
  running.reset();
  shared.command(r.type.c_str(), out.status.c_str()).inc();
  if (r.observer.done) r.observer.done(std::move(out));
}

bool PileAdapter::State::on_command_reply(const Message& m) {
  if (!running || type_of(m) != running->reply_type) return false;
  auto& r = *running;
  if (auto* start = std::get_if<RemoteStartReply>(&m)) {
    if (start->serial != r.serial) return false;
    if (start->result != 1)
      return finish_command(outcome("Rejected", std::string("the pile refused: ") + start_reason(start->reason))), true;
    on_remote_start_reply(*start, [this, id = r.id](bool durable) {
      if (!running || running->id != id) return;  // it timed out meanwhile; another command runs
      finish_command(durable ? outcome("Accepted", "charging started")
                             : outcome("Accepted", "charging started; recording the transaction failed"));
    });
    return true;
  }
  if (auto* parallel = std::get_if<ParallelRemoteStartReply>(&m)) {
    auto it = std::find_if(r.parallel.begin(), r.parallel.end(),
                           [&](const auto& g) { return g.serial == parallel->reply.serial; });
    if (it == r.parallel.end()) return false;  // not ours: recorded as an unsolicited 0xA3
    if (it->reply) return true;                // a repeat of an answer we already have
    it->reply = parallel->reply;
    spdlog::info("ykc.parallel_remote_start_reply pile={} gun={} role={} result={} parallel_serial={}", pile,
                 parallel->reply.gun, parallel->slave ? "slave" : "master", parallel->reply.result,
                 parallel->parallel_serial);
    if (parallel->reply.result != 1) {
      it->settled = true;
      settle_parallel_start();
      return true;
    }
    on_remote_start_reply(parallel->reply, [this, id = r.id, gun = it->gun](bool durable) {
      if (!running || running->id != id) return;  // it timed out meanwhile; another command runs
      for (auto& g : running->parallel) {
        if (g.gun != gun) continue;
        g.settled = true;
        g.recorded = durable;
      }
      settle_parallel_start();
    });
    return true;
  }
  if (auto* stop = std::get_if<RemoteStopReply>(&m)) {
    finish_command(stop->result == 1 ? outcome("Accepted", "")
                                     : outcome("Rejected", std::string("the pile refused: ") + stop_reason_text(stop->reason)));
    return true;
  }
  if (auto* reboot = std::get_if<RebootReply>(&m)) {
    finish_command(reboot->result == 1 ? outcome("Accepted", "") : outcome("Rejected", "the pile refused to reboot"));
    return true;
  }
  if (auto* work = std::get_if<WorkParamsReply>(&m)) {
    const bool ok = work->result == 1;
    if (auto* avail = std::get_if<domain::ChangeAvailability>(&r.command)) {
      if (ok) work_disabled = avail->operative ? 0 : 1;
      finish_command(ok ? outcome("Accepted", "") : outcome("Rejected", "the pile refused the working parameters"));
      return true;
    }
    auto& apply = std::get<domain::ApplyConfig>(r.command);
    domain::CommandOutcome out = outcome("Completed", "");
    for (auto i : r.frame_settings) {
      auto& result = r.results[i];
      result.status = ok ? domain::ParameterStatus::Accepted : domain::ParameterStatus::Rejected;
      result.detail = ok ? "" : "the pile refused the working parameters (0x51 result 0)";
      result.at = clock.now();
      if (ok) {
        const auto& setting = apply.settings[i];
        const auto key = domain::mapping_for(setting.parameter, "ykc")->key;
        if (key == "0x52.work_enabled") work_disabled = parse_bool(setting.value) ? 0 : 1;
        else max_power_percent = static_cast<std::uint8_t>(std::stoi(setting.value));
        out.configuration.push_back({key, setting.parameter, setting.value, false});
      }
      if (r.observer.parameter) r.observer.parameter(result);
    }
    out.parameters = std::move(r.results);
    finish_command(std::move(out));
    return true;
  }
  return false;
}

void PileAdapter::State::settle_parallel_start() {
  const auto& guns = running->parallel;
  if (!std::all_of(guns.begin(), guns.end(), [](const auto& g) { return g.settled; })) return;
  std::string refused, started, unrecorded;
  const auto add = [](std::string& list, const std::string& item) { list += (list.empty() ? "" : ", ") + item; };
  for (const auto& g : guns) {
    if (g.reply->result != 1) {
      add(refused, fmt::format("gun {} ({})", g.gun, start_reason(g.reply->reason)));
      continue;
    }
    add(started, fmt::format("gun {}", g.gun));
    if (!g.recorded) add(unrecorded, fmt::format("gun {}", g.gun));
  }
  std::string detail = refused.empty() ? "parallel charging started" : "the pile refused " + refused;
  if (!refused.empty() && !started.empty()) detail += "; started anyway: " + started;
  if (!unrecorded.empty()) detail += "; recording the transaction failed for " + unrecorded;
  finish_command(outcome(refused.empty() ? "Accepted" : "Rejected", std::move(detail)));
}

void PileAdapter::on_command_timeout() {
  auto& s = *s_;
  if (!s.running) return;
  if (auto* apply = std::get_if<domain::ApplyConfig>(&s.running->command)) {
    (void)apply;
    domain::CommandOutcome out = outcome("Timeout", "the pile did not answer in time");
    for (auto i : s.running->frame_settings) {
      s.running->results[i].status = domain::ParameterStatus::Timeout;
      s.running->results[i].detail = "no 0x51 answer";
    }
    out.parameters = std::move(s.running->results);
    return s.finish_command(std::move(out));
  }
  s.finish_command(outcome("Timeout", "the pile did not answer in time"));
}

void PileAdapter::on_closed() {
  auto& s = *s_;
  s.closing = true;
  if (!s.running) return;
  if (std::get_if<domain::ApplyConfig>(&s.running->command)) {
    domain::CommandOutcome out = outcome("Offline", "the connection closed before the pile answered");
    for (auto i : s.running->frame_settings) {
      s.running->results[i].status = domain::ParameterStatus::Offline;
      s.running->results[i].detail = "the connection closed";
    }
    out.parameters = std::move(s.running->results);
    return s.finish_command(std::move(out));
  }
  s.finish_command(outcome("Offline", "the connection closed before the pile answered"));
}

}  // namespace cp::ykc
