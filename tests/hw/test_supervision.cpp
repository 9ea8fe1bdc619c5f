// Requirements tested: alive, deadline and logical supervision on a simulated clock, including
// their boundaries; OK/FAILED/EXPIRED with tolerance; the safe-state hook runs before feeding
// stops; orderly shutdown disarms (and refuses to after expiry); checkpoints are allocation-free
// and safe from many threads; configuration errors are clear.
#include <lockstep/core/error.hpp>
#include <lockstep/hw/supervision.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "alloc_counter.hpp"

namespace {
using namespace lockstep::hw;  // NOLINT(google-build-using-namespace)
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

constexpr CheckpointId cp(std::uint16_t v) noexcept { return CheckpointId{v}; }

struct Fixture {
  SimClock clock;
  std::vector<ExpiryReport> expiries;
  std::vector<std::string> order;  // hook vs sink events, to check the order
};

SupervisorConfig one_entity(EntityConfig e, milliseconds period = milliseconds{10}) {
  SupervisorConfig c;
  c.entities.push_back(std::move(e));
  c.cycle_period = period;
  return c;
}

EntityConfig alive_entity(std::uint32_t expected, std::uint32_t min_m, std::uint32_t max_m,
                          std::uint32_t ref = 1) {
  EntityConfig e;
  e.name = "alive";
  e.checkpoints = 1;
  e.alive.push_back(AliveSupervision{cp(0), expected, min_m, max_m, ref});
  return e;
}

TEST(Supervision, AliveCountWithinMarginsIsOkAtBothBoundaries) {
  Fixture f;
  WatchdogManager m{f.clock, one_entity(alive_entity(3, 1, 2)),
                    [&](const ExpiryReport& r) { f.expiries.push_back(r); }};
  SupervisedEntity& e = m.entity("alive");
  for (const std::uint32_t n : {2U, 3U, 5U}) {  // expected-min, expected, expected+max
    for (std::uint32_t i = 0; i < n; ++i) e.checkpoint(cp(0));
    EXPECT_EQ(m.main_function(), GlobalStatus::ok) << "count " << n;
    EXPECT_EQ(e.status(), EntityStatus::ok);
  }
  EXPECT_TRUE(f.expiries.empty());
}

TEST(Supervision, AliveTooFewOrTooManyExpires) {
  for (const std::uint32_t n : {1U, 6U}) {
    Fixture f;
    WatchdogManager m{f.clock, one_entity(alive_entity(3, 1, 2)),
                      [&](const ExpiryReport& r) { f.expiries.push_back(r); }};
    for (std::uint32_t i = 0; i < n; ++i) m.entity(0).checkpoint(cp(0));
    EXPECT_EQ(m.main_function(), GlobalStatus::stopped) << "count " << n;
    ASSERT_EQ(f.expiries.size(), 1U);
    EXPECT_EQ(f.expiries[0].violations, static_cast<std::uint8_t>(Violation::alive));
    EXPECT_STREQ(f.expiries[0].name, "alive");
  }
}

TEST(Supervision, AliveCountsOverTheReferenceCycle) {
  Fixture f;
  WatchdogManager m{f.clock, one_entity(alive_entity(4, 0, 0, 2)),
                    [&](const ExpiryReport& r) { f.expiries.push_back(r); }};
  for (int cycle = 0; cycle < 6; ++cycle) {
    m.entity(0).checkpoint(cp(0));
    m.entity(0).checkpoint(cp(0));
    EXPECT_EQ(m.main_function(), GlobalStatus::ok) << "cycle " << cycle;
  }
  // 3 in the next reference cycle of 2 cycles: expected exactly 4.
  m.entity(0).checkpoint(cp(0));
  EXPECT_EQ(m.main_function(), GlobalStatus::ok) << "mid reference cycle: not evaluated yet";
  m.entity(0).checkpoint(cp(0));
  m.entity(0).checkpoint(cp(0));
  m.entity(0).checkpoint(cp(0));
  m.entity(0).checkpoint(cp(0));
  EXPECT_EQ(m.main_function(), GlobalStatus::stopped);
}

EntityConfig deadline_entity(nanoseconds min, nanoseconds max) {
  EntityConfig e;
  e.name = "call";
  e.checkpoints = 2;
  e.deadlines.push_back(DeadlineSupervision{cp(0), cp(1), min, max});
  return e;
}

TEST(Supervision, DeadlineExactlyAtMinAndMaxIsOk) {
  for (const nanoseconds d : {nanoseconds{milliseconds{1}}, nanoseconds{milliseconds{5}}}) {
    Fixture f;
    WatchdogManager m{f.clock, one_entity(deadline_entity(milliseconds{1}, milliseconds{5})),
                      [&](const ExpiryReport& r) { f.expiries.push_back(r); }};
    m.entity(0).checkpoint(cp(0));
    f.clock.advance(d);
    m.entity(0).checkpoint(cp(1));
    EXPECT_EQ(m.main_function(), GlobalStatus::ok) << d.count();
  }
}

TEST(Supervision, DeadlineOneNanosecondOutsideFails) {
  for (const nanoseconds d : {milliseconds{1} - nanoseconds{1}, milliseconds{5} + nanoseconds{1}}) {
    Fixture f;
    WatchdogManager m{f.clock, one_entity(deadline_entity(milliseconds{1}, milliseconds{5})),
                      [&](const ExpiryReport& r) { f.expiries.push_back(r); }};
    m.entity(0).checkpoint(cp(0));
    f.clock.advance(d);
    m.entity(0).checkpoint(cp(1));
    EXPECT_EQ(m.main_function(), GlobalStatus::stopped) << d.count();
    ASSERT_EQ(f.expiries.size(), 1U);
    EXPECT_EQ(f.expiries[0].violations, static_cast<std::uint8_t>(Violation::deadline));
  }
}

TEST(Supervision, HungFlowIsADeadlineFailureOnlyAfterMax) {
  Fixture f;
  WatchdogManager m{f.clock, one_entity(deadline_entity(nanoseconds{0}, milliseconds{5})),
                    [&](const ExpiryReport& r) { f.expiries.push_back(r); }};
  m.entity(0).checkpoint(cp(0));  // started, never ends
  f.clock.advance(milliseconds{5});
  EXPECT_EQ(m.main_function(), GlobalStatus::ok) << "exactly at max: not late yet";
  f.clock.advance(nanoseconds{1});
  EXPECT_EQ(m.main_function(), GlobalStatus::stopped);
  ASSERT_EQ(f.expiries.size(), 1U);
  EXPECT_EQ(f.expiries[0].at, milliseconds{5} + nanoseconds{1});
}

TEST(Supervision, DeadlineEndWithoutStartIsNotTimed) {
  Fixture f;
  WatchdogManager m{f.clock, one_entity(deadline_entity(milliseconds{1}, milliseconds{5})),
                    [&](const ExpiryReport& r) { f.expiries.push_back(r); }};
  m.entity(0).checkpoint(cp(1));
  EXPECT_EQ(m.main_function(), GlobalStatus::ok);
}

EntityConfig flow_entity() {
  // 0 -> 1 -> 2 (final), 1 -> 1 allowed (retry); initial 0.
  EntityConfig e;
  e.name = "flow";
  e.checkpoints = 4;  // 3 is not in the graph: reported freely
  LogicalSupervision g;
  g.initial = {cp(0)};
  g.final = {cp(2)};
  g.transitions = {{cp(0), cp(1)}, {cp(1), cp(1)}, {cp(1), cp(2)}};
  e.logical = g;
  return e;
}

TEST(Supervision, LogicalAcceptsDeclaredFlowAndRestartsAfterFinal) {
  Fixture f;
  WatchdogManager m{f.clock, one_entity(flow_entity()),
                    [&](const ExpiryReport& r) { f.expiries.push_back(r); }};
  for (const int id : {0, 1, 1, 3, 2, 0, 1, 2}) m.entity(0).checkpoint(cp(static_cast<std::uint16_t>(id)));
  EXPECT_EQ(m.main_function(), GlobalStatus::ok);
}

TEST(Supervision, LogicalRejectsSkippedStepWrongStartAndNoRestart) {
  const std::vector<std::vector<std::uint16_t>> bad = {{0, 2}, {1}, {0, 1, 2, 1}, {0, 0}};
  for (const auto& seq : bad) {
    Fixture f;
    WatchdogManager m{f.clock, one_entity(flow_entity()),
                      [&](const ExpiryReport& r) { f.expiries.push_back(r); }};
    for (const std::uint16_t id : seq) m.entity(0).checkpoint(cp(id));
    EXPECT_EQ(m.main_function(), GlobalStatus::stopped) << "sequence of length " << seq.size();
    ASSERT_EQ(f.expiries.size(), 1U);
    EXPECT_EQ(f.expiries[0].violations, static_cast<std::uint8_t>(Violation::logical));
  }
}

TEST(Supervision, UnknownCheckpointIsAViolationNotACrash) {
  Fixture f;
  WatchdogManager m{f.clock, one_entity(flow_entity()),
                    [&](const ExpiryReport& r) { f.expiries.push_back(r); }};
  m.entity(0).checkpoint(cp(4));
  m.entity(0).checkpoint(cp(65535));
  EXPECT_EQ(m.main_function(), GlobalStatus::stopped);
  ASSERT_EQ(f.expiries.size(), 1U);
  EXPECT_EQ(f.expiries[0].violations, static_cast<std::uint8_t>(Violation::unknown_checkpoint));
}

TEST(Supervision, ToleranceFailedThenExpiredAndRecovery) {
  EntityConfig e = alive_entity(1, 0, 0);
  e.failed_tolerance = 2;
  Fixture f;
  WatchdogManager m{f.clock, one_entity(e), [&](const ExpiryReport& r) { f.expiries.push_back(r); }};
  SupervisedEntity& s = m.entity(0);
  // fail once, then recover
  EXPECT_EQ(m.main_function(), GlobalStatus::failed);
  EXPECT_EQ(s.status(), EntityStatus::failed);
  EXPECT_EQ(s.failed_cycles(), 1U);
  s.checkpoint(cp(0));
  EXPECT_EQ(m.main_function(), GlobalStatus::ok);
  EXPECT_EQ(s.status(), EntityStatus::ok);
  // fail, fail (tolerance 2 reached, still FAILED), correct (decrements to 1), fail, fail -> expired
  EXPECT_EQ(m.main_function(), GlobalStatus::failed);
  EXPECT_EQ(m.main_function(), GlobalStatus::failed);
  EXPECT_EQ(s.failed_cycles(), 2U);
  s.checkpoint(cp(0));
  EXPECT_EQ(m.main_function(), GlobalStatus::failed);
  EXPECT_EQ(s.failed_cycles(), 1U);
  EXPECT_EQ(m.main_function(), GlobalStatus::failed);
  EXPECT_TRUE(f.expiries.empty());
  EXPECT_EQ(m.main_function(), GlobalStatus::stopped);
  EXPECT_EQ(s.status(), EntityStatus::expired);
  EXPECT_EQ(f.expiries.size(), 1U);
  s.checkpoint(cp(0));
  EXPECT_EQ(m.main_function(), GlobalStatus::stopped) << "EXPIRED is latched";
  EXPECT_EQ(f.expiries.size(), 1U) << "the hook runs once per entity";
}

TEST(Supervision, HookRunsBeforeFeedingStopsAndTheBoardResets) {
  Fixture f;
  SimWatchdog wd{f.clock, milliseconds{100}};
  WatchdogManager* mp = nullptr;
  WatchdogManager m{f.clock, one_entity(alive_entity(1, 0, 0)), [&](const ExpiryReport&) {
                      f.order.push_back(wd.expire_called() ? "hook-after-expire" : "hook");
                      EXPECT_EQ(mp->status(), GlobalStatus::ok) << "status not yet published as STOPPED";
                    }};
  mp = &m;
  m.add_watchdog(wd);
  EXPECT_EQ(m.start(), FeedStatus::ok);
  EXPECT_TRUE(wd.armed());
  for (int i = 0; i < 5; ++i) {
    m.entity(0).checkpoint(cp(0));
    f.clock.advance(milliseconds{10});
    EXPECT_EQ(m.main_function(), GlobalStatus::ok);
  }
  EXPECT_EQ(wd.feeds(), 5U);
  f.clock.advance(milliseconds{10});
  EXPECT_EQ(m.main_function(), GlobalStatus::stopped);  // no checkpoint this cycle
  ASSERT_EQ(f.order.size(), 1U);
  EXPECT_EQ(f.order[0], "hook");
  EXPECT_TRUE(wd.expire_called());
  EXPECT_EQ(wd.feeds(), 5U) << "no feed after expiry";
  for (int i = 0; i < 10; ++i) {
    f.clock.advance(milliseconds{10});
    static_cast<void>(m.main_function());
  }
  EXPECT_EQ(wd.feeds(), 5U);
  EXPECT_TRUE(wd.has_fired()) << "the simulated board resets";
  EXPECT_EQ(m.shutdown(), ShutdownStatus::refused_expired);
  EXPECT_TRUE(wd.armed()) << "a failed process cannot cancel its reset";
}

TEST(Supervision, ExpiredToleranceKeepsFeedingForConfiguredCycles) {
  Fixture f;
  SimWatchdog wd{f.clock, milliseconds{100}};
  SupervisorConfig c = one_entity(alive_entity(1, 0, 0));
  c.expired_tolerance = 2;
  WatchdogManager m{f.clock, c, [&](const ExpiryReport& r) { f.expiries.push_back(r); }};
  m.add_watchdog(wd);
  static_cast<void>(m.start());
  EXPECT_EQ(m.main_function(), GlobalStatus::expired);
  EXPECT_EQ(m.main_function(), GlobalStatus::expired);
  EXPECT_EQ(wd.feeds(), 2U);
  EXPECT_FALSE(wd.expire_called());
  EXPECT_EQ(m.main_function(), GlobalStatus::stopped);
  EXPECT_EQ(wd.feeds(), 2U);
  EXPECT_TRUE(wd.expire_called());
  EXPECT_EQ(f.expiries.size(), 1U);
}

TEST(Supervision, OrderlyShutdownDisarms) {
  Fixture f;
  SimWatchdog wd{f.clock, milliseconds{100}};
  WatchdogManager m{f.clock, one_entity(alive_entity(0, 0, 5)),
                    [&](const ExpiryReport& r) { f.expiries.push_back(r); }};
  m.add_watchdog(wd);
  static_cast<void>(m.start());
  EXPECT_EQ(m.main_function(), GlobalStatus::ok);
  EXPECT_EQ(m.shutdown(), ShutdownStatus::disarmed);
  EXPECT_FALSE(wd.armed());
  EXPECT_EQ(m.status(), GlobalStatus::disarmed);
  f.clock.advance(std::chrono::seconds{10});
  EXPECT_FALSE(wd.has_fired());
  EXPECT_EQ(m.main_function(), GlobalStatus::disarmed) << "no supervision after shutdown";
  EXPECT_EQ(m.shutdown(), ShutdownStatus::disarmed) << "idempotent";
}

TEST(Supervision, NothingIsFedBeforeStart) {
  Fixture f;
  SimWatchdog wd{f.clock, milliseconds{100}};
  WatchdogManager m{f.clock, one_entity(alive_entity(0, 0, 5)),
                    [&](const ExpiryReport& r) { f.expiries.push_back(r); }};
  m.add_watchdog(wd);
  EXPECT_EQ(m.main_function(), GlobalStatus::ok);
  EXPECT_EQ(wd.feeds(), 0U);
}

TEST(Supervision, FeedFailuresAreCounted) {
  Fixture f;
  SimWatchdog wd{f.clock, milliseconds{100}};
  WatchdogManager m{f.clock, one_entity(alive_entity(0, 0, 5)),
                    [&](const ExpiryReport& r) { f.expiries.push_back(r); }};
  m.add_watchdog(wd);
  static_cast<void>(m.start());
  wd.fail_feeds(true);
  static_cast<void>(m.main_function());
  static_cast<void>(m.main_function());
  EXPECT_EQ(m.feed_failures(), 2U);
  EXPECT_EQ(m.cycles(), 2U);
}

TEST(Supervision, SeveralSinksAreAllFed) {
  Fixture f;
  SimWatchdog a{f.clock, milliseconds{100}};
  SimWatchdog b{f.clock, milliseconds{50}};
  int callback_feeds = 0;
  CallbackWatchdog c{[&] { ++callback_feeds; }, {}};
  WatchdogManager m{f.clock, one_entity(alive_entity(0, 0, 5)),
                    [&](const ExpiryReport& r) { f.expiries.push_back(r); }};
  m.add_watchdog(a);
  m.add_watchdog(b);
  m.add_watchdog(c);
  static_cast<void>(m.start());
  static_cast<void>(m.main_function());
  EXPECT_EQ(a.feeds(), 1U);
  EXPECT_EQ(b.feeds(), 1U);
  EXPECT_EQ(callback_feeds, 1);
  EXPECT_EQ(c.disarm(), FeedStatus::skipped) << "no disarm callback given";
}

TEST(Supervision, GlobalStatusIsTheWorstEntity) {
  SupervisorConfig c;
  EntityConfig good = alive_entity(0, 0, 100);
  good.name = "good";
  EntityConfig shaky = alive_entity(1, 0, 0);
  shaky.name = "shaky";
  shaky.failed_tolerance = 5;
  c.entities = {good, shaky};
  Fixture f;
  WatchdogManager m{f.clock, c, [&](const ExpiryReport& r) { f.expiries.push_back(r); }};
  EXPECT_EQ(m.entity_count(), 2U);
  EXPECT_EQ(m.main_function(), GlobalStatus::failed);
  EXPECT_EQ(m.entity("good").status(), EntityStatus::ok);
  EXPECT_EQ(m.entity("shaky").status(), EntityStatus::failed);
  EXPECT_EQ(m.entity("shaky").last_violations(), static_cast<std::uint8_t>(Violation::alive));
}

TEST(Supervision, ConfigurationErrorsAreClear) {
  SimClock clock;
  const auto hook = [](const ExpiryReport&) {};
  const auto expect_error = [&](const SupervisorConfig& c, const std::string& needle) {
    try {
      WatchdogManager m{clock, c, hook};
      ADD_FAILURE() << "no error for: " << needle;
    } catch (const lockstep::Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  EntityConfig e = deadline_entity(milliseconds{5}, milliseconds{1});
  expect_error(one_entity(e), "min <= max");
  e = deadline_entity(milliseconds{0}, milliseconds{1});
  e.deadlines[0].end = cp(7);
  expect_error(one_entity(e), "out of range");
  e = alive_entity(1, 2, 0);
  expect_error(one_entity(e), "min_margin");
  e = alive_entity(1, 0, 0, 0);
  expect_error(one_entity(e), "reference_cycles");
  e = flow_entity();
  e.logical->initial.clear();
  expect_error(one_entity(e), "initial");
  e = alive_entity(1, 0, 0);
  e.name.clear();
  expect_error(one_entity(e), "name");
  SupervisorConfig dup;
  dup.entities = {alive_entity(1, 0, 0), alive_entity(1, 0, 0)};
  expect_error(dup, "duplicate");
  SupervisorConfig zero = one_entity(alive_entity(1, 0, 0));
  zero.cycle_period = nanoseconds{0};
  expect_error(zero, "cycle_period");
  EXPECT_THROW(WatchdogManager(clock, one_entity(alive_entity(1, 0, 0)), {}), lockstep::Error);

  WatchdogManager m{clock, one_entity(alive_entity(1, 0, 0), milliseconds{60}), hook};
  SimWatchdog wd{clock, milliseconds{100}};  // allows at most 50 ms cycles
  EXPECT_THROW(m.add_watchdog(wd), lockstep::Error);
  EXPECT_THROW(static_cast<void>(m.entity("nope")), lockstep::Error);
  EXPECT_THROW(static_cast<void>(m.entity(3)), lockstep::Error);
}

TEST(Supervision, CheckpointIsAllocationFree) {
  EntityConfig e = flow_entity();
  e.alive.push_back(AliveSupervision{cp(1), 1, 0, 100, 1});
  e.deadlines.push_back(DeadlineSupervision{cp(0), cp(2), nanoseconds{0}, milliseconds{5}});
  Fixture f;
  WatchdogManager m{f.clock, one_entity(e), [&](const ExpiryReport& r) { f.expiries.push_back(r); }};
  SupervisedEntity& s = m.entity(0);
  static_assert(noexcept(s.checkpoint(cp(0))));
  lockstep::test::AllocationScope scope;
  for (int i = 0; i < 100; ++i) {
    s.checkpoint(cp(0));
    s.checkpoint(cp(1));
    s.checkpoint(cp(2));
    s.checkpoint(cp(9));  // unknown: still no allocation
  }
  EXPECT_EQ(scope.allocations(), 0U);
}

TEST(Supervision, CheckpointsFromManyThreadsAreAllCounted) {
  // Stress (THREADED): 4 reporters while the supervision cycle runs; TSan checks the protocol.
  constexpr std::uint32_t kThreads = 4;
  constexpr std::uint32_t kPerThread = 20000;
  EntityConfig e = alive_entity(0, 0, kThreads * kPerThread);
  Fixture f;
  WatchdogManager m{f.clock, one_entity(e), [&](const ExpiryReport& r) { f.expiries.push_back(r); }};
  SupervisedEntity& s = m.entity(0);
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (std::uint32_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      while (!go.load()) {}
      for (std::uint32_t i = 0; i < kPerThread; ++i) s.checkpoint(cp(0));
    });
  }
  go.store(true);
  for (int i = 0; i < 50; ++i) EXPECT_NE(m.main_function(), GlobalStatus::stopped);
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(m.main_function(), GlobalStatus::ok);
  EXPECT_TRUE(f.expiries.empty());
}

TEST(Supervision, AliveCountIsExactAcrossThreads) {
  constexpr std::uint32_t kThreads = 4;
  constexpr std::uint32_t kPerThread = 5000;
  Fixture f;
  WatchdogManager m{f.clock, one_entity(alive_entity(kThreads * kPerThread, 0, 0)),
                    [&](const ExpiryReport& r) { f.expiries.push_back(r); }};
  std::vector<std::thread> threads;
  for (std::uint32_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (std::uint32_t i = 0; i < kPerThread; ++i) m.entity(0).checkpoint(cp(0));
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(m.main_function(), GlobalStatus::ok) << "exactly expected: no lost or doubled count";
}

TEST(Supervision, BackgroundThreadRunsCyclesAndStops) {
  SteadyClock clock;
  std::atomic<int> feeds{0};
  CallbackWatchdog wd{[&] { feeds.fetch_add(1); }, {}};
  WatchdogManager m{clock, one_entity(alive_entity(0, 0, 1000000), milliseconds{1}),
                    [](const ExpiryReport&) {}};
  m.add_watchdog(wd);
  static_cast<void>(m.start());
  m.start_thread();
  EXPECT_THROW(m.start_thread(), lockstep::Error);
  while (m.cycles() < 3U) std::this_thread::yield();
  EXPECT_EQ(m.shutdown(), ShutdownStatus::disarmed);
  EXPECT_GE(feeds.load(), 3);
}

TEST(Supervision, StatusNames) {
  EXPECT_STREQ(to_string(EntityStatus::expired), "EXPIRED");
  EXPECT_STREQ(to_string(GlobalStatus::stopped), "STOPPED");
  EXPECT_STREQ(to_string(FeedStatus::skipped), "skipped");
}

}  // namespace
