#pragma once
// Shared fixtures for the store tests: a temporary directory per test, a raw sqlite3 handle to
// inspect the file independently of the Store, and small record builders.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <string>

#include "store/store.h"

namespace cp::store::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "cp-store-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// An independent connection on the same file, as another process would see it.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
      throw std::runtime_error("cannot open " + path);
    sqlite3_busy_timeout(db_, 5000);
  }
  ~RawDb() { sqlite3_close_v2(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  // First column of the first row as integer; -1 when there is no row.
  std::int64_t scalar(const std::string& sql) const {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
      throw std::runtime_error(std::string("prepare: ") + sqlite3_errmsg(db_));
    std::int64_t v = -1;
    if (sqlite3_step(s) == SQLITE_ROW) v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
  }
  std::string text(const std::string& sql) const {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
      throw std::runtime_error(std::string("prepare: ") + sqlite3_errmsg(db_));
    std::string v;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
      v = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return v;
  }
  // Column `col` of every row, one line each (e.g. the `detail` of EXPLAIN QUERY PLAN).
  std::string lines(const std::string& sql, int col) const {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
      throw std::runtime_error(std::string("prepare: ") + sqlite3_errmsg(db_));
    std::string v;
    while (sqlite3_step(s) == SQLITE_ROW)
      if (const auto* t = sqlite3_column_text(s, col)) v.append(reinterpret_cast<const char*>(t)).append("\n");
    sqlite3_finalize(s);
    return v;
  }

 private:
  sqlite3* db_ = nullptr;
};

inline SqliteOptions options_in(const TempDir& dir) {
  SqliteOptions o;
  o.path = (dir.path() / "db" / "chargeplane.db").string();
  return o;
}

inline std::unique_ptr<Store> open_or_die(const SqliteOptions& o) {
  auto s = open_sqlite(o);
  if (!s) throw std::runtime_error("open_sqlite: " + s.error().code + ": " + s.error().message);
  return std::move(*s);
}

// Submits one batch and waits for its done.
inline Status write(Store& store, WriteBatch batch) {
  std::promise<Status> p;
  auto f = p.get_future();
  store.submit(std::move(batch), [&p](const Status& s) { p.set_value(s); });
  return f.get();
}

inline Timestamp at(std::int64_t ms) { return from_millis(ms); }

inline PileRecord pile_record(const std::string& id) {
  PileRecord p;
  p.id = id;
  p.protocol = "ocpp1.6";
  p.password_hash = "$pbkdf2-sha256$i=1000$c2FsdA$aGFzaA";
  p.registration = "Accepted";
  p.created = at(1'700'000'000'000);
  return p;
}

inline TransactionRecord tx_record(TransactionId id, const std::string& pile, int connector,
                                   const std::string& id_tag, std::int64_t meter_start_wh,
                                   Timestamp started) {
  TransactionRecord t;
  t.id = id;
  t.pile = pile;
  t.connector = connector;
  t.id_tag = id_tag;
  t.meter_start_wh = meter_start_wh;
  t.started = started;
  return t;
}

inline TelemetryQuery telemetry_query(const std::string& pile,
                                      std::optional<std::string> measurand = std::nullopt) {
  TelemetryQuery q;
  q.pile = pile;
  q.measurand = std::move(measurand);
  return q;
}

inline domain::SampledValue sampled(double value,
                                   const std::string& measurand = "Power.Active.Import") {
  domain::SampledValue v;
  v.measurand = measurand;
  v.unit = "W";
  v.context = "Sample.Periodic";
  v.location = "Outlet";
  v.value = value;
  return v;
}

inline InsertTelemetry insert_telemetry(const std::string& pile,
                                        std::vector<domain::MeterSample> samples,
                                        int connector = 1,
                                        std::optional<TransactionId> transaction = std::nullopt) {
  return {pile, connector, transaction,
          std::make_shared<const std::vector<domain::MeterSample>>(std::move(samples))};
}

// One sample at `ts` holding `values`.
inline InsertTelemetry insert_telemetry(const std::string& pile, std::int64_t ts,
                                        std::vector<domain::SampledValue> values) {
  return insert_telemetry(pile, {domain::MeterSample{at(ts), std::move(values)}});
}

// A fresh store in a temporary directory per test, and a write that must succeed.
class SqliteStoreTest : public ::testing::Test {
 protected:
  TempDir dir_;
  SqliteOptions options_ = options_in(dir_);
  std::unique_ptr<Store> store_ = open_or_die(options_);

  void must_write(WriteBatch batch) {
    auto s = write(*store_, std::move(batch));
    ASSERT_TRUE(s) << s.error().code << ": " << s.error().message;
  }
};

}  // namespace cp::store::testing
