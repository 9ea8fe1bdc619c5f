// Requirements tested: Protected<T>/ProtectedArray correct single-bit errors on read and by
// scrubbing, report double-bit errors; Triplicated<T> votes and repairs; the Scrubber runs as
// an explicit step or a background thread that stops cleanly; reads and writes allocate nothing.
#include <lockstep/core/error.hpp>
#include <lockstep/hw/protected.hpp>
#include <lockstep/hw/scrubber.hpp>

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <random>
#include <thread>
#include <vector>

#include "alloc_counter.hpp"

namespace {
using namespace lockstep::hw;  // NOLINT(google-build-using-namespace)

struct State {
  double position;
  double velocity;
  std::int32_t mode;
  std::int32_t pad;
};

TEST(Protected, RoundTripsAValue) {
  Protected<State> s{State{1.5, -2.0, 3, 0}};
  const Read<State> r = s.load();
  EXPECT_EQ(r.status, EccStatus::clean);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.value.position, 1.5);
  EXPECT_EQ(r.value.velocity, -2.0);
  EXPECT_EQ(r.value.mode, 3);
  s.store(State{4.0, 5.0, 6, 0});
  EXPECT_EQ(s.load().value.mode, 6);
  EXPECT_EQ(Protected<State>::kWords, 3U);
}

TEST(Protected, CorrectsEverySingleBitFlipOnReadAndRepairsInPlace) {
  for (std::size_t w = 0; w < Protected<State>::kWords; ++w) {
    for (std::uint32_t b = 0; b < Secded::kCodewordBits; ++b) {
      Protected<State> s{State{1.5, -2.0, 3, 0}};
      s.inject_bit_flip(w, b);
      const Read<State> r = s.load();
      ASSERT_EQ(r.status, EccStatus::corrected) << "word " << w << " bit " << b;
      ASSERT_EQ(r.value.position, 1.5);
      ASSERT_EQ(r.value.velocity, -2.0);
      ASSERT_EQ(r.value.mode, 3);
      ASSERT_EQ(s.load().status, EccStatus::clean) << "the read repaired the word";
    }
  }
}

TEST(Protected, ReportsDoubleBitErrorAsUncorrectable) {
  Protected<std::uint64_t> x{42U};
  x.inject_bit_flip(0, 3);
  x.inject_bit_flip(0, 70);
  const Read<std::uint64_t> r = x.load();
  EXPECT_EQ(r.status, EccStatus::uncorrectable);
  EXPECT_FALSE(r.ok());
  const ScrubReport rep = x.scrub();
  EXPECT_EQ(rep.uncorrectable, 1U);
  EXPECT_EQ(rep.corrected, 0U);
  x.store(7U);  // a fresh store heals it
  EXPECT_EQ(x.load().status, EccStatus::clean);
}

TEST(Protected, OutOfRangeInjectionIsIgnored) {
  Protected<float> f{1.0F};
  f.inject_bit_flip(1, 0);
  f.inject_bit_flip(0, 72);
  EXPECT_EQ(f.load().status, EccStatus::clean);
}

TEST(Protected, LoadStoreScrubAllocateNothing) {
  Protected<State> s;
  ProtectedArray<double, 8> a;
  Triplicated<State> t;
  lockstep::test::AllocationScope scope;
  s.store(State{1, 2, 3, 0});
  static_cast<void>(s.load());
  static_cast<void>(s.scrub());
  a.store(3, 2.5);
  static_cast<void>(a.load(3));
  static_cast<void>(a.scrub());
  t.store(State{1, 2, 3, 0});
  static_cast<void>(t.load());
  static_cast<void>(t.scrub());
  EXPECT_EQ(scope.allocations(), 0U);
}

