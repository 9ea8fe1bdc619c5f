#pragma once
// Telemetry: per-replica counters and a fixed-capacity lock-free event ring. Masking is never
// silent: every dissent, late or failed replica, resync, exclusion and level change becomes an
// event; when the ring is full the loss itself is counted (`dropped`).
//
//   // control thread: executor.run(...) pushes events
//   // monitor thread:
//   lockstep::Event e;
//   while (executor.telemetry().events().try_pop(e)) log(lockstep::to_json(e));
//   std::string snap = executor.telemetry().to_json();

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include <lockstep/core/replica_mask.hpp>
#include <lockstep/hw/placement.hpp>
#include <lockstep/runtime/call_result.hpp>

namespace lockstep {

enum class EventKind : std::uint8_t {
  dissent,             ///< a replica's output disagreed with the delivered value (masked)
  late,                ///< a replica missed the deadline
  failed,              ///< a replica threw, returned an invalid value or had no worker
  hung_replaced,       ///< a worker was abandoned and replaced by a spare worker
  resynced,            ///< a replica's state was overwritten from a majority replica
  excluded,            ///< a replica was judged permanent and left the active set
  spare_activated,     ///< a hot spare took an excluded replica's place
  level_changed,       ///< the ladder moved (`level` is the new level)
  no_decision,         ///< a call delivered nothing; the safe-state handler ran
  recovered,           ///< a retry / alternate / rollback delivered the value
  placement_degraded,  ///< a worker could not be pinned as asked (magnitude = PlacementStatus)
  state_suspect,       ///< notify_state_suspect() marked the replica's state (e.g. an EDAC event)
};

[[nodiscard]] const char* to_string(EventKind k) noexcept;

/// One telemetry event (trivially copyable, 32 bytes).
struct Event {
  std::uint64_t call{0};    ///< 1-based call index (0 = outside a call)
  std::int64_t time_ns{0};  ///< executor clock
  double magnitude{0.0};    ///< how far off: |out - voted| for arithmetic outputs, differing bytes
                            ///< otherwise; late: nanoseconds past the deadline
  EventKind kind{EventKind::dissent};
  std::uint8_t replica{0};  ///< logical replica index (0xFF = not replica-specific)
  Level level{Level::nominal};
};

/// Bounded multi-producer / single-consumer queue of events (Vyukov's bounded queue).
/// Usage: producers `try_push(e)`, one consumer thread `try_pop(e)`.
/// Thread safety: any number of producers, one consumer at a time. Lock-free, allocation-free
/// after construction. On failure: `try_push` on a full ring returns false and counts a drop.
class EventRing {
 public:
  explicit EventRing(std::uint32_t capacity);
  EventRing(const EventRing&) = delete;
  EventRing& operator=(const EventRing&) = delete;

  bool try_push(const Event& e) noexcept;
  [[nodiscard]] bool try_pop(Event& out) noexcept;
  [[nodiscard]] std::uint32_t capacity() const noexcept { return m_mask + 1U; }
  [[nodiscard]] std::uint64_t dropped() const noexcept { return m_dropped.load(std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t pushed() const noexcept { return m_pushed.load(std::memory_order_relaxed); }

 private:
  struct Cell {
    std::atomic<std::uint64_t> seq{0};
    Event event{};
  };
  std::unique_ptr<Cell[]> m_cells;
  std::uint32_t m_mask;
  // Producer and consumer cursors on separate cache lines: they are written by different threads.
  alignas(64) std::atomic<std::uint64_t> m_tail{0};
  alignas(64) std::atomic<std::uint64_t> m_head{0};
  alignas(64) std::atomic<std::uint64_t> m_dropped{0};
  std::atomic<std::uint64_t> m_pushed{0};
};

/// Counters of one logical replica. Written by the executor's caller thread (relaxed atomics),
/// read by any thread.
// alignas(64): each replica's counters on their own cache line so a monitor reading one replica
// does not bounce the line the control thread is writing for another.
struct alignas(64) ReplicaCounters {
  std::atomic<std::uint64_t> calls{0};
  std::atomic<std::uint64_t> dissents{0};
  std::atomic<std::uint64_t> late{0};
  std::atomic<std::uint64_t> failed{0};
  std::atomic<std::uint64_t> resyncs{0};
  std::atomic<std::uint64_t> hangs{0};
  std::atomic<double> alpha{0.0};
  std::atomic<bool> excluded{false};
};

/// Where one worker ended up.
struct WorkerPlacement {
  std::int32_t core{-1};  ///< requested core (-1: not pinned, e.g. inline/TBB or caller)
  hw::PlacementStatus status{hw::PlacementStatus::ok};
  bool shared{false};  ///< the core also hosts another replica worker (fewer cores than workers)
};

/// All telemetry of one executor.
/// Usage: see the file comment. Thread safety: counters and ring readable from any thread while
/// the executor runs; `to_json` takes a consistent-enough snapshot (each counter read once).
/// On failure: never fails on the hot path; `to_json` allocates (call it off the control path).
class Telemetry {
 public:
  Telemetry(std::uint32_t replicas, std::uint32_t event_capacity)
      : m_replicas(replicas), m_events(event_capacity) {}

  [[nodiscard]] ReplicaCounters& replica(std::uint32_t i) noexcept { return m_counters[i % kMaxReplicas]; }
  [[nodiscard]] const ReplicaCounters& replica(std::uint32_t i) const noexcept {
    return m_counters[i % kMaxReplicas];
  }
  [[nodiscard]] EventRing& events() noexcept { return m_events; }
  [[nodiscard]] std::uint32_t replicas() const noexcept { return m_replicas; }

  void push(const Event& e) noexcept { (void)m_events.try_push(e); }

  std::atomic<std::uint64_t> calls{0};
  std::atomic<std::uint64_t> masked{0};
  std::atomic<std::uint64_t> no_decisions{0};
  std::atomic<std::uint64_t> recoveries{0};
  std::atomic<Level> level{Level::nominal};
  std::array<WorkerPlacement, std::size_t{kMaxReplicas} * 2U>
      placement{};  ///< per worker (set at construction)
  std::uint32_t workers{0};

  /// Snapshot as one JSON object (hand-written writer; see docs/runtime.md for the schema).
  [[nodiscard]] std::string to_json() const;

 private:
  std::uint32_t m_replicas;
  std::array<ReplicaCounters, kMaxReplicas> m_counters{};
  EventRing m_events;
};

/// One event as a JSON object.
[[nodiscard]] std::string to_json(const Event& e);

}  // namespace lockstep
