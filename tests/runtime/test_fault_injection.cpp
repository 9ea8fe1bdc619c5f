// FaultInjector: arming, selection per call and replica, capacity and type checks.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include <lockstep/core/error.hpp>
#include <lockstep/runtime/fault_injection.hpp>

namespace {

using lockstep::Fault;
using Injector = lockstep::FaultInjector<int, std::uint32_t, int>;

TEST(FaultInjector, NothingArmedByDefault) {
  Injector f{3};
  EXPECT_FALSE(f.armed());
  EXPECT_EQ(f.select(0, 1).count, 0U);
}

TEST(FaultInjector, SelectsByCallAndReplica) {
  Injector f{3};
  f.arm(1, Fault::flip_output(0, 1), 5);
  f.arm(2, Fault::throws(), Injector::kEveryCall);
  EXPECT_TRUE(f.armed());
  EXPECT_EQ(f.select(1, 4).count, 0U);
  EXPECT_EQ(f.select(1, 5).count, 1U);
  EXPECT_EQ(f.select(0, 5).count, 0U);
  EXPECT_EQ(f.select(2, 1).count, 1U);
  EXPECT_EQ(f.select(2, 99).count, 1U);
  f.clear();
  EXPECT_FALSE(f.armed());
  EXPECT_EQ(f.select(2, 99).count, 0U);
}

TEST(FaultInjector, CapacityAndRangeAreChecked) {
  Injector f{3};
  for (int i = 0; i < 4; ++i) f.arm(0, Fault::late(std::chrono::microseconds{1}), 1);
  EXPECT_THROW(f.arm(0, Fault::hang(), 1), lockstep::Error);
  EXPECT_THROW(f.arm(4, Fault::hang(), 1), lockstep::Error);  // 3 is the tie-break index, 4 is out
  EXPECT_NO_THROW(f.arm(3, Fault::hang(), 1));
}

TEST(FaultInjector, BitFlipNeedsTriviallyCopyableType) {
  lockstep::FaultInjector<int, std::string, int> f{3};
  EXPECT_THROW(f.arm(0, Fault::flip_output(0, 1), 1), lockstep::Error);
  EXPECT_NO_THROW(f.arm_output(
      0, [](std::string& s) { s += "!"; }, 1));
  EXPECT_NO_THROW(f.arm(0, Fault::flip_input(0, 1), 1));
}

TEST(FaultInjector, FlipBytesIsClippedToObjectSize) {
  std::uint32_t v = 0;
  lockstep::detail::flip_bytes(v, 2, 0xFFFF'FFFFULL);  // only bytes 2 and 3 exist
  EXPECT_EQ(v, 0xFFFF0000U);
  lockstep::detail::flip_bytes(v, 9, 0xFF);  // past the end: no-op
  EXPECT_EQ(v, 0xFFFF0000U);
}

}  // namespace
