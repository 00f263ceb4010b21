#pragma once
// Loads tests/data/ykc/*.txt golden frame files: "<name> <type> | <hex>" lines, '#' comments.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "protocol/ykc/frame.h"

namespace cp::ykc::test {

struct Golden {
  std::string name;
  std::uint8_t type = 0;
  Bytes bytes;
};

inline std::vector<Golden> load_golden(const std::string& file = "worked_examples.txt") {
  std::ifstream in(std::string(CP_TEST_DATA_DIR) + "/ykc/" + file);
  EXPECT_TRUE(in.good()) << file;
  std::vector<Golden> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto bar = line.find('|');
    if (bar == std::string::npos) continue;
    Golden g;
    const std::string head = line.substr(0, bar);
    const auto sp = head.find(' ');
    g.name = head.substr(0, sp);
    g.type = static_cast<std::uint8_t>(std::stoul(head.substr(sp), nullptr, 16));
    auto bytes = from_hex(line.substr(bar + 1));
    EXPECT_TRUE(bytes.ok()) << line;
    if (bytes) g.bytes = *bytes;
    out.push_back(std::move(g));
  }
  return out;
}

inline Bytes hex(std::string_view s) {
  auto b = from_hex(s);
  EXPECT_TRUE(b.ok()) << s;
  return b ? *b : Bytes{};
}

}  // namespace cp::ykc::test
