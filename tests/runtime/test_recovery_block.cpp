// RecoveryBlock: primary, acceptance test, alternates, checkpoint and rollback.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <stdexcept>

#include <lockstep/hw/clock.hpp>
#include <lockstep/runtime.hpp>

#include "alloc_counter.hpp"

namespace {

using namespace std::chrono_literals;
using lockstep::CallStatus;
using lockstep::Fault;
using lockstep::ReplicaMask;

struct Filter {
  double y{0.0};
};
using Block = lockstep::RecoveryBlock<double, double, Filter>;

lockstep::ExecutorConfig cfg_with(lockstep::hw::SimClock& clock) {
  lockstep::ExecutorConfig cfg{};
  cfg.deadline = 100us;
  cfg.clock = &clock;
  return cfg;
}

double fancy(const double& x, Filter& f) {  // primary: a low-pass filter, with a bug for x < 0
  f.y = 0.5 * f.y + 0.5 * x;
  return x < 0.0 ? 1e6 : f.y;
}
double simple(const double& x, Filter& f) {  // alternate: saturating copy
  f.y = x;
  return x < -1.0 ? -1.0 : x;
}
bool plausible(const double& /*in*/, const double& out) { return out > -10.0 && out < 10.0; }

TEST(RecoveryBlock, PrimaryAcceptedNeedsNoAlternate) {
  lockstep::hw::SimClock clock;
  Block rb{cfg_with(clock), Block::alternates(fancy, simple), plausible};
  const auto r = rb.run(2.0);
  ASSERT_TRUE(r.decided());
  EXPECT_DOUBLE_EQ(*r.vote.value, 1.0);
  EXPECT_EQ(r.status, CallStatus::ok);
  EXPECT_EQ(r.executions, 1U);
  EXPECT_DOUBLE_EQ(rb.state().y, 1.0);
}

TEST(RecoveryBlock, RejectedPrimaryRollsBackAndRunsAlternate) {
  lockstep::hw::SimClock clock;
  Block rb{cfg_with(clock), Block::alternates(fancy, simple), plausible};
  (void)rb.run(2.0);  // y = 1
  const auto r = rb.run(-4.0);
  ASSERT_TRUE(r.decided());
  EXPECT_DOUBLE_EQ(*r.vote.value, -1.0);
  EXPECT_TRUE(r.recovered);
  EXPECT_EQ(r.status, CallStatus::recovered);
  EXPECT_EQ(r.failed, ReplicaMask{0b01});
  EXPECT_EQ(r.resynced, ReplicaMask{0b01});  // rolled back after the primary
  EXPECT_DOUBLE_EQ(rb.state().y, -4.0);      // alternate ran from the checkpoint (y = 1) and set y = x
}

TEST(RecoveryBlock, ThrowingPrimaryIsRolledBack) {
  lockstep::hw::SimClock clock;
  Block rb{cfg_with(clock), Block::alternates(fancy, simple), plausible};
  rb.faults().arm_state(
      0, [](Filter& f) { f.y = 1e9; }, rb.next_call());
  rb.faults().arm(0, Fault::throws(), rb.next_call());
  const auto r = rb.run(3.0);
  ASSERT_TRUE(r.decided());
  EXPECT_DOUBLE_EQ(*r.vote.value, 3.0);
  EXPECT_DOUBLE_EQ(rb.state().y, 3.0);
}

TEST(RecoveryBlock, AllAlternatesRejectedMeansSafeState) {
  lockstep::hw::SimClock clock;
  int safe = 0;
  auto cfg = cfg_with(clock);
  cfg.on_safe_state = [&safe](lockstep::SafeStateReason) { ++safe; };
  Block rb{cfg, Block::alternates(fancy, simple), [](const double&, const double&) { return false; }};
  const auto r = rb.run(1.0);
  EXPECT_FALSE(r.decided());
  EXPECT_EQ(r.status, CallStatus::no_decision);
  EXPECT_EQ(safe, 1);
  EXPECT_DOUBLE_EQ(rb.state().y, 0.0);  // rolled back to the checkpoint
}

TEST(RecoveryBlock, LateAlternatesAreSkipped) {
  lockstep::hw::SimClock clock;
  Block rb{cfg_with(clock), Block::alternates(fancy, simple), plausible};
  rb.faults().arm(0, Fault::late(200us), rb.next_call());
  const auto r = rb.run(1.0);
  EXPECT_FALSE(r.decided());
  EXPECT_EQ(r.late, ReplicaMask{0b11});
  EXPECT_EQ(r.executions, 1U);
}

TEST(RecoveryBlock, RejectsBadConfiguration) {
  lockstep::hw::SimClock clock;
  EXPECT_THROW((Block{cfg_with(clock), {}, plausible}), lockstep::Error);
  EXPECT_THROW((Block{cfg_with(clock), Block::alternates(fancy), Block::Acceptance{}}), lockstep::Error);
}

TEST(RecoveryBlock, HotPathAllocatesNothing) {
  lockstep::hw::SimClock clock;
  Block rb{cfg_with(clock), Block::alternates(fancy, simple), plausible};
  (void)rb.run(1.0);
  lockstep::test::AllocationScope scope;
  for (int i = 0; i < 100; ++i) (void)rb.run(i % 2 == 0 ? 1.0 : -3.0);
  EXPECT_EQ(scope.allocations(), 0U);
}

}  // namespace
