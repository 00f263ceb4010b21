#include "sim/detail/ykc_pile.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "protocol/ykc/units.h"

namespace cp::sim {

using namespace ykc;

namespace {
constexpr std::int64_t kRecordRetry30s = 30'000;
constexpr std::int64_t kRecordRetry5min = 300'000;
const std::string kIdleSerial(32, '0');
}  // namespace

YkcPile::YkcPile(YkcPileConfig config, std::int64_t now_ms) : cfg_(std::move(config)), rng_(cfg_.seed) {
  cfg_.options.protocol_version = cfg_.protocol_version;
  std::uniform_real_distribution<double> meter(1e5, 5e6);
  meter_wh_ = std::round(meter(rng_));
  for (int i = 1; i <= cfg_.guns; ++i) {
    Gun g;
    g.number = i;
    g.next_session_ms = now_ms + uniform_ms(cfg_.idle_gap_min, cfg_.idle_gap_max);
    guns_.push_back(g);
  }
}

std::int64_t YkcPile::uniform_ms(std::chrono::milliseconds lo, std::chrono::milliseconds hi) {
  std::uniform_int_distribution<std::int64_t> d(lo.count(), std::max(lo.count(), hi.count()));
  return d(rng_);
}

YkcPile::Gun& YkcPile::gun(std::uint8_t number) { return guns_[static_cast<std::size_t>(number - 1)]; }

bool YkcPile::charging(int gun) const {
  return gun >= 1 && gun <= cfg_.guns && guns_[static_cast<std::size_t>(gun - 1)].session.has_value();
}

std::vector<YkcOutgoing> YkcPile::on_connected(std::int64_t now_ms) {
  reconnect_ = false;
  logged_in_ = false;
  for (auto& g : guns_) {
    g.unanswered_heartbeats = 0;
    g.awaiting_authorisation_ms.reset();
    g.next_heartbeat_ms = now_ms + cfg_.heartbeat.count();
  }
  Login login{cfg_.pile, std::uint8_t(cfg_.dc ? 0 : 1), std::uint8_t(cfg_.guns), cfg_.protocol_version,
              "SIM1.0", 1, std::string(20, '0'), 4};
  return {YkcOutgoing{login, std::nullopt}};
}

void YkcPile::on_disconnected() {
  logged_in_ = false;
  for (auto& r : records_) r.sent = false;  // resend after the next login
}

bool YkcPile::parallel_start_possible(const Gun& g) const {
  if (cfg_.parallel_every <= 0 || !cfg_.dc || cfg_.protocol_version < ykc::kVersion16 || cfg_.guns < 2 || g.number != 1)
    return false;
  const Gun& slave = guns_[1];
  return !slave.session && !slave.awaiting_authorisation_ms;
}

double YkcPile::power_cap_w() const { return cfg_.max_power_w * power_percent_ / 100.0; }

std::string YkcPile::next_serial(int gun, std::int64_t now_ms) {
  // notes §1.1: pile (7) + gun (1) + yyMMddHHmmss (6) + counter (2); the pile makes it only offline,
  // the simulator uses the same shape for the serial it proposes in 0x31 records.
  const auto t = cp56_from_unix_ms(pile_time(now_ms));
  return fmt::format("{}{:02d}{:02d}{:02d}{:02d}{:02d}{:02d}{:02d}{:04d}", cfg_.pile, gun, t.year, t.month, t.day, t.hour,
                     t.minute, t.milliseconds / 1000, ++serial_counter_ % 10000);
}

std::uint8_t YkcPile::status_of(const Gun& g) const {
  if (g.session) return 3;
  return 2;
}

RealtimeData YkcPile::realtime(const Gun& g) const {
  RealtimeData d;
  d.pile = cfg_.pile;
  d.gun = static_cast<std::uint8_t>(g.number);
  d.status = status_of(g);
  d.serial = kIdleSerial;
  d.holstered = g.session ? 0 : 1;
  d.plugged = g.session ? 1 : 0;
  d.cable_temp = temperature_raw(25);
  if (!g.session) return d;
  const auto& s = *g.session;
  const double soc = s.curve.soc_percent();
  const double volts = cfg_.dc ? 300.0 + 1.2 * soc : 230.0;
  const double amps = s.curve.power_w() / volts;
  d.serial = s.serial;
  d.voltage_dv = static_cast<std::uint16_t>(std::lround(volts * 10));
  d.current_da = static_cast<std::uint16_t>(std::lround(amps * 10));
  d.cable_temp = temperature_raw(static_cast<int>(std::lround(s.curve.temperature_c())));
  d.soc = cfg_.dc ? static_cast<std::uint8_t>(std::lround(soc)) : 0;
  d.battery_max_temp = cfg_.dc ? temperature_raw(static_cast<int>(std::lround(s.curve.temperature_c() - 5))) : 0;
  d.charging_minutes = static_cast<std::uint16_t>((s.last_advance_ms - s.started_ms) / 60000);
  const double left_wh = std::max(0.0, (s.curve.ev().soc_target - soc) / 100.0 * s.curve.ev().capacity_wh);
  d.remaining_minutes = cfg_.dc && s.curve.power_w() > 0
                            ? static_cast<std::uint16_t>(std::min(65535.0, left_wh / s.curve.power_w() * 60))
                            : 0;
  d.energy = static_cast<std::uint32_t>(std::lround(s.curve.delivered_wh() * 10));  // ×1e-4 kWh
  d.lossy_energy = d.energy;
  d.amount = amount_of(s);
  return d;
}

std::uint8_t YkcPile::tier_at(std::int64_t now_ms) const {
  if (!has_billing_model_) return 2;  // flat
  const auto t = cp56_from_unix_ms(pile_time(now_ms));
  return model_.slots[static_cast<std::size_t>(t.hour * 2 + t.minute / 30) % 48] & 3;
}

std::uint32_t YkcPile::price_of(std::uint8_t tier) const {
  if (!has_billing_model_) return 100000;  // 1 yuan/kWh
  switch (tier & 3) {
    case 0: return model_.sharp_energy + model_.sharp_service;
    case 1: return model_.peak_energy + model_.peak_service;
    case 2: return model_.flat_energy + model_.flat_service;
    default: return model_.valley_energy + model_.valley_service;
  }
}

void YkcPile::bill(Session& s, std::int64_t now_ms) const {
  const double delivered = s.curve.delivered_wh();
  s.tier_wh[tier_at(now_ms)] += delivered - s.billed_wh;
  s.billed_wh = delivered;
}

std::uint32_t YkcPile::amount_of(const Session& s) const {
  double amount = 0;  // Wh × (1e-5 yuan/kWh) = 1e-8 yuan; the frame counts 1e-4 yuan
  for (std::uint8_t t = 0; t < 4; ++t) amount += s.tier_wh[t] * price_of(t) / 1e4;
  return static_cast<std::uint32_t>(std::llround(amount));
}

void YkcPile::start_session(Gun& g, std::string serial, std::uint8_t start_type, const Card& card, std::int64_t now_ms,
                            std::vector<YkcOutgoing>& out) {
  EvProfile ev = random_ev(rng_);
  ev.max_power_w = cfg_.max_power_w;
  std::uniform_real_distribution<double> ambient(5, 30);
  Session s{std::move(serial), ChargingCurve(ev, meter_wh_, ambient(rng_), rng_()), now_ms, now_ms, 0, start_type, card,
            false, 0x45};
  s.curve.set_power_cap_w(power_cap_w());
  std::uniform_int_distribution<int> samples(cfg_.session_samples_min, std::max(cfg_.session_samples_min, cfg_.session_samples_max));
  s.samples_left = samples(rng_);
  g.session = std::move(s);
  g.next_realtime_ms = now_ms + cfg_.realtime_charging.count();
  ++stats_.sessions_started;
  const auto& ss = *g.session;
  const auto gn = static_cast<std::uint8_t>(g.number);
  out.push_back({realtime(g), std::nullopt});
  ++stats_.realtime;
  if (cfg_.dc) {
    BmsHandshake hs{};
    hs.serial = ss.serial;
    hs.pile = cfg_.pile;
    hs.gun = gn;
    hs.bms_version = {0x01, 0x01, 0x00};
    hs.battery_type = 3;
    hs.rated_capacity = static_cast<std::uint16_t>(ev.capacity_wh / 400.0 * 10);  // Ah at 400 V, ×0.1
    hs.rated_voltage = 4000;
    hs.vin = "LSIM" + cfg_.pile.substr(1, 13);
    out.push_back({hs, std::nullopt});
    BmsParameters bp{ss.serial, cfg_.pile, gn, 420, 4000 + 2000, static_cast<std::uint16_t>(ev.capacity_wh / 100),
                     4500, temperature_raw(55), static_cast<std::uint16_t>(ev.soc_start * 10), 3600, 7500, 2000,
                     static_cast<std::uint16_t>(4000 + cfg_.max_power_w / 300.0 * 10), 4000};
    out.push_back({bp, std::nullopt});
  }
}

void YkcPile::end_session(Gun& g, std::int64_t now_ms, std::vector<YkcOutgoing>& out) {
  auto& s = *g.session;
  const auto gn = static_cast<std::uint8_t>(g.number);
  TransactionRecord r{};
  r.serial = s.serial;
  r.pile = cfg_.pile;
  r.gun = gn;
  r.start = cp56_from_unix_ms(pile_time(s.started_ms));
  r.end = cp56_from_unix_ms(pile_time(now_ms));
  bill(s, now_ms);
  const auto energy = static_cast<std::uint32_t>(std::lround(s.curve.delivered_wh() * 10));  // ×1e-4 kWh
  // Each tier's energy as the pile metered it, at that tier's price; rounding is settled on the
  // tier that took the most, so the tiers add up to the total exactly.
  std::array<std::uint32_t, 4> tier_energy{};
  std::size_t most = 2;
  std::int64_t assigned = 0;
  for (std::size_t t = 0; t < 4; ++t) {
    tier_energy[t] = static_cast<std::uint32_t>(std::lround(std::max(0.0, s.tier_wh[t]) * 10));
    assigned += tier_energy[t];
    if (s.tier_wh[t] > s.tier_wh[most]) most = t;
  }
  tier_energy[most] = static_cast<std::uint32_t>(std::max<std::int64_t>(0, tier_energy[most] + (energy - assigned)));
  TierUsage* tiers[4] = {&r.sharp, &r.peak, &r.flat, &r.valley};
  std::uint32_t amount = 0;
  for (std::uint8_t t = 0; t < 4; ++t) {
    if (tier_energy[t] == 0) continue;
    const std::uint32_t price = price_of(t);
    const auto tier_amount = static_cast<std::uint32_t>(std::llround(double(tier_energy[t]) * price / 1e5));
    *tiers[t] = TierUsage{price, tier_energy[t], tier_energy[t], tier_amount};
    amount += tier_amount;
  }
  r.meter_start = static_cast<std::uint64_t>(std::llround(meter_wh_ * 10));
  meter_wh_ = s.curve.energy_register_wh();
  r.meter_end = static_cast<std::uint64_t>(std::llround(meter_wh_ * 10));
  r.total_energy = energy;
  r.total_lossy_energy = energy;
  r.total_amount = amount;
  r.vin = cfg_.dc ? "LSIM" + cfg_.pile.substr(1, 13) : "";
  r.start_type = s.start_type;
  r.transaction_time = r.end;
  r.stop_reason = s.stop_reason;
  r.card = s.card;
  if (cfg_.dc) {
    ChargeEnd ce{s.serial, cfg_.pile, gn, static_cast<std::uint8_t>(std::lround(s.curve.soc_percent())), 380, 392,
                 temperature_raw(28), temperature_raw(34), static_cast<std::uint16_t>((now_ms - s.started_ms) / 60000),
                 static_cast<std::uint16_t>(std::lround(s.curve.delivered_wh() / 100)), 1};
    out.push_back({ce, std::nullopt});
    // Who stopped, as GB/T 27930 BST/CST 2-bit fields (first field in the lowest bits): a full
    // battery is the BMS's stop (BST "SOC target reached", then CST "BMS stopped"); an app,
    // platform or driver stop is the charger's (CST "manual stop", then BST "charger stopped").
    if (s.stop_reason == 0x41) {
      out.push_back({BmsStop{s.serial, cfg_.pile, gn, StopReasons{0x01, 0, 0}}, std::nullopt});
      out.push_back({ChargerStop{s.serial, cfg_.pile, gn, StopReasons{0x40, 0, 0}}, std::nullopt});
    } else {
      out.push_back({ChargerStop{s.serial, cfg_.pile, gn, StopReasons{0x04, 0, 0}}, std::nullopt});
      out.push_back({BmsStop{s.serial, cfg_.pile, gn, StopReasons{0x40, 0, 0}}, std::nullopt});
    }
  }
  g.session.reset();
  ++stats_.sessions_stopped;
  out.push_back({realtime(g), std::nullopt});
  ++stats_.realtime;
  g.next_realtime_ms = now_ms + cfg_.realtime_idle.count();
  g.next_session_ms = now_ms + uniform_ms(cfg_.idle_gap_min, cfg_.idle_gap_max);
  records_.push_back(PendingRecord{std::move(r), now_ms, 0, false});
}

void YkcPile::send_records(std::int64_t now_ms, std::vector<YkcOutgoing>& out) {
  if (!logged_in_) return;
  const bool thrice = cfg_.options.record_retry == RecordRetryRule::Every30sThreeTimes;
  for (auto& r : records_) {
    if (!r.sent) {
      r.sent = true;
      r.resends_left = thrice ? 3 : 1;
      r.next_send_ms = now_ms + (thrice ? kRecordRetry30s : kRecordRetry5min);
      out.push_back({r.record, std::nullopt});
      ++stats_.records_sent;
    } else if (r.resends_left > 0 && now_ms >= r.next_send_ms) {
      --r.resends_left;
      r.next_send_ms = now_ms + (thrice ? kRecordRetry30s : kRecordRetry5min);
      out.push_back({r.record, std::nullopt});
      ++stats_.records_resent;
    }
  }
}

std::vector<YkcOutgoing> YkcPile::on_tick(std::int64_t now_ms) {
  std::vector<YkcOutgoing> out;
  if (!logged_in_) return out;
  for (auto& g : guns_) {
    const auto gn = static_cast<std::uint8_t>(g.number);
    if (now_ms >= g.next_heartbeat_ms) {
      if (g.unanswered_heartbeats >= 3) {  // notes §5.1: three missed replies -> log in again
        ++stats_.heartbeats_missed;
        reconnect_ = true;
        return out;
      }
      ++g.unanswered_heartbeats;
      g.next_heartbeat_ms = now_ms + cfg_.heartbeat.count();
      out.push_back({Heartbeat{cfg_.pile, gn, 0}, std::nullopt});
      ++stats_.heartbeats;
    }
    if (g.awaiting_authorisation_ms && now_ms - *g.awaiting_authorisation_ms > cfg_.authorisation_timeout.count()) {
      g.awaiting_authorisation_ms.reset();  // no 0x32: give up, try again after a gap
      g.next_session_ms = now_ms + uniform_ms(cfg_.idle_gap_min, cfg_.idle_gap_max);
    }
    if (g.session) {
      auto& s = *g.session;
      s.curve.set_power_cap_w(power_cap_w());
      s.curve.advance(double(now_ms - s.last_advance_ms) / 1000.0);
      s.last_advance_ms = now_ms;
      bill(s, now_ms);
      if (now_ms >= g.next_realtime_ms) {
        g.next_realtime_ms = now_ms + cfg_.realtime_charging.count();
        out.push_back({realtime(g), std::nullopt});
        ++stats_.realtime;
        if (cfg_.dc) {
          const auto soc = static_cast<std::uint8_t>(std::lround(s.curve.soc_percent()));
          const auto rt = realtime(g);
          const auto bms_current = static_cast<std::uint16_t>(4000 - rt.current_da);  // 0.1 A, −400 A offset
          out.push_back({BmsDemand{s.serial, cfg_.pile, gn, rt.voltage_dv, bms_current, 2, rt.voltage_dv, bms_current,
                                   static_cast<std::uint16_t>(395 | (1 << 12)), soc, rt.remaining_minutes,
                                   rt.voltage_dv, bms_current, rt.charging_minutes},
                         std::nullopt});
          out.push_back({BmsInfo{s.serial, cfg_.pile, gn, 11, rt.battery_max_temp, 3,
                                 static_cast<std::uint8_t>(rt.battery_max_temp - 3), 9, 0x1000},
                         std::nullopt});
        }
        if (--s.samples_left <= 0) s.stop_requested = true;  // the driver leaves (0x45 manual stop)
      }
      if (s.curve.ev_full()) {
        s.stop_requested = true;
        s.stop_reason = 0x41;  // SOC reached
      }
      if (s.stop_requested) end_session(g, now_ms, out);
    } else {
      if (now_ms >= g.next_realtime_ms) {
        g.next_realtime_ms = now_ms + cfg_.realtime_idle.count();
        out.push_back({realtime(g), std::nullopt});
        ++stats_.realtime;
      }
      if (cfg_.card_sessions && !disabled_ && has_billing_model_ && !g.awaiting_authorisation_ms &&
          now_ms >= g.next_session_ms) {
        const Card card = cfg_.cards.empty() ? Card{} : cfg_.cards[rng_() % cfg_.cards.size()];
        ++card_starts_;
        if (parallel_start_possible(g) && (card_starts_ - 1) % cfg_.parallel_every == 0) {  // the 1st, N+1th, ...
          // One car on both guns: gun 1 asks as master, gun 2 as slave, under one parallel serial.
          const auto t = cp56_from_unix_ms(pile_time(now_ms));
          const auto parallel = fmt::format("{:02d}{:02d}{:02d}{:02d}{:02d}{:02d}", t.year, t.month, t.day, t.hour,
                                            t.minute, t.milliseconds / 1000);
          for (Gun* member : {&g, &gun(2)}) {
            const auto number = static_cast<std::uint8_t>(member->number);
            out.push_back({ParallelStartRequest{PileStartRequest{cfg_.pile, number, 1, 0, card, {}, ""},
                                                std::uint8_t(member == &g ? 0 : 1), parallel},
                           std::nullopt});
            member->awaiting_authorisation_ms = now_ms;
            member->presented_card = card;
          }
          ++stats_.parallel_starts;
        } else {
          out.push_back({PileStartRequest{cfg_.pile, gn, 1, 0, card, {}, ""}, std::nullopt});
          g.awaiting_authorisation_ms = now_ms;
          g.presented_card = card;
        }
      }
    }
  }
  send_records(now_ms, out);
  return out;
}

std::vector<YkcOutgoing> YkcPile::on_message(const Message& message, const Seq& seq, std::int64_t now_ms) {
  std::vector<YkcOutgoing> out;
  auto reply = [&](Message m) { out.push_back({std::move(m), seq}); };
  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, LoginReply>) {
          if (m.result != 0) {
            ++stats_.login_refused;
            reconnect_ = true;
            return;
          }
          ++stats_.logins;
          logged_in_ = true;
          for (auto& g : guns_) g.next_realtime_ms = now_ms;  // report every gun right away
          out.push_back({BillingModelVerify{cfg_.pile, billing_model_}, std::nullopt});
          send_records(now_ms, out);
        } else if constexpr (std::is_same_v<T, HeartbeatReply>) {
          if (known_gun(m.gun)) gun(m.gun).unanswered_heartbeats = 0;
        } else if constexpr (std::is_same_v<T, BillingModelVerifyReply>) {
          if (m.result == 0) has_billing_model_ = true;
          else out.push_back({BillingModelRequest{cfg_.pile}, std::nullopt});
        } else if constexpr (std::is_same_v<T, BillingModelReply> || std::is_same_v<T, BillingModelSet>) {
          model_ = m.model;
          billing_model_ = m.model.model;
          has_billing_model_ = true;
          if constexpr (std::is_same_v<T, BillingModelSet>) {
            ++stats_.commands;
            reply(BillingModelSetReply{cfg_.pile, 1});
          }
        } else if constexpr (std::is_same_v<T, RealtimeDataPoll>) {
          ++stats_.commands;
          if (known_gun(m.gun)) {
            reply(realtime(gun(m.gun)));
            ++stats_.realtime;
          }
        } else if constexpr (std::is_same_v<T, StartAuthorisation> || std::is_same_v<T, ParallelStartAuthorisation>) {
          const StartAuthorisation* a = nullptr;
          if constexpr (std::is_same_v<T, ParallelStartAuthorisation>) {
            a = &m.authorisation;
          } else {
            a = &m;
          }
          if (!known_gun(a->gun)) return;
          auto& g = gun(a->gun);
          if (!g.awaiting_authorisation_ms) return;
          g.awaiting_authorisation_ms.reset();
          if (a->result == 1 && !g.session) {
            start_session(g, a->serial, 2, g.presented_card, now_ms, out);
          } else {
            g.next_session_ms = now_ms + uniform_ms(cfg_.idle_gap_min, cfg_.idle_gap_max);
          }
        } else if constexpr (std::is_same_v<T, RemoteStart> || std::is_same_v<T, ParallelRemoteStart>) {
          ++stats_.commands;
          const RemoteStart* start = nullptr;
          if constexpr (std::is_same_v<T, ParallelRemoteStart>) {
            start = &m.start;
          } else {
            start = &m;
          }
          std::uint8_t reason = 0;
          if (start->pile != cfg_.pile) reason = 1;
          else if (!known_gun(start->gun)) reason = 3;
          else if (gun(start->gun).session) reason = 2;
          else if (disabled_) reason = 3;
          const RemoteStartReply answer{start->serial, cfg_.pile, start->gun, std::uint8_t(reason == 0 ? 1 : 0), reason};
          if constexpr (std::is_same_v<T, ParallelRemoteStart>) {
            const bool master = m.parallel_serial != remote_parallel_serial_;
            remote_parallel_serial_ = m.parallel_serial;
            reply(ParallelRemoteStartReply{answer, std::uint8_t(master ? 0 : 1), m.parallel_serial});
          } else {
            reply(answer);
          }
          if (reason == 0) start_session(gun(start->gun), start->serial, 1, start->card, now_ms, out);
        } else if constexpr (std::is_same_v<T, RemoteStop>) {
          ++stats_.commands;
          std::uint8_t reason = 0;
          if (m.pile != cfg_.pile) reason = 1;
          else if (!known_gun(m.gun) || !gun(m.gun).session) reason = 2;
          reply(RemoteStopReply{cfg_.pile, m.gun, std::uint8_t(reason == 0 ? 1 : 0), reason});
          if (reason == 0) {
            gun(m.gun).session->stop_reason = 0x40;  // stopped from the app
            end_session(gun(m.gun), now_ms, out);
            send_records(now_ms, out);
          }
        } else if constexpr (std::is_same_v<T, TransactionRecordAck>) {
          const auto before = records_.size();
          std::erase_if(records_, [&](const PendingRecord& r) { return r.record.serial == m.serial; });
          stats_.records_confirmed += before - records_.size();
        } else if constexpr (std::is_same_v<T, WorkParams>) {
          ++stats_.commands;
          const bool ok = m.pile == cfg_.pile && m.disabled <= 1 && m.max_power_percent >= 30 && m.max_power_percent <= 100;
          if (ok) {
            disabled_ = m.disabled == 1;
            power_percent_ = m.max_power_percent;
          }
          reply(WorkParamsReply{cfg_.pile, std::uint8_t(ok ? 1 : 0)});
        } else if constexpr (std::is_same_v<T, TimeSync>) {
          ++stats_.commands;
          if (auto t = cp56_to_unix_ms(m.time)) clock_offset_ms_ = *t - now_ms;
          reply(TimeSyncReply{cfg_.pile, cp56_from_unix_ms(pile_time(now_ms))});
        } else if constexpr (std::is_same_v<T, Reboot>) {
          ++stats_.commands;
          reply(RebootReply{cfg_.pile, 1});
          reconnect_ = true;  // "immediately" and "when idle" alike: the simulator has no hardware to wait for
        } else if constexpr (std::is_same_v<T, BalanceUpdate>) {
          ++stats_.commands;
          reply(BalanceUpdateReply{cfg_.pile, m.card, std::uint8_t(m.pile == cfg_.pile ? 0 : 1)});
        } else if constexpr (std::is_same_v<T, OfflineCardSync>) {
          ++stats_.commands;
          reply(OfflineCardSyncReply{cfg_.pile, 1, 0});
        } else if constexpr (std::is_same_v<T, OfflineCardClear>) {
          ++stats_.commands;
          OfflineCardClearReply r{cfg_.pile, {}};
          for (const auto& c : m.cards) r.results.push_back({c, 1, 0});
          reply(r);
        } else if constexpr (std::is_same_v<T, OfflineCardQuery>) {
          ++stats_.commands;
          OfflineCardQueryReply r{cfg_.pile, {}};
          for (const auto& c : m.cards) r.results.push_back({c, 0});
          reply(r);
        } else if constexpr (std::is_same_v<T, ParkingLockCommand>) {
          ++stats_.commands;
          reply(ParkingLockReply{cfg_.pile, m.gun, 1, {}});
        } else if constexpr (std::is_same_v<T, RemoteUpdate>) {
          ++stats_.commands;
          reply(RemoteUpdateReply{cfg_.pile, std::uint8_t(m.pile == cfg_.pile ? 0 : 1)});
        }
        // Anything else a pile does not receive is ignored, like a real pile would.
      },
      message);
  if (reconnect_) logged_in_ = logged_in_ && !reconnect_;
  return out;
}

}  // namespace cp::sim
