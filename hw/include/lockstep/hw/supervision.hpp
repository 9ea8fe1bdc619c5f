#pragma once
// Watchdog supervision modelled on AUTOSAR's Watchdog Manager (WdgM).
//
//   replica / task code                 supervision cycle (every cycle_period)       hardware
//   ------------------------            -------------------------------------        --------
//   entity.checkpoint(kStart) --+       main_function():                             /dev/watchdog
//   ... work ...                +--->     alive:    count per reference cycle in     systemd
//   entity.checkpoint(kEnd)   --+                   [expected - min, expected + max]  callback
//        (noexcept, lock-free,           deadline: end - start in [min, max];         sim
//         allocation-free)                         a start with no end past max =
//                                                  a hung flow
//                                        logical:  each transition in the graph
//                                      per entity: OK -> FAILED -> EXPIRED (tolerance)
//                                      global:     OK / FAILED -> feed every sink
//                                                  EXPIRED -> safe-state hook, then
//                                                  STOPPED: no more feeding -> reset
//
// Orderly shutdown (shutdown()) disarms every sink (magic close) unless supervision has
// expired: a failed process must not be able to cancel the reset it earned.

#include <lockstep/hw/checkpoint.hpp>
#include <lockstep/hw/clock.hpp>
#include <lockstep/hw/watchdog.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace lockstep::hw {

/// Most checkpoints one entity may declare (ids 0..kMaxCheckpoints-1).
inline constexpr std::uint32_t kMaxCheckpoints = 256;

/// Alive supervision: `checkpoint` must be reported expected +- margins times per reference
/// cycle of `reference_cycles` supervision cycles.
struct AliveSupervision {
  CheckpointId checkpoint;
  std::uint32_t expected{1};
  std::uint32_t min_margin{0};
  std::uint32_t max_margin{0};
  std::uint32_t reference_cycles{1};
};

/// Deadline supervision: the time from `start` to the next `end` must lie in [min, max]
/// (both bounds inclusive). A start whose end has not arrived by max is a failure too (hang).
struct DeadlineSupervision {
  CheckpointId start;
  CheckpointId end;
  std::chrono::nanoseconds min{0};
  std::chrono::nanoseconds max{0};
};

/// One allowed edge of the program-flow graph.
struct Transition {
  CheckpointId from;
  CheckpointId to;
};

/// Logical (program-flow) supervision: the first checkpoint must be an `initial` one, each
/// following one must be reached over a declared transition; after a `final` checkpoint the
/// flow may start again at an initial one.
struct LogicalSupervision {
  std::vector<CheckpointId> initial;
  std::vector<CheckpointId> final;
  std::vector<Transition> transitions;
};

/// One supervised entity (a task, a replica, a control loop).
struct EntityConfig {
  std::string name;
  std::uint32_t checkpoints{1};  ///< ids 0..checkpoints-1 are valid
  std::vector<AliveSupervision> alive;
  std::vector<DeadlineSupervision> deadlines;
  std::optional<LogicalSupervision> logical;
  /// Failed supervision cycles tolerated before EXPIRED (0: the first failure expires).
  /// A correct cycle decrements the failed-cycle count; the entity is OK again at 0.
  std::uint32_t failed_tolerance{0};
};

struct SupervisorConfig {
  std::vector<EntityConfig> entities;
  /// How often main_function() runs; checked against each sink's max_cycle_period().
  std::chrono::nanoseconds cycle_period{std::chrono::milliseconds{10}};
  /// Supervision cycles the sinks are still fed after EXPIRED (time for logging); then STOPPED.
  std::uint32_t expired_tolerance{0};
};

enum class EntityStatus : std::uint8_t { ok, failed, expired };
enum class GlobalStatus : std::uint8_t {
  ok,        ///< every entity OK; sinks fed
  failed,    ///< some entity FAILED within tolerance; sinks still fed
  expired,   ///< some entity EXPIRED; fed for expired_tolerance more cycles
  stopped,   ///< feeding stopped: the watchdog will reset the board
  disarmed,  ///< orderly shutdown: sinks disarmed, supervision off
};

/// What went wrong, as bit flags (several may be set).
enum class Violation : std::uint8_t {
  none = 0,
  alive = 1U << 0U,
  deadline = 1U << 1U,
  logical = 1U << 2U,
  unknown_checkpoint = 1U << 3U,
};

[[nodiscard]] const char* to_string(EntityStatus s) noexcept;
[[nodiscard]] const char* to_string(GlobalStatus s) noexcept;

/// Handed to the safe-state hook, once per entity that expires.
struct ExpiryReport {
  std::uint32_t entity{0};
  const char* name{nullptr};   ///< the entity's configured name
  std::uint8_t violations{0};  ///< Violation bits seen in the expiring cycle
  std::chrono::nanoseconds at{0};
};

enum class ShutdownStatus : std::uint8_t {
  disarmed,         ///< every sink disarmed
  refused_expired,  ///< supervision had expired: sinks left armed so the board resets
  disarm_failed,    ///< at least one sink could not be disarmed (it may still reset the board)
};

/// A supervised entity: executors and user code report checkpoints to it.
/// Usage: `manager.entity("ctrl").checkpoint(hw::CheckpointId{0});`
/// Thread safety: checkpoint() may be called from any number of threads at once; it is
///   noexcept, lock-free (atomics only) and allocation-free. Deadline and logical supervision
///   describe one sequential flow: report them from one thread (or one flow) per entity.
/// On failure: an id >= the configured count is recorded as Violation::unknown_checkpoint.
class SupervisedEntity final : public CheckpointSink {
 public:
  SupervisedEntity(const Clock& clock, EntityConfig config);
  void checkpoint(CheckpointId id) noexcept override;

