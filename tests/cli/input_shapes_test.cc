// Unit tests of the --input-shapes parser (tvmc syntax).
#include "cli/input_shapes.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace hone {
namespace {

TEST(InputShapes, ParsesTvmcSyntax) {
  auto s = parse_input_shapes("data:[1,3,224,224] mask:[1,10]");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s["data"], (Shape{1, 3, 224, 224}));
  EXPECT_EQ(s["mask"], (Shape{1, 10}));
}

TEST(InputShapes, SpacesScalarsAndColonsInNames) {
  auto s = parse_input_shapes("  input:0:[ 1 , 2 ]\tscalar:[]  b: [0] ");
  EXPECT_EQ(s["input:0"], (Shape{1, 2}));
  EXPECT_EQ(s["scalar"], Shape{});
  EXPECT_EQ(s["b"], Shape{0});
  EXPECT_EQ(s.size(), 3u);
}

TEST(InputShapes, RejectsMalformedEntriesQuotingThem) {
  for (const char* bad :
       {"", "   ", "data", "data:1x3x224x224", "data[1,2]", "data:[1,2", "data:[1,,2]",
        "data:[1,2,]", "data:[-1,3]", "data:[a]", ":[1]", "a:[1],b:[2]", "a:[1]b:[2]",
        "a:[1] a:[2]", "a:[[1]]", "a:[99999999999999999999]", "x y:[1]"}) {
    try {
      parse_input_shapes(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const Error& e) {
      std::string m = e.what();
      EXPECT_EQ(m.rfind("--input-shapes: ", 0), 0u) << m;
    }
  }
}

TEST(InputShapes, MessageNamesTheEntry) {
  try {
    parse_input_shapes("ok:[1] bad:1x2");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'bad:1x2'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace hone
