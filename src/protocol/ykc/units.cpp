#include "protocol/ykc/units.h"

#include <chrono>

namespace cp::ykc {

using namespace std::chrono;

Cp56Time cp56_from_unix_ms(std::int64_t unix_ms, int utc_offset_minutes) {
  const sys_time<milliseconds> t{milliseconds{unix_ms + std::int64_t{utc_offset_minutes} * 60'000}};
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{t - day};
  Cp56Time c;
  c.milliseconds = static_cast<std::uint16_t>(hms.seconds().count() * 1000 + hms.subseconds().count());
  c.minute = static_cast<std::uint8_t>(hms.minutes().count());
  c.hour = static_cast<std::uint8_t>(hms.hours().count());
  c.day = static_cast<std::uint8_t>(unsigned(ymd.day()));
  c.day_of_week = static_cast<std::uint8_t>(weekday{day}.iso_encoding());  // 1 = Monday .. 7
  c.month = static_cast<std::uint8_t>(unsigned(ymd.month()));
  c.year = static_cast<std::uint8_t>((int(ymd.year()) - 2000) & 0x7F);
  return c;
}

std::optional<std::int64_t> cp56_to_unix_ms(const Cp56Time& c, int utc_offset_minutes) {
  if (c.invalid || c.milliseconds > 59'999 || c.minute > 59 || c.hour > 23 || c.year > 99) return std::nullopt;
  const year_month_day ymd{year{2000 + c.year}, month{c.month}, day{c.day}};
  if (!ymd.ok()) return std::nullopt;
  const auto t = sys_days{ymd} + hours{c.hour} + minutes{c.minute} + milliseconds{c.milliseconds};
  return t.time_since_epoch().count() / 1 - std::int64_t{utc_offset_minutes} * 60'000;
}

}  // namespace cp::ykc
