#include "storage/tag_match.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace meridian::storage {
namespace {

using Names = std::vector<std::string>;

TEST(MatchTaggedTest, KeepsWhatMatchesInTheGivenOrder) {
  const Names names = {"cpu;dc=us;host=h2", "cpu;dc=eu;host=h1", "mem;dc=eu", "cpu.untagged"};
  auto eu = MatchTagged(names, {"dc=eu"});
  ASSERT_TRUE(eu.ok()) << eu.status().ToString();
  EXPECT_EQ(*eu, (Names{"cpu;dc=eu;host=h1", "mem;dc=eu"}));
  auto cpu = MatchTagged(names, {"name=cpu", "host=~h"});
  ASSERT_TRUE(cpu.ok());
  EXPECT_EQ(*cpu, (Names{"cpu;dc=us;host=h2", "cpu;dc=eu;host=h1"}));
  // An expression matching the empty value also matches series without the tag, as the store.
  auto no_rack = MatchTagged(names, {"name=~.", "rack="});
  ASSERT_TRUE(no_rack.ok());
  EXPECT_EQ(no_rack->size(), 3u);
}

TEST(MatchTaggedTest, NamesThatAreNotCanonicalTaggedSeriesNeverMatch) {
  auto got = MatchTagged({"cpu;host=h1;dc=eu", "cpu", ";dc=eu", "cpu;dc=eu", "cpu;dc=eu;dc=us"},
                         {"dc=eu"});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, Names{"cpu;dc=eu"});
}

TEST(MatchTaggedTest, BadExpressionsAreErrorsAsForTheStore) {
  EXPECT_EQ(MatchTagged({"cpu;dc=eu"}, {}).status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(MatchTagged({"cpu;dc=eu"}, {"dc"}).status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(MatchTagged({"cpu;dc=eu"}, {"rack="}).status().code(),
            core::StatusCode::kInvalidArgument);  // only empty-matching expressions
  EXPECT_EQ(MatchTagged({"cpu;dc=eu"}, {"dc=~(a"}).status().code(),
            core::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace meridian::storage