TEST(ProtectedArray, StoresLoadsAndBoundsChecks) {
  ProtectedArray<float, 16> g;
  EXPECT_EQ(g.size(), 16U);
  for (std::size_t i = 0; i < 16; ++i) g.store(i, static_cast<float>(i) * 0.5F);
  for (std::size_t i = 0; i < 16; ++i) EXPECT_EQ(g.load(i).value, static_cast<float>(i) * 0.5F);
  g.store(16, 1.0F);  // ignored
  const Read<float> r = g.load(16);
  EXPECT_EQ(r.status, EccStatus::uncorrectable);
}

TEST(ProtectedArray, ScrubRepairsSinglesAndCountsDoubles) {
  constexpr std::uint64_t kSeed = 5U;
  std::mt19937_64 rng(kSeed);
  ProtectedArray<std::uint64_t, 64> a;
  for (std::size_t i = 0; i < 64; ++i) a.store(i, rng());
  a.inject_bit_flip(3, 0, 17);
  a.inject_bit_flip(40, 0, 66);
  a.inject_bit_flip(63, 0, 1);
  a.inject_bit_flip(63, 0, 2);
  const ScrubReport r = a.scrub();
  EXPECT_EQ(r.words, 64U);
  EXPECT_EQ(r.corrected, 2U);
  EXPECT_EQ(r.uncorrectable, 1U);
  const ScrubReport again = a.scrub();
  EXPECT_EQ(again.corrected, 0U) << "repaired words stay repaired";
  EXPECT_EQ(again.uncorrectable, 1U) << "a double error is reported until rewritten";
}

TEST(Triplicated, MasksAnyOneCorruptedCopyAndScrubRepairsIt) {
  for (std::size_t copy = 0; copy < 3; ++copy) {
    Triplicated<std::uint32_t> m{0xCAFEU};
    m.inject_bit_flip(copy, 4);
    m.inject_bit_flip(copy, 30);  // multi-bit in one copy: still masked
    const Read<std::uint32_t> r = m.load();
    EXPECT_EQ(r.status, EccStatus::corrected) << "copy " << copy;
    EXPECT_EQ(r.value, 0xCAFEU);
    const ScrubReport s = m.scrub();
    EXPECT_EQ(s.corrected, 1U);
    EXPECT_EQ(m.load().status, EccStatus::clean);
  }
}

TEST(Triplicated, ThreeDisagreeingCopiesAreUncorrectableWithBitwiseMajority) {
  Triplicated<std::uint32_t> m{0U};
  m.inject_bit_flip(0, 0);
  m.inject_bit_flip(1, 1);
  m.inject_bit_flip(2, 2);
  const Read<std::uint32_t> r = m.load();
  EXPECT_EQ(r.status, EccStatus::uncorrectable);
  EXPECT_EQ(r.value, 0U) << "bit-wise majority still recovers per-bit single faults";
  EXPECT_EQ(m.scrub().uncorrectable, 1U);
  m.inject_bit_flip(3, 0);   // ignored
  m.inject_bit_flip(0, 32);  // ignored
}

TEST(Scrubber, ExplicitStepReportsPerRegionAndTotals) {
  Protected<double> x{1.0};
  ProtectedArray<std::uint32_t, 4> arr;
  Triplicated<std::int16_t> t{7};
  std::vector<ScrubEvent> events;
  Scrubber scrubber{[&](const ScrubEvent& e) { events.push_back(e); }};
  scrubber.add(x, "x");
  scrubber.add(arr, "arr");
  scrubber.add(t, "t");
  x.inject_bit_flip(0, 9);
  arr.inject_bit_flip(2, 0, 1);
  arr.inject_bit_flip(2, 0, 2);
  const ScrubReport pass = scrubber.scrub();
  EXPECT_EQ(pass.words, 1U + 4U + 1U);
  EXPECT_EQ(pass.corrected, 1U);
  EXPECT_EQ(pass.uncorrectable, 1U);
  ASSERT_EQ(events.size(), 2U);
  EXPECT_STREQ(events[0].name, "x");
  EXPECT_EQ(events[0].region, 0U);
  EXPECT_EQ(events[0].report.corrected, 1U);
  EXPECT_STREQ(events[1].name, "arr");
  EXPECT_EQ(events[1].report.uncorrectable, 1U);
  const ScrubTotals t1 = scrubber.totals();
  EXPECT_EQ(t1.passes, 1U);
  EXPECT_EQ(t1.corrected, 1U);
  EXPECT_EQ(t1.uncorrectable, 1U);
  EXPECT_EQ(x.load().status, EccStatus::clean);
}

