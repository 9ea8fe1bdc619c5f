#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "alloc_counter.hpp"

namespace lockstep::test {
namespace {

TEST(AllocationScope, CountsThisThreadsAllocations) {
  AllocationScope scope;
  EXPECT_EQ(scope.allocations(), 0U);
  auto p = std::make_unique<int>(7);
  std::vector<int> v(100);
  EXPECT_EQ(scope.allocations(), 2U);
  EXPECT_GE(scope.all_threads(), 2U);
  EXPECT_EQ(*p + v[0], 7);
}

TEST(AllocationScope, StackWorkCountsZero) {
  AllocationScope scope;
  int sum = 0;
  for (int i = 0; i < 100; ++i) sum += i;
  EXPECT_EQ(sum, 4950);
  EXPECT_EQ(scope.allocations(), 0U);
}

}  // namespace
}  // namespace lockstep::test
