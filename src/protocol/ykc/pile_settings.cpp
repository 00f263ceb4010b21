// YKC per-pile settings (protocol/ykc/pile_settings.h).
#include "protocol/ykc/pile_settings.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <cmath>

namespace cp::ykc {
namespace json = boost::json;
namespace {

Error bad(std::string what) { return Error{"invalid_ykc_options", "ykc." + std::move(what)}; }

const char* crc_name(CrcByteOrder o) {
  switch (o) {
    case CrcByteOrder::Auto: return "auto";
    case CrcByteOrder::Little: return "little";
    case CrcByteOrder::Big: return "big";
  }
  return "auto";
}

Result<bool> boolean(const json::value& v, const char* key) {
  if (!v.is_bool()) return fail(bad(std::string(key) + " must be true or false"));
  return v.as_bool();
}

Result<double> rate(const json::value& v, const std::string& key) {
  double d = 0;
  if (v.is_double()) d = v.as_double();
  else if (v.is_int64()) d = static_cast<double>(v.as_int64());
  else if (v.is_uint64()) d = static_cast<double>(v.as_uint64());
  else return fail(bad(key + " must be a number"));
  // 4-byte unsigned at 1e-5 yuan/kWh on the wire; beyond 1,000 yuan/kWh is a typo.
  if (!(d >= 0 && d <= 1000)) return fail(bad(key + " must be 0..1000 yuan/kWh"));
  if (std::fabs(std::round(d * 1e5) - d * 1e5) > 1e-6) return fail(bad(key + " has more than 5 decimals"));
  return d;
}

// An amount in yuan with at most 2 decimals, as the 4-byte ×0.01 yuan field carries it.
Result<std::uint32_t> yuan_in_fen(const json::value& v, const std::string& key) {
  double d = 0;
  if (v.is_double()) d = v.as_double();
  else if (v.is_int64()) d = static_cast<double>(v.as_int64());
  else if (v.is_uint64()) d = static_cast<double>(v.as_uint64());
  else return fail(bad(key + " must be a number (yuan)"));
  if (!(d >= 0 && d <= 42'949'672.95)) return fail(bad(key + " must be 0..42949672.95 yuan"));
  const double fen = std::round(d * 100);
  if (std::fabs(fen - d * 100) > 1e-6) return fail(bad(key + " has more than 2 decimals"));
  return static_cast<std::uint32_t>(fen);
}

Status apply_rates(const json::value& v, std::array<double, 4>& out, const char* key) {
  if (!v.is_array() || v.as_array().size() != 4)
    return fail(bad(std::string("billing_model.") + key + " must be 4 numbers: sharp, peak, flat, valley"));
  for (std::size_t i = 0; i < 4; ++i) {
    auto r = rate(v.as_array()[i], std::string("billing_model.") + key + "[" + std::to_string(i) + "]");
    if (!r) return fail(r.error());
    out[i] = *r;
  }
  return {};
}

Status apply_billing(const json::value& v, BillingModelSetting& b) {
  if (v.is_null()) {
    b = {};
    return {};
  }
  if (!v.is_object()) return fail(bad("billing_model must be an object"));
  for (const auto& [k, val] : v.as_object()) {
    if (k == "number") {
      if (!val.is_string() || val.as_string().size() != 4 ||
          val.as_string().find_first_not_of("0123456789") != json::string::npos)
        return fail(bad("billing_model.number must be 4 decimal digits, e.g. \"0100\""));
      b.number = std::string(val.as_string());
    } else if (k == "energy_rates") {
      if (auto s = apply_rates(val, b.energy_rates, "energy_rates"); !s) return s;
    } else if (k == "service_rates") {
      if (auto s = apply_rates(val, b.service_rates, "service_rates"); !s) return s;
    } else if (k == "loss_percent") {
      if (!val.is_int64() || val.as_int64() < 0 || val.as_int64() > 100)
        return fail(bad("billing_model.loss_percent must be an integer 0..100"));
      b.loss_percent = static_cast<int>(val.as_int64());
    } else if (k == "slots") {
      if (!val.is_string() || val.as_string().size() != 48 ||
          val.as_string().find_first_not_of("0123") != json::string::npos)
        return fail(bad("billing_model.slots must be 48 digits 0-3 (sharp, peak, flat, valley), one per half hour"));
      b.slots = std::string(val.as_string());
    } else {
      return fail(bad("billing_model." + std::string(k) +
                      " is not an option (number, energy_rates, service_rates, loss_percent, slots)"));
    }
  }
  return {};
}

// A string-valued switch with two or three spellings.
template <class T>
Status choose(const json::value& v, const std::string& key, std::initializer_list<std::pair<const char*, T>> choices,
              T& out) {
  std::string allowed;
  for (const auto& [name, value] : choices) {
    if (v.is_string() && v.as_string() == name) {
      out = value;
      return {};
    }
    allowed += allowed.empty() ? name : std::string(", ") + name;
  }
  return fail(bad(key + " must be one of: " + allowed));
}

Status apply(const json::object& o, PileSettings& s) {
  const PileSettings defaults;
  auto& c = s.codec;
  for (const auto& [key, v] : o) {
    const std::string k(key);
    const bool reset = v.is_null();
    Status st;
    if (k == "crc_byte_order") {
      if (reset) c.crc_byte_order = defaults.codec.crc_byte_order;
      else st = choose(v, k, {{"auto", CrcByteOrder::Auto}, {"little", CrcByteOrder::Little}, {"big", CrcByteOrder::Big}},
                       c.crc_byte_order);
    } else if (k == "seq_byte_order") {
      if (reset) c.seq_byte_order = defaults.codec.seq_byte_order;
      else st = choose(v, k, {{"little", SeqByteOrder::Little}, {"big", SeqByteOrder::Big}}, c.seq_byte_order);
    } else if (k == "fault_bit_numbering") {
      if (reset) c.fault_bit_numbering = defaults.codec.fault_bit_numbering;
      else st = choose(v, k, {{"from_one", FaultBitNumbering::FromOne}, {"from_zero", FaultBitNumbering::FromZero}},
                       c.fault_bit_numbering);
    } else if (k == "bem_bit_order") {
      if (reset) c.bem_bit_order = defaults.codec.bem_bit_order;
      else st = choose(v, k, {{"lsb_first", BemBitOrder::LsbFirst}, {"msb_first", BemBitOrder::MsbFirst}},
                       c.bem_bit_order);
    } else if (k == "cipher_mode") {
      if (reset) s.cipher_cbc = defaults.cipher_cbc;
      else st = choose(v, k, {{"ecb", false}, {"cbc", true}}, s.cipher_cbc);
    } else if (k == "cipher_padding") {
      if (reset) s.cipher_pkcs7 = defaults.cipher_pkcs7;
      else st = choose(v, k, {{"zero", false}, {"pkcs7", true}}, s.cipher_pkcs7);
    } else if (k == "vin_reversed" || k == "clock_sync_on_login") {
      bool& field = k == "vin_reversed" ? c.vin_reversed : s.clock_sync_on_login;
      if (reset) {
        field = k == "vin_reversed" ? defaults.codec.vin_reversed : defaults.clock_sync_on_login;
      } else {
        auto b = boolean(v, k.c_str());
        if (!b) return fail(b.error());
        field = *b;
      }
    } else if (k == "remote_start_balance") {
      if (reset) {
        s.remote_start_balance_fen = defaults.remote_start_balance_fen;
      } else {
        auto fen = yuan_in_fen(v, k);
        if (!fen) return fail(fen.error());
        s.remote_start_balance_fen = *fen;
      }
    } else if (k == "billing_model") {
      st = apply_billing(v, s.billing_model);
    } else {
      return fail(bad(k + " is not an option (crc_byte_order, seq_byte_order, fault_bit_numbering, bem_bit_order, "
                          "vin_reversed, cipher_mode, cipher_padding, clock_sync_on_login, remote_start_balance, billing_model)"));
    }
    if (!st) return st;
  }
  return {};
}

Result<json::object> parse_object(std::string_view text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return fail(bad("options must be a JSON object"));
  return std::move(v.as_object());
}

}  // namespace

Result<PileSettings> parse_pile_settings(std::string_view text) { return patch_pile_settings(PileSettings{}, text); }

Result<PileSettings> patch_pile_settings(const PileSettings& base, std::string_view patch) {
  auto o = parse_object(patch);
  if (!o) return fail(o.error());
  PileSettings s = base;
  if (auto st = apply(*o, s); !st) return fail(st.error());
  return s;
}

Result<std::string> canonical_settings(std::string_view current, std::string_view patch) {
  auto base = current.empty() ? Result<PileSettings>(PileSettings{}) : parse_pile_settings(current);
  if (!base) return fail(base.error());
  auto patched = patch_pile_settings(*base, patch);
  if (!patched) return fail(patched.error());
  return to_json(*patched);
}

std::string to_json(const PileSettings& s) {
  const auto& b = s.billing_model;
  auto rates = [](const std::array<double, 4>& r) { return json::array{r[0], r[1], r[2], r[3]}; };
  const auto& c = s.codec;
  json::object o{{"crc_byte_order", crc_name(c.crc_byte_order)},
                 {"seq_byte_order", c.seq_byte_order == SeqByteOrder::Big ? "big" : "little"},
                 {"fault_bit_numbering", c.fault_bit_numbering == FaultBitNumbering::FromZero ? "from_zero" : "from_one"},
                 {"bem_bit_order", c.bem_bit_order == BemBitOrder::MsbFirst ? "msb_first" : "lsb_first"},
                 {"vin_reversed", c.vin_reversed},
                 {"cipher_mode", s.cipher_cbc ? "cbc" : "ecb"},
                 {"cipher_padding", s.cipher_pkcs7 ? "pkcs7" : "zero"},
                 {"clock_sync_on_login", s.clock_sync_on_login},
                 {"remote_start_balance", static_cast<double>(s.remote_start_balance_fen) / 100.0},
                 {"billing_model", json::object{{"number", b.number},
                                                {"energy_rates", rates(b.energy_rates)},
                                                {"service_rates", rates(b.service_rates)},
                                                {"loss_percent", b.loss_percent},
                                                {"slots", b.slots}}}};
  return json::serialize(o);
}

}  // namespace cp::ykc
