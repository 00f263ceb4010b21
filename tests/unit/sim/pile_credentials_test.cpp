#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "sim/simulator.h"

namespace cp::sim {
namespace {

TEST(PileCredentials, GeneratesZeroPaddedIdsWithSharedPassword) {
  SimOptions o;
  o.prefix = "SIM";
  o.piles = 3;
  o.password = "0123456789abcdef";
  auto c = pile_credentials(o);
  ASSERT_TRUE(c);
  ASSERT_EQ(c->size(), 3u);
  EXPECT_EQ((*c)[0].id, "SIM-00001");
  EXPECT_EQ((*c)[2].id, "SIM-00003");
  EXPECT_EQ((*c)[1].password, "0123456789abcdef");
}

TEST(PileCredentials, ReadsPasswordsFromFile) {
  const std::string path = ::testing::TempDir() + "sim_passwords.txt";
  {
    std::ofstream f(path);
    f << "# pile password\nSIM-00001 aaaaaaaaaaaaaaaa\nSIM-00002 bbbbbbbbbbbbbbbb\r\n\nOTHER cccccccccccccccc\n";
  }
  SimOptions o;
  o.password_file = path;
  o.piles = 2;
  auto c = pile_credentials(o);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ((*c)[1].password, "bbbbbbbbbbbbbbbb");
  o.piles = 0;  // every pile in the file
  c = pile_credentials(o);
  ASSERT_TRUE(c);
  ASSERT_EQ(c->size(), 3u);
  EXPECT_EQ((*c)[2].id, "OTHER");
  o.piles = 3;  // SIM-00003 is not in the file
  EXPECT_FALSE(pile_credentials(o));
  std::remove(path.c_str());
}

TEST(PileCredentials, RequiresAPassword) {
  SimOptions o;
  o.piles = 1;
  auto c = pile_credentials(o);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, "invalid_options");
}

}  // namespace
}  // namespace cp::sim
