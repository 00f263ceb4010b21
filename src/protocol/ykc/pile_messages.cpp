// PileAdapter: login and what each frame from a logged-in pile becomes (pile_adapter.h).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "protocol/ykc/detail/adapter_state.h"
#include "protocol/ykc/event_map.h"
#include "protocol/ykc/faults.h"
#include "protocol/ykc/units.h"

namespace cp::ykc {
namespace {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

std::string hex(std::span<const std::uint8_t> bytes) {
  std::string out;
  for (auto b : bytes) out += fmt::format("{:02X}", b);
  return out;
}

void log_failure(const char* what, const std::string& pile, const Status& st) {
  if (!st) spdlog::error("ykc.{}_failed pile={} error={} detail=\"{}\"", what, pile, st.error().code, st.error().message);
}

}  // namespace

// ---- login (0x01 -> 0x02) ----
void PileAdapter::State::on_login(Frame f) {
  auto& s = *this;
  auto fail_login = [&](const char* result, const std::string& pile, const std::string& why) {
    s.shared.frame(f.type, FrameResult::Ok).inc();
    s.shared.login(result).inc();
    spdlog::warn("ykc.login_refused pile={} result={} reason=\"{}\"", pile.empty() ? "?" : pile, result, why);
    if (!pile.empty()) s.send_reply(LoginReply{pile, 1}, f.seq);  // YKC 0x02: result 1 = failure
    s.close("login refused: " + why);
  };
  if (f.encryption != kFlagClear)  // notes §3: the login selects the key, so it travels in clear
    return s.refuse(f, FrameResult::CryptoError, "encrypted_login", "the login must be sent in clear");
  auto body = decode_body(f.type, f.body, Options{});
  if (!body) {
    s.shared.error(body.error().code).inc();
    s.refuse(f, FrameResult::DecodeError, std::string(errc_name(body.error().code)), body.error().detail);
    return s.close("malformed login");
  }
  const auto login = std::get<Login>(std::move(*body));
  auto profile = s.hooks.lookup(login.pile);
  if (!profile) return fail_login("store_error", login.pile, "registry unavailable: " + profile.error().message);
  if (!profile->has_value()) return fail_login("unknown_pile", login.pile, "pile number not registered");
  const auto& p = **profile;
  if (p.protocol != "ykc") return fail_login("wrong_protocol", login.pile, "registered for " + p.protocol + ", not ykc");
  // YKC has no "pending" answer (OCPP's BootNotification has): a pile the operator has not
  // accepted yet may not log in and charge, like a rejected one.
  if (p.registration == "Rejected") return fail_login("rejected", login.pile, "registration is Rejected");
  if (p.registration == "Pending") return fail_login("pending", login.pile, "registration is Pending (not yet accepted)");

  Options options = p.settings.codec;
  if (login.protocol_version == kVersion15 || login.protocol_version == kVersion16)
    options.protocol_version = login.protocol_version;
  std::optional<CipherProfile> cipher;
  if (p.cipher != "none") {
    cipher = CipherProfile{};
    cipher->algorithm = p.cipher == "des" ? CipherAlgorithm::Des : CipherAlgorithm::TripleDes;
    cipher->key.assign(p.key.begin(), p.key.end());
    cipher->mode = p.settings.cipher_cbc ? CipherMode::Cbc : CipherMode::Ecb;
    cipher->padding = p.settings.cipher_pkcs7 ? CipherPadding::Pkcs7 : CipherPadding::Zero;
  }
  s.codec = PileCodec(s.shared.ciphers(), options, std::move(cipher));
  s.codec.observe(f);  // CRC byte order (Auto) from this first valid frame
  s.settings = p.settings;
  s.encrypted = p.cipher != "none";
  s.dc = login.pile_type == 0;
  s.login_pending = true;

  domain::PileBooted boot;
  boot.pile = login.pile;
  boot.vendor = "";
  boot.model = fmt::format("YKC V{}.{} {} {} gun(s)", login.protocol_version / 10, login.protocol_version % 10,
                           s.dc ? "DC" : "AC", login.gun_count);
  boot.firmware = login.firmware;
  boot.iccid = login.sim.find_first_not_of('0') == std::string::npos ? "" : login.sim;
  boot.at = s.clock.now();
  s.shared.frame(f.type, FrameResult::Ok).inc();
  // Sink callbacks may run on the store's writer thread after this adapter is gone: they touch
  // nothing of it but the copied `post`, which runs the rest on the strand only if still alive.
  s.sink.booted(boot, [this, post = hooks.post, seq = f.seq, number = login.pile, cipher = p.cipher](
                          Result<domain::BootDecision> d) {
    post([this, seq, number, cipher, d = std::move(d)] {
      login_pending = false;
      if (!d || d->status == domain::Registration::Rejected) {
        shared.login(d ? "rejected" : "store_error").inc();
        spdlog::warn("ykc.login_refused pile={} reason=\"{}\"", number,
                     d ? std::string("registration Rejected") : d.error().message);
        send_reply(LoginReply{number, 1}, seq);
        return close("login refused");
      }
      send_reply(LoginReply{number, 0}, seq);  // clear: sent before logged_in turns encryption on
      pile = number;
      logged_in = true;
      last_seq = seq_value(seq, settings.codec.seq_byte_order);
      shared.login("ok").inc();
      spdlog::info("ykc.login pile={} cipher={} dc={}", number, cipher, dc);
      hooks.logged_in(number);
      if (settings.clock_sync_on_login) send_request(TimeSync{pile, cp56_from_unix_ms(to_millis(clock.now()))});
    });
  });
}

// ---- frames of a logged-in pile ----
void PileAdapter::State::dispatch(const Seq& seq, Message m) {
  std::visit(
      Overloaded{
          [&](const Heartbeat& h) {
            sink.heartbeat(pile, [this, post = hooks.post, seq, h](Result<Timestamp>) {
              post([this, seq, h] { send_reply(HeartbeatReply{pile, h.gun, 0}, seq); });
            });
          },
          [&](const BillingModelVerify& v) {
            const auto& current = settings.billing_model.number;
            send_reply(BillingModelVerifyReply{pile, v.model, static_cast<std::uint8_t>(v.model == current ? 0 : 1)},
                       seq);
          },
          [&](const BillingModelRequest&) {
            send_reply(BillingModelReply{billing_model(settings.billing_model, pile)}, seq);
          },
          [&](const RealtimeData& d) { on_realtime(d); },
          [&](const BmsDemand& d) { sink.telemetry(bms_telemetry(d, pile, clock.now()), [p = pile](const Status& st) { log_failure("telemetry", p, st); }); },
          [&](const BmsInfo& d) { sink.telemetry(bms_telemetry(d, pile, clock.now()), [p = pile](const Status& st) { log_failure("telemetry", p, st); }); },
          [&](const BmsParameters& d) { sink.telemetry(bms_telemetry(d, pile, clock.now()), [p = pile](const Status& st) { log_failure("telemetry", p, st); }); },
          [&](const ChargeEnd& d) {
            sink.telemetry(bms_telemetry(d, pile, clock.now()), [p = pile](const Status& st) { log_failure("telemetry", p, st); });
            store_data(d.kType, fmt::format(R"({{"serial":"{}","gun":{},"final_soc":{},"charging_minutes":{},"output_energy_kwh":{}}})",
                                            d.serial, d.gun, d.final_soc, d.charging_minutes, d.output_energy / 10.0));
          },
          [&](const BmsHandshake& d) {
            store_data(d.kType, fmt::format(R"({{"serial":"{}","gun":{},"battery_type":{},"rated_capacity_ah":{},"rated_voltage_v":{},"vin":"{}"}})",
                                            d.serial, d.gun, d.battery_type, d.rated_capacity / 10.0, d.rated_voltage / 10.0, d.vin));
          },
          [&](const BmsErrorFrame& d) {
            store_data(d.kType, fmt::format(R"({{"serial":"{}","gun":{},"bits":"{}"}})", d.serial, d.gun, hex(d.bits)));
          },
          [&](const BmsStop& d) {
            store_data(d.kType, fmt::format(R"({{"serial":"{}","gun":{},"reason":{},"fault":{},"error":{}}})", d.serial,
                                            d.gun, d.reasons.reason, d.reasons.fault, d.reasons.error));
          },
          [&](const ChargerStop& d) {
            store_data(d.kType, fmt::format(R"({{"serial":"{}","gun":{},"reason":{},"fault":{},"error":{}}})", d.serial,
                                            d.gun, d.reasons.reason, d.reasons.fault, d.reasons.error));
          },
          [&](const PileStartRequest& r) { on_pile_start(seq, r); },
          [&](const ParallelStartRequest& r) {
            spdlog::info("ykc.parallel_start pile={} gun={} role={} parallel_serial={}", pile, r.request.gun,
                         r.slave ? "slave" : "master", r.parallel_serial);
            on_pile_start(seq, r.request, r.parallel_serial);
          },
          [&](const TransactionRecord& r) { on_record(seq, r); },
          [&](const ParkingLockReport& r) {
            store_data(r.kType, fmt::format(R"({{"gun":{},"lock_state":{},"bay_state":{},"battery_percent":{},"alarm":{}}})",
                                            r.gun, r.lock_state, r.bay_state, r.battery_percent, r.alarm));
          },
          [&](const TimeSyncReply& r) {
            if (on_command_reply(r)) return;
            spdlog::debug("ykc.time_synced pile={} pile_time_valid={}", pile, cp56_to_unix_ms(r.time).has_value());
          },
          [&](const RemoteStartReply& r) {
            if (on_command_reply(r)) return;
            // A late success (the gun was plugged in within 60 s of a refused 0x34, notes §5.4).
            on_remote_start_reply(r, [](bool) {});
          },
          [&](const ParallelRemoteStartReply& r) {
            if (on_command_reply(r)) return;
            // A gun of a parallel session started without a command of ours (or after it timed
            // out): its transaction is recorded as for a late 0x33.
            spdlog::info("ykc.parallel_started pile={} gun={} role={} parallel_serial={}", pile, r.reply.gun,
                         r.slave ? "slave" : "master", r.parallel_serial);
            on_remote_start_reply(r.reply, [](bool) {});
          },
          [&](const auto& other) {
            if (on_command_reply(other)) return;
            spdlog::info("ykc.frame_unhandled pile={} type=0x{:02X} name={}", pile, type_of(Message(other)),
                         type_name(type_of(Message(other))));
            shared.frame(type_of(Message(other)), FrameResult::Unknown).inc();
          },
      },
      m);
}

void PileAdapter::State::store_data(std::uint8_t type, std::string json) {
  domain::DataTransferReceived d{pile, "YKC", fmt::format("0x{:02X}", type), std::move(json), clock.now()};
  sink.data_transfer(std::move(d), [p = pile](auto r) {
    if (!r) spdlog::error("ykc.store_failed pile={} error=\"{}\"", p, r.error().message);
  });
}

// 0x13: connector status on change, telemetry always (down-sampled by the acquisition policy).
void PileAdapter::State::on_realtime(const RealtimeData& d) {
  const auto now = clock.now();
  auto status = connector_status(d, settings.codec.fault_bit_numbering, pile, now);
  auto& last = last_status[d.gun];
  if (last.first != status.status || last.second != status.error_code + status.vendor_error_code) {
    last = {status.status, status.error_code + status.vendor_error_code};
    sink.connector_status(std::move(status), [p = pile](const Status& st) { log_failure("connector_status", p, st); });
  }
  std::optional<domain::TransactionId> tx;
  if (auto it = gun_tx.find(d.gun); it != gun_tx.end() && d.status == 3) tx = it->second;
  sink.telemetry(realtime_telemetry(d, dc, pile, now, tx), [p = pile](const Status& st) { log_failure("telemetry", p, st); });
  if (running && running->reply_type == RealtimeData::kType && running->gun == d.gun)
    finish_command({"Accepted", "the pile sent its real-time data", "", {}, {}, {}});
}

// 0x31 card start -> authorise the card -> record the start -> 0x32 with our serial.
void PileAdapter::State::on_pile_start(const Seq& seq, const PileStartRequest& r,
                                       std::optional<std::string> parallel_serial) {
  const std::string card = hex(r.card);
  const int gun = r.gun;
  // 0x32, or 0xA2 carrying the same authorisation and the parallel session's serial.
  auto answer = [this, parallel_serial](const StartAuthorisation& reply, const Seq& seq) {
    if (!parallel_serial) return send_reply(reply, seq);
    send_reply(ParallelStartAuthorisation{reply, *parallel_serial}, seq);
  };
  sink.authorize(pile, card, [this, post = hooks.post, seq, gun, card, answer](Result<domain::Authorization> a) {
    post([this, seq, gun, card, answer, a = std::move(a)] {
      StartAuthorisation reply;
      reply.serial = transaction_serial(pile, gun, clock.now(), ++serial_counter);
      reply.pile = pile;
      reply.gun = static_cast<std::uint8_t>(gun);
      if (!a || a->status != domain::AuthorizationStatus::Accepted) {
        reply.result = 0;
        reply.failure_reason = 0x01;  // no such account
        spdlog::info("ykc.card_refused pile={} gun={} status={}", pile, gun, a ? to_string(a->status) : "error");
        return answer(reply, seq);
      }
      domain::TransactionStarted start{pile, gun, card, 0, std::nullopt, clock.now(), reply.serial};
      sink.transaction_started(start, [this, post = hooks.post, seq, reply, answer](
                                          Result<domain::TransactionDecision> d) mutable {
        post([this, seq, reply, answer, d = std::move(d)]() mutable {
          reply.result = d ? 1 : 0;
          if (d) {
            gun_tx[reply.gun] = d->transaction;
            serial_gun[reply.serial] = reply.gun;
          }
          answer(reply, seq);
        });
      });
    });
  });
}

void PileAdapter::State::on_remote_start_reply(const RemoteStartReply& r, std::function<void(bool)> then) {
  if (r.result != 1) return then(false);
  domain::TransactionStarted start{pile, r.gun, "", 0, std::nullopt, clock.now(), r.serial};
  sink.transaction_started(start, [this, post = hooks.post, gun = r.gun, serial = r.serial, then = std::move(then)](
                                      Result<domain::TransactionDecision> d) {
    post([this, gun, serial, then, d = std::move(d)] {
      if (d) {
        gun_tx[gun] = d->transaction;
        serial_gun[serial] = gun;
      } else {
        spdlog::error("ykc.transaction_start_failed pile={} serial={} error=\"{}\"", pile, serial, d.error().message);
      }
      then(static_cast<bool>(d));
    });
  });
}

// 0x3B -> transaction recorded; 0x40 only once that is durable (a failed write sends nothing:
// the pile re-sends, and the record is idempotent on its serial).
void PileAdapter::State::on_record(const Seq& seq, const TransactionRecord& r) {
  if (!records_in_flight.insert(r.serial).second) {
    spdlog::info("ykc.record_repeat_in_flight pile={} serial={}", pile, r.serial);
    return;  // the first copy's 0x40 answers both
  }
  auto record = transaction_record(r, pile, clock.now());
  spdlog::info("ykc.transaction_record pile={} gun={} serial={} energy_wh={} stop_reason=0x{:02X} ({})", pile, r.gun,
               r.serial, r.total_energy / 10, r.stop_reason, stop_reason_name(r.stop_reason));
  sink.transaction_recorded(std::move(record), [this, post = hooks.post, seq, serial = r.serial,
                                                gun = r.gun](Result<domain::TransactionId> id) {
    post([this, seq, serial, gun, id = std::move(id)] {
      records_in_flight.erase(serial);
      if (!id) {
        spdlog::error("ykc.transaction_record_failed pile={} serial={} error=\"{}\" note=\"not acknowledged\"", pile,
                      serial, id.error().message);
        return;
      }
      if (auto it = gun_tx.find(gun); it != gun_tx.end() && it->second == *id) gun_tx.erase(it);
      serial_gun.erase(serial);
      send_reply(TransactionRecordAck{serial, 0}, seq);
    });
  });
}

}  // namespace cp::ykc
