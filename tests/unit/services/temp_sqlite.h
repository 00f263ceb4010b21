#pragma once
// A real SQLite store (store::open_sqlite) in a fresh temporary directory, removed afterwards.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <random>

#include "store/store.h"

namespace cp::testing {

class TempSqlite {
 public:
  TempSqlite() {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("cp-services-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
    store::SqliteOptions o;
    o.path = (dir_ / "test.db").string();
    o.synchronous_full = false;  // durability across power loss is not what these tests check
    auto opened = store::open_sqlite(o);
    if (!opened) throw std::runtime_error("open_sqlite: " + opened.error().message);
    store_ = std::move(*opened);
  }
  ~TempSqlite() {
    store_->close();
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  store::Store& operator*() { return *store_; }
  store::Store* operator->() { return store_.get(); }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
};

}  // namespace cp::testing
