// Telemetry: the lock-free event ring (SPSC and MPSC, drops counted) and the JSON snapshot.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include <lockstep/core/error.hpp>
#include <lockstep/runtime/telemetry.hpp>

namespace {

using lockstep::Event;
using lockstep::EventKind;
using lockstep::EventRing;

TEST(EventRing, RoundsCapacityUpAndRejectsZero) {
  EventRing r{5};
  EXPECT_EQ(r.capacity(), 8U);
  EXPECT_THROW(EventRing{0}, lockstep::Error);
}

TEST(EventRing, FifoAndDropsCountedWhenFull) {
  EventRing r{4};
  for (std::uint64_t i = 0; i < 6; ++i) {
    Event e{};
    e.call = i;
    const bool ok = r.try_push(e);
    EXPECT_EQ(ok, i < 4U);
  }
  EXPECT_EQ(r.dropped(), 2U);
  Event out{};
  for (std::uint64_t i = 0; i < 4; ++i) {
    ASSERT_TRUE(r.try_pop(out));
    EXPECT_EQ(out.call, i);
  }
  EXPECT_FALSE(r.try_pop(out));
  Event e{};
  EXPECT_TRUE(r.try_push(e));  // space again after draining
}

TEST(EventRing, MultipleProducersOneConsumerLoseNothingUncounted) {
  EventRing r{64};
  constexpr std::uint64_t kPerProducer = 20000;
  std::atomic<bool> go{false};
  std::vector<std::thread> producers;
  for (std::uint8_t p = 0; p < 3; ++p) {
    producers.emplace_back([&r, &go, p] {
      while (!go.load()) std::this_thread::yield();
      for (std::uint64_t i = 0; i < kPerProducer; ++i) {
        Event e{};
        e.call = i;
        e.replica = p;
        (void)r.try_push(e);
      }
    });
  }
  std::atomic<bool> done{false};
  std::uint64_t popped = 0;
  std::array<std::uint64_t, 3> last{0, 0, 0};
  std::array<bool, 3> seen{false, false, false};
  bool ordered = true;
  std::thread consumer([&] {
    Event e{};
    for (;;) {
      if (r.try_pop(e)) {
        ++popped;
        if (seen[e.replica] && e.call <= last[e.replica]) ordered = false;
        seen[e.replica] = true;
        last[e.replica] = e.call;
      } else if (done.load()) {
        while (r.try_pop(e)) ++popped;
        break;
      } else {
        std::this_thread::yield();
      }
    }
  });
  go.store(true);
  for (auto& t : producers) t.join();
  done.store(true);
  consumer.join();
  EXPECT_EQ(popped + r.dropped(), 3U * kPerProducer);
  EXPECT_EQ(r.pushed(), popped);
  EXPECT_TRUE(ordered) << "events of one producer must come out in order";
}

TEST(Telemetry, JsonSnapshotHasCountersPerReplica) {
  lockstep::Telemetry t{3, 16};
  t.calls.store(7);
  t.replica(1).dissents.store(2);
  t.replica(2).alpha.store(1.5);
  const std::string j = t.to_json();
  EXPECT_NE(j.find("\"calls\":7"), std::string::npos) << j;
  EXPECT_NE(j.find("{\"replica\":1,\"calls\":0,\"dissents\":2"), std::string::npos) << j;
  EXPECT_NE(j.find("\"alpha\":1.5"), std::string::npos) << j;
  EXPECT_NE(j.find("\"level\":\"nominal\""), std::string::npos) << j;
  EXPECT_EQ(j.front(), '{');
  EXPECT_EQ(j.back(), '}');
}

TEST(Telemetry, EventJson) {
  Event e{};
  e.call = 3;
  e.kind = EventKind::dissent;
  e.replica = 2;
  e.magnitude = 0.25;
  EXPECT_EQ(lockstep::to_json(e),
            "{\"call\":3,\"time_ns\":0,\"kind\":\"dissent\",\"replica\":2,\"level\":\"nominal\","
            "\"magnitude\":0.25}");
}

}  // namespace