TEST(Scrubber, ExplicitScrubAllocatesNothing) {
  Protected<double> x{1.0};
  Scrubber scrubber{[](const ScrubEvent&) {}};
  scrubber.add(x, "x");
  x.inject_bit_flip(0, 1);
  lockstep::test::AllocationScope scope;
  static_cast<void>(scrubber.scrub());
  EXPECT_EQ(scope.allocations(), 0U);
}

TEST(Scrubber, RejectsMisuse) {
  Protected<double> x{1.0};
  Scrubber scrubber;
  EXPECT_THROW(scrubber.start(std::chrono::nanoseconds{0}), lockstep::Error);
  scrubber.add(x, "x");
  scrubber.start(std::chrono::milliseconds{1});
  EXPECT_TRUE(scrubber.running());
  EXPECT_THROW(scrubber.start(std::chrono::milliseconds{1}), lockstep::Error);
  EXPECT_THROW(scrubber.add(x, "again"), lockstep::Error);
  scrubber.stop();
  EXPECT_FALSE(scrubber.running());
  scrubber.stop();  // idempotent
}

TEST(Scrubber, BackgroundThreadRepairsWhileTheOwnerReadsAndWrites) {
  // Stress (THREADED): the control loop stores and loads while the scrubber sweeps and a third
  // thread injects single-bit flips; every load must return a value the loop stored.
  ProtectedArray<std::uint64_t, 32> arr;
  for (std::size_t i = 0; i < 32; ++i) arr.store(i, i * 1000U);
  std::atomic<std::uint64_t> events{0};
  Scrubber scrubber{[&](const ScrubEvent& e) { events.fetch_add(e.report.corrected); }};
  scrubber.add(arr, "arr");
  scrubber.start(std::chrono::microseconds{50});
  std::atomic<bool> done{false};
  std::thread injector([&] {
    std::mt19937 rng(3U);
    while (!done.load()) {
      arr.inject_bit_flip(rng() % 32U, 0, static_cast<std::uint32_t>(rng() % 72U));
      std::this_thread::yield();
      std::this_thread::sleep_for(std::chrono::microseconds{20});
    }
  });
  std::uint64_t bad = 0;
  // Run at least 2000 rounds and until the scrubber has swept a few times: under ASan on a
  // loaded machine the 2000 rounds alone can finish before the thread's first sweep. The
  // deadline bounds the loop if the scrubber never runs (then the pass check below fails).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
  for (int round = 0;
       round < 2000 || (scrubber.totals().passes < 3U && std::chrono::steady_clock::now() < deadline);
       ++round) {
    const std::size_t i = static_cast<std::size_t>(round) % 32U;
    const Read<std::uint64_t> r = arr.load(i);
    // Two flips may land in one word between scrubs: then uncorrectable is the honest answer.
    if (r.ok() && r.value != i * 1000U) ++bad;
    arr.store(i, i * 1000U);
  }
  done.store(true);
  injector.join();
  scrubber.stop();
  EXPECT_EQ(bad, 0U);
  EXPECT_GE(scrubber.totals().passes, 3U);
}

TEST(Scrubber, DestructorJoinsARunningThread) {
  Protected<int> x{1};
  {
    Scrubber scrubber;
    scrubber.add(x, "x");
    scrubber.start(std::chrono::hours{1});  // the wait is cut short by stop
  }
  SUCCEED();
}

}  // namespace
