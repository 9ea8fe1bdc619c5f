// NModularExecutor on the inline deterministic backend (replicas in sequence on the caller,
// time from a hw::SimClock): every failure path, health ladder, reintegration, telemetry.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <vector>

#include <lockstep/hw/clock.hpp>
#include <lockstep/runtime.hpp>
#include <lockstep/voters/majority.hpp>

#include "alloc_counter.hpp"

namespace {

using namespace std::chrono_literals;
using lockstep::Backend;
using lockstep::CallStatus;
using lockstep::ExecutorConfig;
using lockstep::Fault;
using lockstep::Level;
using lockstep::NModularExecutor;
using lockstep::ReplicaMask;

ExecutorConfig inline_cfg(lockstep::hw::SimClock& clock, std::uint32_t n = 3) {
  ExecutorConfig cfg{};
  cfg.replicas = n;
  cfg.deadline = 100us;
  cfg.backend = Backend::inline_;
  cfg.clock = &clock;
  return cfg;
}

std::int64_t square(const std::int64_t& x) { return x * x; }

/// An integrator: the state is the running sum.
struct Sum {
  std::int64_t total{0};
};
std::int64_t integrate(const std::int64_t& x, Sum& s) {
  s.total += x;
  return s.total;
}

TEST(TmrExecutor, UnanimousWhenFaultFree) {
  lockstep::hw::SimClock clock;
  NModularExecutor<std::int64_t, std::int64_t> tmr{inline_cfg(clock), square, lockstep::voters::majority};
  const auto r = tmr.run(7);
  ASSERT_TRUE(r.decided());
  EXPECT_EQ(*r.vote.value, 49);
  EXPECT_EQ(r.status, CallStatus::ok);
  EXPECT_EQ(r.vote.outcome, lockstep::Outcome::unanimous);
  EXPECT_EQ(r.executions, 3U);
  EXPECT_EQ(r.call, 1U);
  EXPECT_FALSE(r.spatially_distinct);  // inline: all on the caller
  EXPECT_EQ(tmr.next_call(), 2U);
}

TEST(TmrExecutor, MasksOneCorruptedReplica) {
  lockstep::hw::SimClock clock;
  NModularExecutor<std::int64_t, std::int64_t> tmr{inline_cfg(clock), square, lockstep::voters::majority};
  tmr.faults().arm(1, Fault::flip_output(0, 0x01), tmr.next_call());
  const auto r = tmr.run(3);
  ASSERT_TRUE(r.decided());
  EXPECT_EQ(*r.vote.value, 9);
  EXPECT_EQ(r.status, CallStatus::masked);
  EXPECT_EQ(r.vote.dissent, ReplicaMask{0b010});
  // One-shot: the next call is clean again.
  const auto r2 = tmr.run(3);
  EXPECT_EQ(r2.status, CallStatus::ok);
  // The masking was reported: a dissent event with its magnitude (9 ^ 1 = 8: off by 1).
  lockstep::Event e{};
  bool found = false;
  while (tmr.telemetry().events().try_pop(e)) {
    if (e.kind == lockstep::EventKind::dissent) {
      found = true;
      EXPECT_EQ(e.replica, 1U);
      EXPECT_EQ(e.call, 1U);
      EXPECT_DOUBLE_EQ(e.magnitude, 1.0);
    }
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(tmr.telemetry().replica(1).dissents.load(), 1U);
}

TEST(TmrExecutor, MasksCorruptedInputCopy) {
  lockstep::hw::SimClock clock;
  NModularExecutor<std::int64_t, std::int64_t> tmr{inline_cfg(clock), square, lockstep::voters::majority};
  tmr.faults().arm(2, Fault::flip_input(0, 0x02), tmr.next_call());
  const auto r = tmr.run(4);
  ASSERT_TRUE(r.decided());
  EXPECT_EQ(*r.vote.value, 16);
  EXPECT_EQ(r.vote.dissent, ReplicaMask{0b100});
}

TEST(TmrExecutor, ThrowingReplicaIsFailedNotAnException) {
  lockstep::hw::SimClock clock;
  int calls = 0;
  NModularExecutor<std::int64_t, std::int64_t> tmr{inline_cfg(clock),
                                                   [&calls](const std::int64_t& x) -> std::int64_t {
                                                     if (++calls == 2) throw std::runtime_error("boom");
                                                     return x + 1;
                                                   },
                                                   lockstep::voters::majority};
  const auto r = tmr.run(1);
  ASSERT_TRUE(r.decided());
  EXPECT_EQ(*r.vote.value, 2);
  EXPECT_EQ(r.failed, ReplicaMask{0b010});
  EXPECT_EQ(r.status, CallStatus::masked);
  tmr.faults().arm(0, Fault::throws(), tmr.next_call());
  const auto r2 = tmr.run(1);
  EXPECT_EQ(r2.failed, ReplicaMask{0b001});
  EXPECT_TRUE(r2.decided());
}

TEST(TmrExecutor, InvalidOutputIsFailedReplica) {
  lockstep::hw::SimClock clock;
  NModularExecutor<double, double> tmr{inline_cfg(clock), [](const double& x) { return x * 2.0; },
                                       lockstep::voters::majority};
  tmr.set_output_check([](const double& y) { return y < 100.0; });
  tmr.faults().arm_output(
      0, [](double& y) { y = 1e9; }, tmr.next_call());
  const auto r = tmr.run(2.0);
  ASSERT_TRUE(r.decided());
  EXPECT_DOUBLE_EQ(*r.vote.value, 4.0);
  EXPECT_EQ(r.failed, ReplicaMask{0b001});
}

TEST(TmrExecutor, LateReplicaExcludedAndFlagged) {
  lockstep::hw::SimClock clock;
  NModularExecutor<std::int64_t, std::int64_t> tmr{inline_cfg(clock), square, lockstep::voters::majority};
  tmr.faults().arm(2, Fault::late(150us), tmr.next_call());
  const auto r = tmr.run(5);
  ASSERT_TRUE(r.decided());
  EXPECT_EQ(*r.vote.value, 25);
  EXPECT_EQ(r.late, ReplicaMask{0b100});
  EXPECT_EQ(r.status, CallStatus::masked);
  EXPECT_EQ(r.elapsed, 100us);  // simulated: the caller waited until the deadline
  // Late by less than the deadline: still on time.
  tmr.faults().arm(2, Fault::late(99us), tmr.next_call());
  const auto r2 = tmr.run(5);
  EXPECT_TRUE(r2.late.none());
  EXPECT_EQ(r2.elapsed, 99us);
}

TEST(TmrExecutor, KernelAdvancingSimClockPastDeadlineIsLate) {
  lockstep::hw::SimClock clock;
  NModularExecutor<std::int64_t, std::int64_t> tmr{inline_cfg(clock),
                                                   [&clock](const std::int64_t& x) {
                                                     clock.advance(40us);  // each replica "takes" 40 us
                                                     return x;
                                                   },
                                                   lockstep::voters::majority};
  // Inline models parallel replicas by clock reading: replica finish times are 40, 80, 120 us.
  const auto r = tmr.run(1);
  EXPECT_EQ(r.late, ReplicaMask{0b100});
  EXPECT_TRUE(r.decided());
}

TEST(TmrExecutor, SimulatedHangIsLateAndHung) {
  lockstep::hw::SimClock clock;
  NModularExecutor<std::int64_t, std::int64_t> tmr{inline_cfg(clock), square, lockstep::voters::majority};
  tmr.faults().arm(0, Fault::hang(), tmr.next_call());
  const auto r = tmr.run(2);
  ASSERT_TRUE(r.decided());
  EXPECT_EQ(r.late, ReplicaMask{0b001});
  EXPECT_EQ(r.hung, ReplicaMask{0b001});
}

TEST(TmrExecutor, NoMajorityRunsSafeStateHandler) {
  lockstep::hw::SimClock clock;
  int safe = 0;
  auto cfg = inline_cfg(clock);
  cfg.on_safe_state = [&safe](lockstep::SafeStateReason why) {
    EXPECT_EQ(why, lockstep::SafeStateReason::no_majority);
    ++safe;
  };
  NModularExecutor<std::int64_t, std::int64_t> tmr{cfg, square, lockstep::voters::majority};
  tmr.faults().arm(0, Fault::flip_output(0, 1), tmr.next_call());
  tmr.faults().arm(1, Fault::flip_output(0, 2), tmr.next_call());
  const auto r = tmr.run(2);
  EXPECT_FALSE(r.decided());
  EXPECT_FALSE(r.vote.value.has_value());
  EXPECT_EQ(r.status, CallStatus::no_decision);
  EXPECT_EQ(safe, 1);
  EXPECT_EQ(tmr.telemetry().no_decisions.load(), 1U);
}

TEST(TmrExecutor, TwoLateReplicasMeanNoDecision) {
  lockstep::hw::SimClock clock;
  NModularExecutor<std::int64_t, std::int64_t> tmr{inline_cfg(clock), square, lockstep::voters::majority};
  tmr.faults().arm(0, Fault::late(1ms), tmr.next_call());
  tmr.faults().arm(1, Fault::hang(), tmr.next_call());
  const auto r = tmr.run(2);
  EXPECT_FALSE(r.decided());  // majority of N = 3 needs 2 on-time replicas
  EXPECT_EQ(r.late, ReplicaMask{0b011});
}

TEST(DmrExecutor, DetectsButDoesNotMask) {
  lockstep::hw::SimClock clock;
  NModularExecutor<std::int64_t, std::int64_t> dmr{inline_cfg(clock, 2), square, lockstep::voters::majority};
  EXPECT_TRUE(dmr.run(3).decided());
  dmr.faults().arm(1, Fault::flip_output(0, 4), dmr.next_call());
  const auto r = dmr.run(3);
  EXPECT_FALSE(r.decided());
  EXPECT_EQ(r.status, CallStatus::no_decision);
}

TEST(NmrExecutor, FiveModularMasksTwoFaults) {
  lockstep::hw::SimClock clock;
  NModularExecutor<std::int64_t, std::int64_t> nmr{inline_cfg(clock, 5), square, lockstep::voters::majority};
  nmr.faults().arm(0, Fault::flip_output(1, 0x80), nmr.next_call());
  nmr.faults().arm(3, Fault::throws(), nmr.next_call());
  const auto r = nmr.run(6);
  ASSERT_TRUE(r.decided());
  EXPECT_EQ(*r.vote.value, 36);
  EXPECT_EQ(r.vote.dissent, ReplicaMask{0b00001});
  EXPECT_EQ(r.failed, ReplicaMask{0b01000});
}

TEST(TmrExecutor, PermanentFaultExcludesReplicaAndDegradesToDetectOnly) {
  lockstep::hw::SimClock clock;
  NModularExecutor<std::int64_t, std::int64_t> tmr{inline_cfg(clock), square, lockstep::voters::majority};
  tmr.faults().arm(2, Fault::flip_output(0, 1),
                   lockstep::FaultInjector<std::int64_t, std::int64_t, lockstep::NoState>::kEveryCall);
  // alpha: 1, 2, 3 -> the third erroneous call reaches the default threshold 3.0.
  for (int i = 0; i < 2; ++i) {
    const auto r = tmr.run(2);
    EXPECT_EQ(r.level, Level::nominal);
    EXPECT_TRUE(r.excluded.none());
  }
  const auto r3 = tmr.run(2);
  EXPECT_EQ(r3.level, Level::detect_only);
  EXPECT_EQ(r3.excluded, ReplicaMask{0b100});
  EXPECT_TRUE(r3.decided());  // the vote of this call still masked it
  // Now DMR: the remaining two still agree.
  const auto r4 = tmr.run(3);
  ASSERT_TRUE(r4.decided());
  EXPECT_EQ(*r4.vote.value, 9);
  EXPECT_EQ(r4.status, CallStatus::masked);  // masked: a replica is missing
  EXPECT_EQ(r4.executions, 2U);
  EXPECT_TRUE(tmr.telemetry().replica(2).excluded.load());
  // A second permanent fault: safe state, absorbing; the handler runs every call.
  int safe = 0;
  (void)safe;
  tmr.faults().clear();
  tmr.faults().arm(1, Fault::throws(),
                   lockstep::FaultInjector<std::int64_t, std::int64_t, lockstep::NoState>::kEveryCall);
  for (int i = 0; i < 3; ++i) (void)tmr.run(3);
  EXPECT_EQ(tmr.level(), Level::safe_state);
  const auto rs = tmr.run(3);
  EXPECT_EQ(rs.status, CallStatus::safe_state);
  EXPECT_EQ(rs.executions, 0U);
  // Operator repair brings replicas back.
  tmr.faults().clear();
  EXPECT_TRUE(tmr.repair(1));
  EXPECT_EQ(tmr.level(), Level::detect_only);
  EXPECT_TRUE(tmr.repair(2));
  EXPECT_EQ(tmr.level(), Level::nominal);
  EXPECT_EQ(tmr.run(4).status, CallStatus::ok);
}

TEST(TmrExecutor, HotSpareReplacesPermanentReplica) {
  lockstep::hw::SimClock clock;
  auto cfg = inline_cfg(clock);
  cfg.spares = 1;
  NModularExecutor<std::int64_t, std::int64_t, Sum> tmr{cfg, integrate, lockstep::voters::majority};
  tmr.faults().arm(1, Fault::flip_output(0, 1), 1);
  tmr.faults().arm(1, Fault::flip_output(0, 1), 2);
  tmr.faults().arm(1, Fault::flip_output(0, 1), 3);
  for (int i = 0; i < 3; ++i) (void)tmr.run(1);
  EXPECT_EQ(tmr.level(), Level::spare_active);
  EXPECT_EQ(tmr.spares_left(), 0U);
  EXPECT_TRUE(tmr.excluded().none());
  // The spare took replica 1's place with the majority's state: full TMR again, in step.
  const auto r = tmr.run(1);
  EXPECT_EQ(r.status, CallStatus::ok);
  EXPECT_EQ(*r.vote.value, 4);
  EXPECT_EQ(tmr.state(1).total, 4);
}

TEST(TmrExecutor, ReintegrationResyncsDissentingState) {
  lockstep::hw::SimClock clock;
  NModularExecutor<std::int64_t, std::int64_t, Sum> tmr{inline_cfg(clock), integrate,
                                                        lockstep::voters::majority};
  tmr.faults().arm_state(
      2, [](Sum& s) { s.total += 1000; }, tmr.next_call());
  const auto r = tmr.run(5);
  ASSERT_TRUE(r.decided());
  EXPECT_EQ(*r.vote.value, 5);
  EXPECT_EQ(r.resynced, ReplicaMask{0b100});
  EXPECT_EQ(tmr.state(2).total, 5);
  const auto r2 = tmr.run(5);  // back in step: unanimous
  EXPECT_EQ(r2.status, CallStatus::ok);
  EXPECT_EQ(*r2.vote.value, 10);
}

TEST(TmrExecutor, WithoutReintegrationCorruptedStateKeepsDissenting) {
  lockstep::hw::SimClock clock;
  auto cfg = inline_cfg(clock);
  cfg.reintegration = lockstep::Reintegration::off;
  NModularExecutor<std::int64_t, std::int64_t, Sum> tmr{cfg, integrate, lockstep::voters::majority};
  tmr.faults().arm(2, Fault::flip_state(0, 0x40), tmr.next_call());
  EXPECT_EQ(tmr.run(1).vote.dissent, ReplicaMask{0b100});
  EXPECT_EQ(tmr.run(1).vote.dissent, ReplicaMask{0b100});  // still diverged
  EXPECT_TRUE(tmr.run(1).resynced.none());
}

TEST(TmrExecutor, StateSuspectNotificationForcesResync) {
  lockstep::hw::SimClock clock;
  NModularExecutor<std::int64_t, std::int64_t, Sum> tmr{inline_cfg(clock), integrate,
                                                        lockstep::voters::majority};
  (void)tmr.run(1);
  tmr.notify_state_suspect(ReplicaMask{0b010});
  const auto r = tmr.run(1);
  EXPECT_EQ(r.status, CallStatus::ok);
  EXPECT_EQ(r.resynced, ReplicaMask{0b010});
}

TEST(TmrExecutor, RejectsBadConfiguration) {
  lockstep::hw::SimClock clock;
  auto bad = inline_cfg(clock, 8);
  EXPECT_THROW((NModularExecutor<int, int>{bad, [](const int& x) { return x; }, lockstep::voters::majority}),
               lockstep::Error);
  auto bad2 = inline_cfg(clock);
  bad2.deadline = 0ns;
  EXPECT_THROW((NModularExecutor<int, int>{bad2, [](const int& x) { return x; }, lockstep::voters::majority}),
               lockstep::Error);
  auto bad3 = inline_cfg(clock);
  bad3.health.decay = 1.5;
  EXPECT_THROW((NModularExecutor<int, int>{bad3, [](const int& x) { return x; }, lockstep::voters::majority}),
               lockstep::Error);
  auto bad4 = inline_cfg(clock);
  bad4.health.min_active = 4;
  EXPECT_THROW((NModularExecutor<int, int>{bad4, [](const int& x) { return x; }, lockstep::voters::majority}),
               lockstep::Error);
}

TEST(TmrExecutor, HotPathAllocatesNothingOnInlineBackend) {
  lockstep::hw::SimClock clock;
  NModularExecutor<std::int64_t, std::int64_t, Sum> tmr{inline_cfg(clock), integrate,
                                                        lockstep::voters::majority};
  tmr.faults().arm(1, Fault::flip_output(0, 1), 5);
  tmr.faults().arm(2, Fault::late(1ms), 6);
  (void)tmr.run(1);  // warm-up
  lockstep::test::AllocationScope scope;
  for (int i = 0; i < 100; ++i) (void)tmr.run(i);
  EXPECT_EQ(scope.allocations(), 0U);
}

TEST(TmrExecutor, DeterministicAcrossRuns) {
  // Same seed, same faults: bit-identical results (the simulator relies on it).
  auto trial = [] {
    lockstep::hw::SimClock clock;
    NModularExecutor<std::int64_t, std::int64_t, Sum> tmr{inline_cfg(clock), integrate,
                                                          lockstep::voters::majority};
    std::vector<std::int64_t> out;
    std::uint64_t seed = 12345;
    for (int i = 0; i < 200; ++i) {
      seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
      const auto k = static_cast<std::uint32_t>((seed >> 33U) % 3U);
      if ((seed >> 20U) % 4U == 0U) tmr.faults().arm(k, Fault::flip_output(0, seed >> 50U), tmr.next_call());
      const auto r = tmr.run(static_cast<std::int64_t>(i));
      out.push_back(r.decided() ? *r.vote.value : -1);
      out.push_back(static_cast<std::int64_t>(r.vote.dissent.bits()));
      tmr.faults().clear();
    }
    return out;
  };
  EXPECT_EQ(trial(), trial());
}

}  // namespace
