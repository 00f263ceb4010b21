// The field tables of every YKC message (notes §5) and the type dispatch built from them.
#include "protocol/ykc/messages.h"

#include <fmt/format.h>

#include "protocol/ykc/detail/fields.h"

namespace cp::ykc {
namespace detail {

#define YKC_LAYOUT(T) \
  template <>         \
  struct Layout<T> {  \
    using S = T;      \
    static constexpr auto fields = std::tuple
#define F(member, ...) Field<&S::member, __VA_ARGS__> { #member }
#define YKC_END \
  ;             \
  }

using P7 = Bcd<7>;
using T16 = Bcd<16>;
using G1 = BcdByte;

// §5.1
YKC_LAYOUT(Login){F(pile, P7), F(pile_type, Le<1>), F(gun_count, Le<1>), F(protocol_version, Le<1>),
                  F(firmware, Ascii<8>), F(network_type, Le<1>), F(sim, Bcd<10>), F(carrier, Le<1>)} YKC_END;
YKC_LAYOUT(LoginReply){F(pile, P7), F(result, Le<1>)} YKC_END;
YKC_LAYOUT(Heartbeat){F(pile, P7), F(gun, G1), F(gun_status, Le<1>)} YKC_END;
YKC_LAYOUT(HeartbeatReply){F(pile, P7), F(gun, G1), F(reply, Le<1>)} YKC_END;
YKC_LAYOUT(BillingModelVerify){F(pile, P7), F(model, Bcd<2>)} YKC_END;
YKC_LAYOUT(BillingModelVerifyReply){F(pile, P7), F(model, Bcd<2>), F(result, Le<1>)} YKC_END;
YKC_LAYOUT(BillingModelRequest){F(pile, P7)} YKC_END;
YKC_LAYOUT(BillingModel){F(pile, P7), F(model, Bcd<2>),
                         F(sharp_energy, Le<4>), F(sharp_service, Le<4>), F(peak_energy, Le<4>), F(peak_service, Le<4>),
                         F(flat_energy, Le<4>), F(flat_service, Le<4>), F(valley_energy, Le<4>), F(valley_service, Le<4>),
                         F(loss_ratio, Le<1>), F(slots, Raw<48>)} YKC_END;
YKC_LAYOUT(BillingModelReply){F(model, Sub<BillingModel>)} YKC_END;
YKC_LAYOUT(BillingModelSet){F(model, Sub<BillingModel>)} YKC_END;
YKC_LAYOUT(BillingModelSetReply){F(pile, P7), F(result, Le<1>)} YKC_END;
// §5.2
YKC_LAYOUT(RealtimeDataPoll){F(pile, P7), F(gun, G1)} YKC_END;
YKC_LAYOUT(RealtimeData){F(serial, T16), F(pile, P7), F(gun, G1), F(status, Le<1>), F(holstered, Le<1>),
                         F(plugged, Le<1>), F(voltage_dv, Le<2>), F(current_da, Le<2>), F(cable_temp, Le<1>),
                         F(cable_code, Raw<8>), F(soc, Le<1>), F(battery_max_temp, Le<1>),
                         F(charging_minutes, Le<2>), F(remaining_minutes, Le<2>), F(energy, Le<4>),
                         F(lossy_energy, Le<4>), F(amount, Le<4>), F(hardware_faults, Le<2>)} YKC_END;
// §5.3
YKC_LAYOUT(BmsHandshake){F(serial, T16), F(pile, P7), F(gun, G1), F(bms_version, Raw<3>), F(battery_type, Le<1>),
                         F(rated_capacity, Le<2>), F(rated_voltage, Le<2>), F(battery_maker, Raw<4>),
                         F(pack_serial, Raw<4>), F(production_year, Le<1>), F(production_month, Le<1>),
                         F(production_day, Le<1>), F(charge_cycles, Le<3>), F(ownership, Le<1>),
                         F(reserved, Le<1>), F(vin, Ascii<17>), F(bms_software, Raw<8>)} YKC_END;
YKC_LAYOUT(BmsParameters){F(serial, T16), F(pile, P7), F(gun, G1), F(max_cell_voltage, Le<2>),
                          F(max_charge_current, Le<2>), F(nominal_energy, Le<2>), F(max_total_voltage, Le<2>),
                          F(max_temperature, Le<1>), F(soc, Le<2>), F(battery_voltage, Le<2>),
                          F(pile_max_voltage, Le<2>), F(pile_min_voltage, Le<2>), F(pile_max_current, Le<2>),
                          F(pile_min_current, Le<2>)} YKC_END;
YKC_LAYOUT(ChargeEnd){F(serial, T16), F(pile, P7), F(gun, G1), F(final_soc, Le<1>), F(min_cell_voltage, Le<2>),
                      F(max_cell_voltage, Le<2>), F(min_temperature, Le<1>), F(max_temperature, Le<1>),
                      F(charging_minutes, Le<2>), F(output_energy, Le<2>), F(charger_number, Le<4>)} YKC_END;
YKC_LAYOUT(BmsErrorFrame){F(serial, T16), F(pile, P7), F(gun, G1), F(bits, Raw<8>)} YKC_END;
YKC_LAYOUT(StopReasons){F(reason, Le<1>), F(fault, Le<2>), F(error, Le<1>)} YKC_END;
YKC_LAYOUT(BmsStop){F(serial, T16), F(pile, P7), F(gun, G1), F(reasons, Sub<StopReasons>)} YKC_END;
YKC_LAYOUT(ChargerStop){F(serial, T16), F(pile, P7), F(gun, G1), F(reasons, Sub<StopReasons>)} YKC_END;
YKC_LAYOUT(BmsDemand){F(serial, T16), F(pile, P7), F(gun, G1), F(voltage_demand, Le<2>), F(current_demand, Le<2>),
                      F(charge_mode, Le<1>), F(measured_voltage, Le<2>), F(measured_current, Le<2>),
                      F(max_cell_voltage_group, Le<2>), F(soc, Le<1>), F(remaining_minutes, Le<2>),
                      F(output_voltage, Le<2>), F(output_current, Le<2>), F(charging_minutes, Le<2>)} YKC_END;
YKC_LAYOUT(BmsInfo){F(serial, T16), F(pile, P7), F(gun, G1), F(max_voltage_cell, Le<1>), F(max_temperature, Le<1>),
                    F(max_temperature_probe, Le<1>), F(min_temperature, Le<1>), F(min_temperature_probe, Le<1>),
                    F(flags, Le<2>)} YKC_END;
// §5.4
YKC_LAYOUT(PileStartRequest){F(pile, P7), F(gun, G1), F(start_mode, Le<1>), F(password_required, Le<1>),
                             F(card, Raw<8>), F(password, Raw<16>), F(vin, Vin)} YKC_END;
YKC_LAYOUT(StartAuthorisation){F(serial, T16), F(pile, P7), F(gun, G1), F(logical_card, Bcd<8>),
                               F(balance, Le<4>), F(result, Le<1>), F(failure_reason, Le<1>)} YKC_END;
YKC_LAYOUT(RemoteStartReply){F(serial, T16), F(pile, P7), F(gun, G1), F(result, Le<1>), F(reason, Le<1>)} YKC_END;
YKC_LAYOUT(RemoteStart){F(serial, T16), F(pile, P7), F(gun, G1), F(logical_card, Bcd<8>), F(card, Raw<8>),
                        F(balance, Le<4>)} YKC_END;
YKC_LAYOUT(RemoteStopReply){F(pile, P7), F(gun, G1), F(result, Le<1>), F(reason, Le<1>)} YKC_END;
YKC_LAYOUT(RemoteStop){F(pile, P7), F(gun, G1)} YKC_END;
// §5.5
YKC_LAYOUT(TierUsage){F(price, Le<4>), F(energy, Le<4>), F(lossy_energy, Le<4>), F(amount, Le<4>)} YKC_END;
YKC_LAYOUT(TransactionRecord){F(serial, T16), F(pile, P7), F(gun, G1), F(start, Cp56), F(end, Cp56),
                              F(sharp, Sub<TierUsage>), F(peak, Sub<TierUsage>), F(flat, Sub<TierUsage>),
                              F(valley, Sub<TierUsage>), F(meter_start, Le<5>), F(meter_end, Le<5>),
                              F(total_energy, Le<4>), F(total_lossy_energy, Le<4>), F(total_amount, Le<4>),
                              F(vin, Ascii<17>), F(start_type, Le<1>), F(transaction_time, Cp56),
                              F(stop_reason, Le<1>), F(card, Raw<8>)} YKC_END;
YKC_LAYOUT(TransactionRecordAck){F(serial, T16), F(result, Le<1>)} YKC_END;
// §5.6
YKC_LAYOUT(BalanceUpdateReply){F(pile, P7), F(card, Raw<8>), F(result, Le<1>)} YKC_END;
YKC_LAYOUT(BalanceUpdate){F(pile, P7), F(gun, G1), F(card, Raw<8>), F(balance, Le<4>)} YKC_END;
YKC_LAYOUT(OfflineCard){F(logical_card, Bcd<8>), F(card, Raw<8>)} YKC_END;
YKC_LAYOUT(OfflineCardSyncReply){F(pile, P7), F(result, Le<1>), F(reason, Le<1>)} YKC_END;
YKC_LAYOUT(OfflineCardSync){F(pile, P7), F(cards, CountedList<Sub<OfflineCard>, OfflineCardSync::kMaxCards>)} YKC_END;
YKC_LAYOUT(CardClearResult){F(card, Raw<8>), F(ok, Le<1>), F(reason, Le<1>)} YKC_END;
YKC_LAYOUT(OfflineCardClearReply){F(pile, P7), F(results, TailList<Sub<CardClearResult>>)} YKC_END;
YKC_LAYOUT(OfflineCardClear){F(pile, P7), F(cards, CountedList<Raw<8>, OfflineCardClear::kMaxCards>)} YKC_END;
YKC_LAYOUT(CardPresence){F(card, Raw<8>), F(present, Le<1>)} YKC_END;
YKC_LAYOUT(OfflineCardQueryReply){F(pile, P7), F(results, TailList<Sub<CardPresence>>)} YKC_END;
YKC_LAYOUT(OfflineCardQuery){F(pile, P7), F(cards, CountedList<Raw<8>, OfflineCardQuery::kMaxCards>)} YKC_END;
// §5.7
YKC_LAYOUT(WorkParamsReply){F(pile, P7), F(result, Le<1>)} YKC_END;
YKC_LAYOUT(WorkParams){F(pile, P7), F(disabled, Le<1>), F(max_power_percent, Le<1>)} YKC_END;
YKC_LAYOUT(TimeSyncReply){F(pile, P7), F(time, Cp56)} YKC_END;
YKC_LAYOUT(TimeSync){F(pile, P7), F(time, Cp56)} YKC_END;
// §5.8
YKC_LAYOUT(ParkingLockReport){F(pile, P7), F(gun, Le<1>), F(lock_state, Le<1>), F(bay_state, Le<1>),
                              F(battery_percent, Le<1>), F(alarm, Le<1>), F(reserved, Raw<4>)} YKC_END;
YKC_LAYOUT(ParkingLockCommand){F(pile, P7), F(gun, Le<1>), F(action, Le<1>), F(reserved, Raw<4>)} YKC_END;
YKC_LAYOUT(ParkingLockReply){F(pile, P7), F(gun, Le<1>), F(result, Le<1>), F(reserved, Raw<4>)} YKC_END;
YKC_LAYOUT(RebootReply){F(pile, P7), F(result, Le<1>)} YKC_END;
YKC_LAYOUT(Reboot){F(pile, P7), F(control, Le<1>)} YKC_END;
YKC_LAYOUT(RemoteUpdateReply){F(pile, P7), F(status, Le<1>)} YKC_END;
YKC_LAYOUT(RemoteUpdate){F(pile, P7), F(pile_model, Le<1>), F(pile_power, Le<2>), F(server, Ascii<16>),
                         F(port, Le<2>), F(user, Ascii<16>), F(password, Ascii<16>), F(path, Ascii<32>),
                         F(control, Le<1>), F(timeout_minutes, Le<1>)} YKC_END;
// §7 (V1.6)
YKC_LAYOUT(ParallelStartRequest){F(request, Sub<PileStartRequest>), F(slave, Le<1>), F(parallel_serial, Bcd<6>)} YKC_END;
YKC_LAYOUT(ParallelStartAuthorisation){F(authorisation, Sub<StartAuthorisation>), F(parallel_serial, Bcd<6>)} YKC_END;
YKC_LAYOUT(ParallelRemoteStartReply){F(reply, Sub<RemoteStartReply>), F(slave, Le<1>), F(parallel_serial, Bcd<6>)} YKC_END;
YKC_LAYOUT(ParallelRemoteStart){F(start, Sub<RemoteStart>), F(parallel_serial, Bcd<6>)} YKC_END;

#undef YKC_LAYOUT
#undef F
#undef YKC_END

// The catalogue's L (notes §4) minus 4, checked against the tables.
template <class T, std::size_t L>
constexpr bool kSizeMatches = layout_size<T>() == L - 4;
static_assert(kSizeMatches<Login, 0x22> && kSizeMatches<LoginReply, 0x0C> && kSizeMatches<Heartbeat, 0x0D> &&
              kSizeMatches<HeartbeatReply, 0x0D> && kSizeMatches<BillingModelVerify, 0x0D> &&
              kSizeMatches<BillingModelVerifyReply, 0x0E> && kSizeMatches<BillingModelRequest, 0x0B> &&
              kSizeMatches<BillingModelReply, 0x5E> && kSizeMatches<RealtimeDataPoll, 0x0C> &&
              kSizeMatches<RealtimeData, 0x40> && kSizeMatches<BmsHandshake, 0x4D> && kSizeMatches<BmsParameters, 0x31> &&
              kSizeMatches<ChargeEnd, 0x2B> && kSizeMatches<BmsErrorFrame, 0x24> && kSizeMatches<BmsStop, 0x20> &&
              kSizeMatches<ChargerStop, 0x20> && kSizeMatches<BmsDemand, 0x30> && kSizeMatches<BmsInfo, 0x23> &&
              kSizeMatches<PileStartRequest, 0x37> && kSizeMatches<StartAuthorisation, 0x2A> &&
              kSizeMatches<RemoteStartReply, 0x1E> && kSizeMatches<RemoteStart, 0x30> &&
              kSizeMatches<RemoteStopReply, 0x0E> && kSizeMatches<RemoteStop, 0x0C> &&
              kSizeMatches<TransactionRecord, 0xA2> && kSizeMatches<TransactionRecordAck, 0x15> &&
              kSizeMatches<BalanceUpdateReply, 0x14> && kSizeMatches<BalanceUpdate, 0x18> &&
              kSizeMatches<OfflineCardSyncReply, 0x0D> && kSizeMatches<WorkParamsReply, 0x0C> &&
              kSizeMatches<WorkParams, 0x0D> && kSizeMatches<TimeSyncReply, 0x12> && kSizeMatches<TimeSync, 0x12> &&
              kSizeMatches<BillingModelSetReply, 0x0C> && kSizeMatches<BillingModelSet, 0x5E> &&
              kSizeMatches<ParkingLockReport, 0x14> && kSizeMatches<ParkingLockCommand, 0x11> &&
              kSizeMatches<ParkingLockReply, 0x11> && kSizeMatches<RebootReply, 0x0C> && kSizeMatches<Reboot, 0x0C> &&
              kSizeMatches<RemoteUpdateReply, 0x0C> && kSizeMatches<RemoteUpdate, 0x62> &&
              kSizeMatches<ParallelStartRequest, 0x3E> && kSizeMatches<ParallelStartAuthorisation, 0x30> &&
              kSizeMatches<ParallelRemoteStartReply, 0x25> && kSizeMatches<ParallelRemoteStart, 0x36>);

}  // namespace detail

namespace {

using DecodeFn = Result<Message, CodecError> (*)(std::span<const std::uint8_t>, const Options&);

struct TypeInfo {
  std::string_view name;
  std::size_t size = 0;  // detail::kVariable for lists
  DecodeFn decode = nullptr;
  bool v16_only = false;
};

template <class T>
constexpr bool kV16Only = T::kType >= 0xA1 && T::kType <= 0xA4;

template <class T>
Result<Message, CodecError> decode_as(std::span<const std::uint8_t> body, const Options& opt) {
  constexpr std::size_t size = detail::layout_size<T>();
  if constexpr (size != detail::kVariable) {
    if (body.size() < size)
      return fail(CodecError{Errc::short_body, fmt::format("type 0x{:02X}: body {} bytes, layout {}", T::kType, body.size(), size)});
    if (body.size() > size)
      return fail(CodecError{Errc::long_body, fmt::format("type 0x{:02X}: body {} bytes, layout {}", T::kType, body.size(), size)});
  }
  detail::Reader r{body, opt, 0, std::nullopt};
  T msg{};
  detail::get_struct(r, msg);
  if (!r.err && r.left() != 0)
    r.fail(Errc::long_body, fmt::format("type 0x{:02X}: {} bytes after the last field", T::kType, r.left()));
  if (r.err) {
    r.err->detail = fmt::format("type 0x{:02X}: {}", T::kType, r.err->detail);
    return fail(std::move(*r.err));
  }
  return Message{std::move(msg)};
}

constexpr std::string_view kNames[][2] = {
    {"\x01", "login"}, {"\x02", "login_reply"}, {"\x03", "heartbeat"}, {"\x04", "heartbeat_reply"},
    {"\x05", "billing_model_verify"}, {"\x06", "billing_model_verify_reply"}, {"\x09", "billing_model_request"},
    {"\x0A", "billing_model_reply"}, {"\x12", "realtime_data_poll"}, {"\x13", "realtime_data"},
    {"\x15", "bms_handshake"}, {"\x17", "bms_parameters"}, {"\x19", "charge_end"}, {"\x1B", "bms_error"},
    {"\x1D", "bms_stop"}, {"\x21", "charger_stop"}, {"\x23", "bms_demand"}, {"\x25", "bms_info"},
    {"\x31", "pile_start_request"}, {"\x32", "start_authorisation"}, {"\x33", "remote_start_reply"},
    {"\x34", "remote_start"}, {"\x35", "remote_stop_reply"}, {"\x36", "remote_stop"},
    {"\x3B", "transaction_record"}, {"\x40", "transaction_record_ack"}, {"\x41", "balance_update_reply"},
    {"\x42", "balance_update"}, {"\x43", "offline_card_sync_reply"}, {"\x44", "offline_card_sync"},
    {"\x45", "offline_card_clear_reply"}, {"\x46", "offline_card_clear"}, {"\x47", "offline_card_query_reply"},
    {"\x48", "offline_card_query"}, {"\x51", "work_params_reply"}, {"\x52", "work_params"},
    {"\x55", "time_sync_reply"}, {"\x56", "time_sync"}, {"\x57", "billing_model_set_reply"},
    {"\x58", "billing_model_set"}, {"\x61", "parking_lock_report"}, {"\x62", "parking_lock_command"},
    {"\x63", "parking_lock_reply"}, {"\x91", "reboot_reply"}, {"\x92", "reboot"}, {"\x93", "remote_update_reply"},
    {"\x94", "remote_update"}, {"\xA1", "parallel_start_request"}, {"\xA2", "parallel_start_authorisation"},
    {"\xA3", "parallel_remote_start_reply"}, {"\xA4", "parallel_remote_start"}};

template <class... Ts>
std::array<TypeInfo, 256> make_types(std::type_identity<std::variant<Ts...>>) {
  std::array<TypeInfo, 256> t{};
  ((t[Ts::kType] = TypeInfo{"", detail::layout_size<Ts>(), &decode_as<Ts>, kV16Only<Ts>}), ...);
  for (const auto& n : kNames) t[static_cast<std::uint8_t>(n[0][0])].name = n[1];
  return t;
}

const std::array<TypeInfo, 256>& types() {
  static const auto t = make_types(std::type_identity<Message>{});
  return t;
}

}  // namespace

std::uint8_t type_of(const Message& message) {
  return std::visit([](const auto& m) { return std::decay_t<decltype(m)>::kType; }, message);
}

bool is_known_type(std::uint8_t type) { return types()[type].decode != nullptr; }

Direction direction_of(std::uint8_t type) {
  return (type & 1) ? Direction::PileToPlatform : Direction::PlatformToPile;
}

std::string_view type_name(std::uint8_t type) {
  return is_known_type(type) ? types()[type].name : std::string_view("unknown");
}

std::optional<std::size_t> fixed_body_size(std::uint8_t type) {
  const auto& t = types()[type];
  if (!t.decode || t.size == detail::kVariable) return std::nullopt;
  return t.size;
}

Result<std::size_t, CodecError> plain_body_size(std::uint8_t type, std::span<const std::uint8_t> body) {
  if (!is_known_type(type)) return fail(CodecError{Errc::unknown_type, fmt::format("type 0x{:02X}", type)});
  if (auto fixed = fixed_body_size(type)) return *fixed;
  if (body.size() < 8) return fail(CodecError{Errc::short_body, fmt::format("type 0x{:02X}: {} bytes", type, body.size())});
  const std::size_t count = body[7];
  switch (type) {
    case OfflineCardSync::kType: return 8 + count * 16;
    case OfflineCardClear::kType:
    case OfflineCardQuery::kType: return 8 + count * 8;
    default: break;
  }
  // Replies without a count (0x45, 0x47): whole entries after the pile number; padding is zero
  // bytes, and a zero entry cannot be told from padding, so trailing all-zero entries are dropped.
  const std::size_t entry = type == OfflineCardClearReply::kType ? 10 : 9;
  std::size_t n = (body.size() - 7) / entry;
  while (n > 0) {
    const auto e = body.subspan(7 + (n - 1) * entry, entry);
    if (std::any_of(e.begin(), e.end(), [](std::uint8_t b) { return b != 0; })) break;
    --n;
  }
  return 7 + n * entry;
}

Result<Message, CodecError> decode_body(std::uint8_t type, std::span<const std::uint8_t> body, const Options& options) {
  const auto& t = types()[type];
  if (!t.decode) return fail(CodecError{Errc::unknown_type, fmt::format("type 0x{:02X} is not in the catalogue", type)});
  if (t.v16_only && options.protocol_version < kVersion16)
    return fail(CodecError{Errc::unsupported_version,
                           fmt::format("type 0x{:02X} needs V1.6, pile speaks version 0x{:02X}", type, options.protocol_version)});
  return t.decode(body, options);
}

Result<Bytes, CodecError> encode_body(const Message& message, const Options& options) {
  const auto type = type_of(message);
  if (types()[type].v16_only && options.protocol_version < kVersion16)
    return fail(CodecError{Errc::unsupported_version,
                           fmt::format("type 0x{:02X} needs V1.6, pile speaks version 0x{:02X}", type, options.protocol_version)});
  Bytes out;
  detail::Writer w{out, options, std::nullopt};
  std::visit([&](const auto& m) { detail::put_struct(m, w); }, message);
  if (w.err) {
    w.err->detail = fmt::format("type 0x{:02X}: {}", type, w.err->detail);
    return fail(std::move(*w.err));
  }
  if (out.size() > kMaxBodyBytes)
    return fail(CodecError{Errc::body_too_large, fmt::format("type 0x{:02X}: body {} bytes", type, out.size())});
  return out;
}

}  // namespace cp::ykc
