// Requirement tests for the alpha-count and the degradation ladder (docs/runtime.md, "Health").
#include <gtest/gtest.h>

#include <lockstep/runtime/health.hpp>

namespace {

using lockstep::AlphaCount;
using lockstep::HealthLadder;
using lockstep::Level;

TEST(AlphaCount, IsolatedTransientsNeverReachThreshold) {
  AlphaCount a{0.9, 3.0};
  for (int i = 0; i < 1000; ++i) {
    const bool err = (i % 10) == 0;  // one error every 10 calls: alpha stays below ~1.6
    EXPECT_FALSE(a.update(err)) << "call " << i;
  }
  EXPECT_FALSE(a.judged_permanent());
  EXPECT_LT(a.value(), 3.0);
}

TEST(AlphaCount, ThreeConsecutiveErrorsJudgePermanentWithDefaults) {
  AlphaCount a{0.9, 3.0};
  EXPECT_FALSE(a.update(true));  // 1
  EXPECT_FALSE(a.update(true));  // 2
  EXPECT_TRUE(a.update(true));   // 3 -> exactly 3.0 reaches the threshold
  EXPECT_TRUE(a.judged_permanent());
  AlphaCount b{0.9, 3.0};
  EXPECT_FALSE(b.update(true));
  EXPECT_FALSE(b.update(false));  // 0.9
  EXPECT_FALSE(b.update(true));   // 1.9
  EXPECT_FALSE(b.update(true));   // 2.9
  EXPECT_TRUE(b.update(true));    // 3.9: crossing reported once
  EXPECT_FALSE(b.update(true));   // already permanent: no second report
}

TEST(AlphaCount, DecaysAndResets) {
  AlphaCount a{0.5, 3.0};
  (void)a.update(true);
  (void)a.update(false);
  EXPECT_DOUBLE_EQ(a.value(), 0.5);
  a.reset();
  EXPECT_DOUBLE_EQ(a.value(), 0.0);
}

// Transition table of docs/runtime.md, row by row.
TEST(HealthLadder, NominalToSpareActiveWhenSpareAvailable) {
  HealthLadder l{3, 2};
  const auto s = l.on_permanent(true);
  EXPECT_EQ(s.from, Level::nominal);
  EXPECT_EQ(s.to, Level::spare_active);
  EXPECT_TRUE(s.spare_taken);
  EXPECT_EQ(l.active(), 3U);
}

TEST(HealthLadder, SpareActiveStaysWhileSparesLast) {
  HealthLadder l{3, 2};
  (void)l.on_permanent(true);
  const auto s = l.on_permanent(true);
  EXPECT_FALSE(s.changed());
  EXPECT_EQ(l.level(), Level::spare_active);
}

TEST(HealthLadder, TmrToDetectOnlyToSafeState) {
  HealthLadder l{3, 2};
  auto s = l.on_permanent(false);
  EXPECT_EQ(s.from, Level::nominal);
  EXPECT_EQ(s.to, Level::detect_only);
  EXPECT_EQ(l.active(), 2U);
  s = l.on_permanent(false);
  EXPECT_EQ(s.to, Level::safe_state);
  EXPECT_EQ(l.active(), 1U);
}

TEST(HealthLadder, FiveModularDegradesThroughDegraded) {
  HealthLadder l{5, 2};
  EXPECT_EQ(l.on_permanent(false).to, Level::degraded);  // 4 active
  EXPECT_EQ(l.on_permanent(false).to, Level::degraded);  // 3 active
  EXPECT_EQ(l.on_permanent(false).to, Level::detect_only);
  EXPECT_EQ(l.on_permanent(false).to, Level::safe_state);
}

TEST(HealthLadder, SpareActiveToDetectOnlyWhenSparesExhausted) {
  HealthLadder l{3, 2};
  (void)l.on_permanent(true);
  EXPECT_EQ(l.on_permanent(false).to, Level::detect_only);
}

TEST(HealthLadder, SafeStateIsAbsorbing) {
  HealthLadder l{2, 2};
  EXPECT_EQ(l.on_permanent(false).to, Level::safe_state);  // DMR loses one: safe state
  EXPECT_FALSE(l.on_permanent(false).changed());
  EXPECT_FALSE(l.on_permanent(true).spare_taken);
  EXPECT_FALSE(l.on_spare_activated().changed());
  EXPECT_EQ(l.level(), Level::safe_state);
}

TEST(HealthLadder, RepairLeavesSafeStateAndResetRestoresNominal) {
  HealthLadder l{3, 2};
  (void)l.on_permanent(false);
  (void)l.on_permanent(false);
  ASSERT_EQ(l.level(), Level::safe_state);
  EXPECT_EQ(l.on_repair().to, Level::detect_only);
  EXPECT_EQ(l.on_repair().to, Level::nominal);
  (void)l.on_permanent(true);
  l.reset();
  EXPECT_EQ(l.level(), Level::nominal);
  EXPECT_EQ(l.active(), 3U);
}

TEST(HealthLadder, HungWorkerReplacementMarksSpareActive) {
  HealthLadder l{3, 2};
  const auto s = l.on_spare_activated();
  EXPECT_EQ(s.from, Level::nominal);
  EXPECT_EQ(s.to, Level::spare_active);
}

TEST(HealthLadder, MinActiveThreeMakesTmrFailSafeOnFirstLoss) {
  HealthLadder l{3, 3};
  EXPECT_EQ(l.on_permanent(false).to, Level::safe_state);
}

}  // namespace
