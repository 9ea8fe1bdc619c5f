#include <lockstep/core/replica_mask.hpp>

#include <gtest/gtest.h>

namespace lockstep {
namespace {

TEST(ReplicaMask, FirstNSetsExactlyNLowBits) {
  for (std::uint32_t n = 0; n <= kMaxReplicas; ++n) {
    const ReplicaMask m = ReplicaMask::first(n);
    EXPECT_EQ(m.count(), n) << "n=" << n;
    for (std::uint32_t i = 0; i < kMaxReplicas; ++i) {
      EXPECT_EQ(m.test(i), i < n) << "n=" << n << " i=" << i;
    }
  }
}

TEST(ReplicaMask, OutOfRangeIndicesAreIgnored) {
  ReplicaMask m;
  m.set(kMaxReplicas).set(100);
  EXPECT_TRUE(m.none());
  EXPECT_FALSE(m.test(kMaxReplicas));
  EXPECT_EQ(ReplicaMask{0xFFFFFFFFU}, ReplicaMask::all());
  EXPECT_EQ(ReplicaMask::all().count(), kMaxReplicas);
}

TEST(ReplicaMask, SetAlgebra) {
  const ReplicaMask a{0b1011};
  const ReplicaMask b{0b0110};
  EXPECT_EQ(a | b, 0b1111U);
  EXPECT_EQ(a & b, 0b0010U);
  EXPECT_EQ(a - b, 0b1001U);
  EXPECT_EQ(a.lowest(), 0U);
  EXPECT_EQ(b.lowest(), 1U);
  EXPECT_EQ(ReplicaMask{}.lowest(), kMaxReplicas);
  ReplicaMask c = a;
  c.reset(0).reset(3);
  EXPECT_EQ(c, 0b0010U);
}

}  // namespace
}  // namespace lockstep
