// SqliteStore::telemetry: expands packed sample rows (sample_codec.h) back into one
// TelemetryRow per value. Walks the pile's rows newest first on the (pile, ts) index, decodes
// each sample, filters by measurand id in C++ and stops as soon as `limit` values are out, so a
// query costs what it returns plus the rows it skips, never a sort.
#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <unordered_map>

#include "store/sqlite/sample_codec.h"
#include "store/sqlite/sqlite_store.h"

namespace cp::store::sqlite {
namespace {

// The index stores the rowid after (pile, ts), so walking it backwards gives ts DESC, id DESC:
// within one timestamp the row written last comes first.
const std::string kSamples =
    "SELECT id, ts, connector, transaction_id, sample FROM telemetry"
    " WHERE pile = ?1 AND ts >= ?2 AND ts <= ?3 ORDER BY ts DESC, id DESC";
const std::string kPileId = "SELECT id FROM telemetry_piles WHERE pile = ?";
const std::string kMeasurandId = "SELECT id FROM telemetry_measurands WHERE name = ?";
const std::string kMeasurandName = "SELECT name FROM telemetry_measurands WHERE id = ?";
const std::string kAttributes =
    "SELECT phase, unit, context, location FROM telemetry_attributes WHERE id = ?";

struct Attributes {
  std::string phase, unit, context, location;
};

// The dictionaries of one query, looked up on first use (a query meets a handful of ids).
// Runs on the query's connection inside the same read transaction, so every id a row refers
// to is visible.
class Dictionaries {
 public:
  explicit Dictionaries(ReaderConnection& c) : c_(c) {}

  // 0 when `key` was never interned (nothing can match it).
  Result<std::int64_t> id_of(const std::string& sql, const std::string& key) {
    auto stmt = c_.statement(sql);
    if (!stmt) return fail(stmt.error());
    Stmt& s = **stmt;
    StmtReset guard(s);
    s.bind(1, key);
    auto row = s.step();
    if (!row) return fail(row.error());
    return *row ? s.int64(0) : 0;
  }

  Result<const std::string*> measurand(std::uint64_t id) {
    if (auto it = measurands_.find(id); it != measurands_.end()) return &it->second;
    auto found = lookup(kMeasurandName, id, [](const Stmt& s) { return s.text(0); });
    if (!found) return fail(found.error());
    return &measurands_.emplace(id, std::move(*found)).first->second;
  }

  Result<const Attributes*> attributes(std::uint64_t id) {
    if (auto it = attributes_.find(id); it != attributes_.end()) return &it->second;
    auto found = lookup(kAttributes, id, [](const Stmt& s) {
      return Attributes{s.text(0), s.text(1), s.text(2), s.text(3)};
    });
    if (!found) return fail(found.error());
    return &attributes_.emplace(id, std::move(*found)).first->second;
  }

 private:
  template <class Read>
  auto lookup(const std::string& sql, std::uint64_t id, const Read& read)
      -> Result<decltype(read(std::declval<const Stmt&>()))> {
    auto stmt = c_.statement(sql);
    if (!stmt) return fail(stmt.error());
    Stmt& s = **stmt;
    StmtReset guard(s);
    s.bind(1, static_cast<std::int64_t>(id));
    auto row = s.step();
    if (!row) return fail(row.error());
    if (!*row) return fail("storage_error", fmt::format("telemetry sample refers to missing dictionary id {}", id));
    return read(s);
  }

  ReaderConnection& c_;
  std::unordered_map<std::uint64_t, std::string> measurands_;
  std::unordered_map<std::uint64_t, Attributes> attributes_;
};

}  // namespace

Result<std::vector<TelemetryRow>> SqliteStore::telemetry(const TelemetryQuery& q) {
  std::vector<TelemetryRow> out;
  const auto limit = static_cast<std::size_t>(std::max(q.limit, 0));
  constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  const std::int64_t from = q.from ? to_millis(*q.from) : kMin;
  if (q.to && to_millis(*q.to) == kMin) return out;  // nothing is before the first instant
  const std::int64_t last = q.to ? to_millis(*q.to) - 1 : kMax;  // `to` is exclusive
  if (limit == 0 || from > last) return out;

  auto lease = readers_.acquire();
  if (!lease) return fail(lease.error());
  Dictionaries dict(**lease);
  auto pile = dict.id_of(kPileId, q.pile);
  if (!pile) return fail(pile.error());
  if (*pile == 0) return out;
  std::uint64_t measurand = 0;  // 0: any
  if (q.measurand) {
    auto id = dict.id_of(kMeasurandId, *q.measurand);
    if (!id) return fail(id.error());
    if (*id == 0) return out;
    measurand = static_cast<std::uint64_t>(*id);
  }

  auto stmt = (*lease)->statement(kSamples);
  if (!stmt) return fail(stmt.error());
  Stmt& s = **stmt;
  StmtReset guard(s);
  s.bind(1, *pile);
  s.bind(2, from);
  s.bind(3, last);
  std::vector<PackedValue> values;
  while (out.size() < limit) {
    auto more = s.step();
    if (!more) return fail(more.error());
    if (!*more) break;
    if (auto d = decode_sample(s.blob(4), values); !d)
      return fail("storage_error", fmt::format("telemetry row {}: {}", s.int64(0), d.error().message));
    // Last value first: the order one row per value had (ts DESC, id DESC).
    for (auto v = values.rbegin(); v != values.rend() && out.size() < limit; ++v) {
      if (measurand != 0 && v->measurand != measurand) continue;
      auto name = dict.measurand(v->measurand);
      if (!name) return fail(name.error());
      auto attrs = dict.attributes(v->attributes);
      if (!attrs) return fail(attrs.error());
      TelemetryRow& r = out.emplace_back();
      r.pile = q.pile;
      r.connector = static_cast<int>(s.int64(2));
      if (!s.is_null(3)) r.transaction = s.int64(3);
      r.at = s.time(1);
      r.measurand = **name;
      r.phase = (*attrs)->phase;
      r.unit = (*attrs)->unit;
      r.context = (*attrs)->context;
      r.location = (*attrs)->location;
      r.value = v->value;
      r.raw = v->raw;
    }
  }
  return out;
}

}  // namespace cp::store::sqlite