  [[nodiscard]] const std::string& name() const noexcept { return m_config.name; }
  [[nodiscard]] EntityStatus status() const noexcept { return m_status.load(std::memory_order_acquire); }
  /// Violation bits of the most recent failed cycle.
  [[nodiscard]] std::uint8_t last_violations() const noexcept {
    return m_last_violations.load(std::memory_order_acquire);
  }
  [[nodiscard]] std::uint32_t failed_cycles() const noexcept {
    return m_failed_cycles.load(std::memory_order_acquire);
  }

 private:
  friend class WatchdogManager;
  static constexpr std::int64_t kNoStart = INT64_MIN;
  static constexpr std::uint32_t kNoCheckpoint = UINT32_MAX;

  /// One supervision cycle (manager thread only); returns the violation bits of the cycle.
  std::uint8_t evaluate(std::chrono::nanoseconds now) noexcept;

  const Clock& m_clock;
  EntityConfig m_config;
  std::unique_ptr<std::atomic<std::uint32_t>[]> m_alive_counts;   // one per alive supervision
  std::unique_ptr<std::atomic<std::int64_t>[]> m_deadline_start;  // one per deadline supervision
  std::vector<std::uint8_t> m_edges;                              // checkpoints x checkpoints adjacency
  std::vector<std::uint8_t> m_initial;                            // per checkpoint
  std::vector<std::uint8_t> m_final;                              // per checkpoint
  std::vector<std::uint8_t> m_in_graph;                           // per checkpoint
  bool m_needs_time{false};
  std::atomic<std::uint32_t> m_flow_last{kNoCheckpoint};
  std::atomic<std::uint8_t> m_violations{0};
  std::atomic<EntityStatus> m_status{EntityStatus::ok};
  std::atomic<std::uint8_t> m_last_violations{0};
  std::atomic<std::uint32_t> m_failed_cycles{0};
  std::uint64_t m_cycle{0};
};

/// The supervisor: evaluates every entity once per cycle and feeds (or stops feeding) the sinks.
/// Usage:
///   hw::SteadyClock clock;
///   hw::SupervisorConfig cfg;
///   cfg.entities.push_back({.name = "ctrl", .checkpoints = 2,
///       .deadlines = {{hw::CheckpointId{0}, hw::CheckpointId{1}, 0ms, 2ms}}});
///   hw::WatchdogManager wdgm{clock, cfg, [](const hw::ExpiryReport&) { enter_safe_state(); }};
///   hw::LinuxWatchdog dev{{}};  wdgm.add_watchdog(dev);
///   wdgm.start();                 // READY=1, arms the sinks
///   wdgm.start_thread();          // or call wdgm.main_function() every cycle_period yourself
///   ...
///   wdgm.shutdown();              // orderly: magic close
/// Thread safety: add_watchdog/start are set-up (one thread, before the cycle runs).
///   main_function() must be called from one thread at a time (or use start_thread()).
///   Status getters and entity checkpoints are safe from any thread.
/// On failure: bad configuration (duplicate names, ids out of range, empty deadlines,
///   min > max, a cycle period longer than a sink allows) raises lockstep::Error at set-up.
///   Supervision faults are statuses and the hook; nothing on the cycle throws.
class WatchdogManager {
 public:
  using SafeStateHook = std::function<void(const ExpiryReport&)>;

  WatchdogManager(const Clock& clock, SupervisorConfig config, SafeStateHook on_expired);
  WatchdogManager(const WatchdogManager&) = delete;
  WatchdogManager& operator=(const WatchdogManager&) = delete;
  /// Stops the thread. Does NOT disarm: sinks left armed reset the board unless shutdown() ran.
  ~WatchdogManager();

  /// Adds a sink; it must outlive the manager. Raises if cycle_period > sink.max_cycle_period().
  void add_watchdog(Watchdog& sink);

  [[nodiscard]] std::size_t entity_count() const noexcept { return m_entities.size(); }
  [[nodiscard]] SupervisedEntity& entity(std::size_t index);
  [[nodiscard]] SupervisedEntity& entity(std::string_view name);

  /// Arms: calls start() on every sink (systemd: READY=1). Returns the worst sink result.
  FeedStatus start() noexcept;
  /// One supervision cycle at clock.now(): evaluate, hook on expiry, feed or stop feeding.
  GlobalStatus main_function() noexcept;

  /// Runs main_function() every cycle_period on a background thread (real-time waits).
  void start_thread();
  /// Stops and joins the background thread; no-op if not running.
  void stop_thread() noexcept;

  /// Orderly stop: stops the thread, then disarms the sinks unless supervision expired.
  [[nodiscard]] ShutdownStatus shutdown() noexcept;

  [[nodiscard]] GlobalStatus status() const noexcept { return m_global.load(std::memory_order_acquire); }
  [[nodiscard]] std::uint64_t cycles() const noexcept { return m_cycles.load(std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t feed_failures() const noexcept {
    return m_feed_failures.load(std::memory_order_relaxed);
  }

 private:
  const Clock& m_clock;
  std::chrono::nanoseconds m_cycle_period;
  std::uint32_t m_expired_tolerance;
  SafeStateHook m_on_expired;
  std::vector<std::unique_ptr<SupervisedEntity>> m_entities;
  std::vector<Watchdog*> m_sinks;
  bool m_armed{false};
  std::uint32_t m_expired_cycles{0};
  std::atomic<GlobalStatus> m_global{GlobalStatus::ok};
  std::atomic<std::uint64_t> m_cycles{0};
  std::atomic<std::uint64_t> m_feed_failures{0};
  std::mutex m_cycle_mutex;  // serialises main_function() with shutdown()
  std::mutex m_thread_mutex;
  std::condition_variable m_wake;
  bool m_stop_requested{false};
  std::thread m_thread;
};

}  // namespace lockstep::hw
