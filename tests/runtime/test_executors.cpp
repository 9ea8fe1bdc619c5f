// NVersionExecutor, TemporalExecutor and DuplexRetry on the inline backend.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdint>

#include <lockstep/hw/clock.hpp>
#include <lockstep/runtime.hpp>
#include <lockstep/voters/inexact.hpp>
#include <lockstep/voters/majority.hpp>

namespace {

using namespace std::chrono_literals;
using lockstep::Backend;
using lockstep::CallStatus;
using lockstep::ExecutorConfig;
using lockstep::Fault;
using lockstep::ReplicaMask;

ExecutorConfig inline_cfg(lockstep::hw::SimClock& clock, std::uint32_t n = 3) {
  ExecutorConfig cfg{};
  cfg.replicas = n;
  cfg.deadline = 100us;
  cfg.backend = Backend::inline_;
  cfg.clock = &clock;
  return cfg;
}

// Three independently written square roots: Newton, std::sqrt, and exp/log.
double newton_sqrt(const double& x) {
  double y = x > 1.0 ? x : 1.0;
  for (int i = 0; i < 60; ++i) y = 0.5 * (y + x / y);
  return y;
}
double std_sqrt(const double& x) { return std::sqrt(x); }
double log_sqrt(const double& x) { return std::exp(0.5 * std::log(x)); }

TEST(NVersionExecutor, ToleranceVoterAcceptsDiverseVersions) {
  lockstep::hw::SimClock clock;
  using NV = lockstep::NVersionExecutor<double, double>;
  NV nv{inline_cfg(clock), NV::versions(newton_sqrt, std_sqrt, log_sqrt),
        lockstep::voters::inexact_majority.with(lockstep::Tolerance::relative(1e-12))};
  for (double x : {2.0, 10.0, 12345.678}) {
    const auto r = nv.run(x);
    ASSERT_TRUE(r.decided()) << x;
    EXPECT_NEAR(*r.vote.value, std::sqrt(x), 1e-9 * std::sqrt(x));
  }
}

TEST(NVersionExecutor, MasksADesignFaultInOneVersion) {
  lockstep::hw::SimClock clock;
  using NV = lockstep::NVersionExecutor<double, double>;
  auto buggy = [](const double& x) { return x > 100.0 ? x / 2.0 : std::sqrt(x); };  // wrong branch
  NV nv{inline_cfg(clock), NV::versions(newton_sqrt, buggy, log_sqrt),
        lockstep::voters::inexact_majority.with(lockstep::Tolerance::relative(1e-12))};
  const auto r = nv.run(400.0);
  ASSERT_TRUE(r.decided());
  EXPECT_NEAR(*r.vote.value, 20.0, 1e-9);
  EXPECT_EQ(r.vote.dissent, ReplicaMask{0b010});
}

TEST(NVersionExecutor, RejectsVersionCountMismatch) {
  lockstep::hw::SimClock clock;
  using NV = lockstep::NVersionExecutor<double, double>;
  EXPECT_THROW((NV{inline_cfg(clock, 3), NV::versions(newton_sqrt, std_sqrt), lockstep::voters::majority}),
               lockstep::Error);
}

TEST(TemporalExecutor, ThreeSequentialRunsMaskATransient) {
  lockstep::hw::SimClock clock;
  lockstep::TemporalExecutor<std::int64_t, std::int64_t> t3{
      inline_cfg(clock), [](const std::int64_t& x) { return x + 1; }, lockstep::voters::majority};
  t3.faults().arm(1, Fault::flip_output(0, 0x8), t3.next_call());
  const auto r = t3.run(1);
  ASSERT_TRUE(r.decided());
  EXPECT_EQ(*r.vote.value, 2);
  EXPECT_EQ(r.vote.dissent, ReplicaMask{0b010});
  EXPECT_EQ(r.executions, 3U);
}

TEST(TemporalExecutor, RunsThatWouldStartAfterTheDeadlineAreSkipped) {
  lockstep::hw::SimClock clock;
  lockstep::TemporalExecutor<std::int64_t, std::int64_t> t3{inline_cfg(clock),
                                                            [&clock](const std::int64_t& x) {
                                                              clock.advance(45us);
                                                              return x;
                                                            },
                                                            lockstep::voters::majority};
  // Runs end at 45, 90 us; the third would start at 90 and end at 135 > 100: it runs and is late.
  const auto r = t3.run(1);
  EXPECT_EQ(r.late, ReplicaMask{0b100});
  EXPECT_TRUE(r.decided());
  // Injected lateness accumulates in sequential mode: run 0 takes 80 us (virtual) + 45 real.
  t3.faults().arm(0, Fault::late(80us), t3.next_call());
  const auto r2 = t3.run(1);
  EXPECT_EQ(r2.late, ReplicaMask{0b111});  // 125 us: run 0 late, runs 1 and 2 skipped
  EXPECT_EQ(r2.executions, 1U);
  EXPECT_FALSE(r2.decided());
}

TEST(DuplexRetry, AgreementNeedsNoRetry) {
  lockstep::hw::SimClock clock;
  lockstep::DuplexRetry<std::int64_t, std::int64_t> dr{
      inline_cfg(clock), [](const std::int64_t& x) { return x * 2; }, lockstep::voters::majority};
  const auto r = dr.run(4);
  EXPECT_EQ(r.status, CallStatus::ok);
  EXPECT_EQ(r.executions, 2U);
  EXPECT_FALSE(r.recovered);
}

TEST(DuplexRetry, MismatchIsDetectedAndRecoveredByTieBreak) {
  lockstep::hw::SimClock clock;
  lockstep::DuplexRetry<std::int64_t, std::int64_t> dr{
      inline_cfg(clock), [](const std::int64_t& x) { return x * 2; }, lockstep::voters::majority};
  dr.faults().arm(0, Fault::flip_output(0, 0x1), dr.next_call());
  const auto r = dr.run(4);
  ASSERT_TRUE(r.decided());
  EXPECT_EQ(*r.vote.value, 8);
  EXPECT_TRUE(r.recovered);
  EXPECT_EQ(r.status, CallStatus::recovered);
  EXPECT_EQ(r.executions, 3U);
  EXPECT_EQ(r.vote.dissent, ReplicaMask{0b001});
}

TEST(DuplexRetry, FailedReplicaRecoveredByTieBreak) {
  lockstep::hw::SimClock clock;
  lockstep::DuplexRetry<std::int64_t, std::int64_t> dr{
      inline_cfg(clock), [](const std::int64_t& x) { return x * 2; }, lockstep::voters::majority};
  dr.faults().arm(1, Fault::throws(), dr.next_call());
  const auto r = dr.run(5);
  ASSERT_TRUE(r.decided());
  EXPECT_EQ(*r.vote.value, 10);
  EXPECT_TRUE(r.recovered);
  EXPECT_EQ(r.failed, ReplicaMask{0b010});
}

TEST(DuplexRetry, TieBreakFaultMeansNoDecision) {
  lockstep::hw::SimClock clock;
  int safe = 0;
  auto cfg = inline_cfg(clock);
  cfg.on_safe_state = [&safe](lockstep::SafeStateReason) { ++safe; };
  lockstep::DuplexRetry<std::int64_t, std::int64_t> dr{cfg, [](const std::int64_t& x) { return x * 2; },
                                                       lockstep::voters::majority};
  dr.faults().arm(0, Fault::flip_output(0, 0x1), dr.next_call());
  dr.faults().arm(2, Fault::flip_output(0, 0x2), dr.next_call());  // index 2 = the tie-break run
  const auto r = dr.run(4);
  EXPECT_FALSE(r.decided());
  EXPECT_EQ(r.status, CallStatus::no_decision);
  EXPECT_EQ(safe, 1);
}

struct Acc {
  std::int64_t total{0};
};

TEST(DuplexRetry, TieBreakUsesPreCallStateAndResyncsTheLoser) {
  lockstep::hw::SimClock clock;
  lockstep::DuplexRetry<std::int64_t, std::int64_t, Acc> dr{inline_cfg(clock),
                                                            [](const std::int64_t& x, Acc& a) {
                                                              a.total += x;
                                                              return a.total;
                                                            },
                                                            lockstep::voters::majority};
  (void)dr.run(10);
  dr.faults().arm_state(
      1, [](Acc& a) { a.total = -99; }, dr.next_call());
  const auto r = dr.run(5);
  ASSERT_TRUE(r.decided());
  EXPECT_EQ(*r.vote.value, 15);
  EXPECT_TRUE(r.recovered);
  EXPECT_EQ(r.resynced, ReplicaMask{0b010});
  EXPECT_EQ(dr.state(1).total, 15);
  EXPECT_EQ(dr.run(1).status, CallStatus::ok);
}

}  // namespace
