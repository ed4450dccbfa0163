#include "query/internal/py_format.h"

#include <gtest/gtest.h>

#include <cmath>

namespace meridian::query::internal {
namespace {

std::string Py(double v) {
  std::string s;
  AppendPythonFloat(v, &s);
  return s;
}

// Expected strings are CPython 3.11's repr(float(x)).
TEST(PythonFloatTest, MatchesCPythonRepr) {
  EXPECT_EQ(Py(42.0), "42.0");
  EXPECT_EQ(Py(42.5), "42.5");
  EXPECT_EQ(Py(-0.0), "-0.0");
  EXPECT_EQ(Py(0.0), "0.0");
  EXPECT_EQ(Py(0.1), "0.1");
  EXPECT_EQ(Py(1.0 / 3), "0.3333333333333333");
  EXPECT_EQ(Py(1e16), "1e+16");
  EXPECT_EQ(Py(1234567890123456.0), "1234567890123456.0");
  EXPECT_EQ(Py(12345678901234567.0), "1.2345678901234568e+16");
  EXPECT_EQ(Py(100000.0), "100000.0");
  EXPECT_EQ(Py(0.0001), "0.0001");
  EXPECT_EQ(Py(0.00001), "1e-05");
  EXPECT_EQ(Py(1.5e-7), "1.5e-07");
  EXPECT_EQ(Py(-2.5e300), "-2.5e+300");
  EXPECT_EQ(Py(9007199254740993.0), "9007199254740992.0");
  EXPECT_EQ(Py(5e-324), "5e-324");
  EXPECT_EQ(Py(123.456), "123.456");
}

}  // namespace
}  // namespace meridian::query::internal
