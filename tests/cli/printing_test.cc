// Unit tests of the CLI's table and number formatting.
#include "cli/printing.h"

#include <gtest/gtest.h>

namespace hone {
namespace {

TEST(Printing, TableAlignsColumns) {
  std::string t =
      format_table({"op", "count"}, {{"Conv", "53"}, {"BatchNormalization", "7"}}, {false, true});
  EXPECT_EQ(t,
            "  op                  count\n"
            "  Conv                   53\n"
            "  BatchNormalization      7\n");
}

TEST(Printing, TableIndentAndShortRows) {
  EXPECT_EQ(format_table({"a", "b"}, {{"x"}}, {}, 0), "a  b\nx\n");
}

TEST(Printing, Counts) {
  EXPECT_EQ(format_count(0), "0");
  EXPECT_EQ(format_count(999), "999");
  EXPECT_EQ(format_count(1000), "1,000");
  EXPECT_EQ(format_count(25557032), "25,557,032");
  EXPECT_EQ(format_count(-1234567), "-1,234,567");
}

TEST(Printing, Bytes) {
  EXPECT_EQ(format_bytes(304), "304 B");
  EXPECT_EQ(format_bytes(1536), "1.50 KiB");
  EXPECT_EQ(format_bytes(3 * 1024 * 1024), "3.00 MiB");
}

TEST(Printing, ValueJson) {
  Json j = value_json("data", {DType::kFloat32, {1, 3}});
  EXPECT_EQ(j.dump(), R"({"name":"data","dtype":"float32","shape":[1,3]})");
}

}  // namespace
}  // namespace hone
