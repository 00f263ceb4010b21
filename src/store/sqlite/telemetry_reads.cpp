// SqliteStore::telemetry: expands packed sample rows (sample_codec.h) back into one
// TelemetryRow per value. In one read transaction it takes the pile's rows above the index
// watermark (telemetry_index.h: at most a batch, scanned by rowid and sorted), then walks the
// pile's indexed rows newest first on `telemetry_index`, merging the two by (ts DESC, id DESC).
// It decodes each sample, filters by measurand id in C++ and stops as soon as `limit` values
// are out, so a query costs what it returns plus the rows it skips and the unindexed tail.
#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <optional>
#include <span>
#include <unordered_map>

#include "store/sqlite/sample_codec.h"
#include "store/sqlite/sqlite_store.h"

namespace cp::store::sqlite {
namespace {

// The index key is (pile, ts, id), so walking it backwards gives ts DESC, id DESC: within one
// timestamp the row written last comes first.
const std::string kIndexed =
    "SELECT t.id, t.ts, t.connector, t.transaction_id, t.sample"
    " FROM telemetry_index i JOIN telemetry t ON t.id = i.id"
    " WHERE i.pile = ?1 AND i.ts >= ?2 AND i.ts <= ?3 AND i.id <= ?4 ORDER BY i.ts DESC, i.id DESC";
// Rows not yet indexed: a rowid range scan of at most one index batch.
const std::string kUnindexed =
    "SELECT id, ts, connector, transaction_id, sample FROM telemetry"
    " WHERE id > ?4 AND pile = ?1 AND ts >= ?2 AND ts <= ?3 ORDER BY ts DESC, id DESC";
const std::string kWatermark = "SELECT indexed_up_to FROM telemetry_index_state WHERE id = 1";
const std::string kBegin = "BEGIN";
const std::string kEnd = "COMMIT";
const std::string kAbort = "ROLLBACK";

// One telemetry row as both sources deliver it.
struct SampleRow {
  std::int64_t id = 0, ts = 0, connector = 0;
  std::optional<std::int64_t> transaction;
  std::span<const std::uint8_t> sample;  // valid until the source moves on
};

SampleRow row_of(const Stmt& s) {
  SampleRow r{s.int64(0), s.int64(1), s.int64(2), std::nullopt, s.blob(4)};
  if (!s.is_null(3)) r.transaction = s.int64(3);
  return r;
}

// Keeps the query's statements in one read transaction, so the watermark, the unindexed rows
// and the index agree with each other; ends it however the query ends.
class ReadTransaction {
 public:
  explicit ReadTransaction(ReaderConnection& c) : c_(c) {}
  Status begin() {
    auto b = c_.statement(kBegin);
    if (!b) return fail(b.error());
    if (auto s = (*b)->run(); !s) return s;
    open_ = true;
    return {};
  }
  ~ReadTransaction() {
    if (!open_) return;
    // A connection left inside a transaction would fail every later BEGIN on it.
    if (auto e = c_.statement(kEnd); e && (*e)->run()) return;
    if (auto a = c_.statement(kAbort)) (void)(*a)->run();
  }
  ReadTransaction(const ReadTransaction&) = delete;
  ReadTransaction& operator=(const ReadTransaction&) = delete;

 private:
  ReaderConnection& c_;
  bool open_ = false;
};
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
  ReadTransaction txn(**lease);
  if (auto b = txn.begin(); !b) return fail(b.error());
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

  // Watermark first: rows above it are read from the table, rows at or below from the index.
  std::int64_t watermark = 0;
  {
    auto w = (*lease)->statement(kWatermark);
    if (!w) return fail(w.error());
    StmtReset guard(**w);
    auto row = (*w)->step();
    if (!row) return fail(row.error());
    if (*row) watermark = (*w)->int64(0);
  }
  // Both sources take the same parameters: pile, first and last ms, watermark.
  auto bind_range = [&](Stmt& s) {
    s.bind(1, *pile);
    s.bind(2, from);
    s.bind(3, last);
    s.bind(4, watermark);
  };
  // The unindexed rows of this pile, newest first, copied out (a batch at most).
  struct Tail {
    SampleRow row;
    std::vector<std::uint8_t> sample;
  };
  std::vector<Tail> tail;
  {
    auto t = (*lease)->statement(kUnindexed);
    if (!t) return fail(t.error());
    Stmt& s = **t;
    StmtReset guard(s);
    bind_range(s);
    for (;;) {
      auto more = s.step();
      if (!more) return fail(more.error());
      if (!*more) break;
      Tail& r = tail.emplace_back();
      r.row = row_of(s);
      r.sample.assign(r.row.sample.begin(), r.row.sample.end());
    }
    for (Tail& r : tail) r.row.sample = r.sample;
  }

  auto stmt = (*lease)->statement(kIndexed);
  if (!stmt) return fail(stmt.error());
  Stmt& s = **stmt;
  StmtReset guard(s);
  bind_range(s);
  std::optional<SampleRow> indexed;  // the index's next row, when it has one
  bool index_done = false;
  std::size_t next_tail = 0;
  std::vector<PackedValue> values;
  while (out.size() < limit) {
    if (!indexed && !index_done) {
      auto more = s.step();
      if (!more) return fail(more.error());
      if (*more) indexed = row_of(s); else index_done = true;
    }
    // Newest first across both: larger ts, then larger id (tail ids are all above the index's).
    const SampleRow* r = nullptr;
    bool from_index = false;
    if (next_tail < tail.size() &&
        (!indexed || tail[next_tail].row.ts >= indexed->ts)) {
      r = &tail[next_tail++].row;
    } else if (indexed) {
      r = &*indexed;
      from_index = true;
    } else {
      break;
    }
    if (auto d = decode_sample(r->sample, values); !d)
      return fail("storage_error", fmt::format("telemetry row {}: {}", r->id, d.error().message));
    // Last value first: the order one row per value had (ts DESC, id DESC).
    for (auto v = values.rbegin(); v != values.rend() && out.size() < limit; ++v) {
      if (measurand != 0 && v->measurand != measurand) continue;
      auto name = dict.measurand(v->measurand);
      if (!name) return fail(name.error());
      auto attrs = dict.attributes(v->attributes);
      if (!attrs) return fail(attrs.error());
      TelemetryRow& o = out.emplace_back();
      o.pile = q.pile;
      o.connector = static_cast<int>(r->connector);
      o.transaction = r->transaction;
      o.at = from_millis(r->ts);
      o.measurand = **name;
      o.phase = (*attrs)->phase;
      o.unit = (*attrs)->unit;
      o.context = (*attrs)->context;
      o.location = (*attrs)->location;
      o.value = v->value;
      o.raw = v->raw;
    }
    if (from_index) indexed.reset();
  }
  return out;
}

}  // namespace cp::store::sqlite
