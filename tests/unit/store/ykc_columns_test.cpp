// 0005_ykc: a pile's cipher, sealed key, fingerprint and protocol options; transactions found by
// the protocol's own reference, unique per pile.
#include <gtest/gtest.h>

#include "store_test_support.h"

namespace cp::store {
namespace {
using namespace testing;

using SqliteYkcColumns = SqliteStoreTest;

TEST_F(SqliteYkcColumns, PileTransportSettingsRoundTripAndUpdate) {
  PileRecord p = pile_record("32010600019236");
  p.protocol = "ykc";
  p.cipher = "3des";
  p.sealed_key = "v1:opaque";
  p.key_fingerprint = "08D7B4";
  p.protocol_options = R"({"vin_reversed":false})";
  must_write({UpsertPile{p}});
  auto got = store_->pile(p.id);
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ((*got)->cipher, "3des");
  EXPECT_EQ((*got)->sealed_key, "v1:opaque");
  EXPECT_EQ((*got)->key_fingerprint, "08D7B4");
  EXPECT_EQ((*got)->protocol_options, p.protocol_options);

  p.cipher = "none";
  p.sealed_key.clear();
  p.key_fingerprint.clear();
  must_write({UpsertPile{p}});
  EXPECT_EQ((*store_->pile(p.id))->cipher, "none");
  EXPECT_EQ((*store_->pile(p.id))->sealed_key, "");
}

TEST_F(SqliteYkcColumns, UnknownCipherIsRefusedByTheSchema) {
  PileRecord p = pile_record("32010600019236");
  p.cipher = "rot13";
  EXPECT_FALSE(write(*store_, {UpsertPile{p}}));
}

TEST_F(SqliteYkcColumns, TransactionIsFoundByExternalIdWhichIsUniquePerPile) {
  TransactionRecord t;
  t.id = 7;
  t.pile = "32010600019236";
  t.connector = 1;
  t.started = at(1);
  t.external_id = "32010600019236012405201030000001";
  must_write({StartTransaction{t}});
  auto found = store_->transaction_by_external_id(t.pile, t.external_id);
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->id, 7);
  EXPECT_EQ((*found)->external_id, t.external_id);
  EXPECT_FALSE(store_->transaction_by_external_id("32010600019237", t.external_id)->has_value());
  EXPECT_FALSE(store_->transaction_by_external_id(t.pile, "")->has_value());

  TransactionRecord dup = t;
  dup.id = 8;
  EXPECT_FALSE(write(*store_, {StartTransaction{dup}}));  // same pile, same reference
  dup.pile = "32010600019237";
  EXPECT_TRUE(write(*store_, {StartTransaction{dup}}));  // another pile may use the same digits
  TransactionRecord plain = t;
  plain.id = 9;
  plain.external_id.clear();
  EXPECT_TRUE(write(*store_, {StartTransaction{plain}}));
  plain.id = 10;
  EXPECT_TRUE(write(*store_, {StartTransaction{plain}}));  // "" is not a reference: no uniqueness
}

}  // namespace
}  // namespace cp::store
