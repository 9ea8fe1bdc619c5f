#pragma once
// Internals shared by the executors: the caller<->worker handoff of one replica slot, the
// worker threads (pinned backend) and the TBB lane servers. Not part of the public API.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include <lockstep/hw/clock.hpp>
#include <lockstep/hw/placement.hpp>

namespace lockstep::detail {

/// The handoff of one replica slot ("lane"). The caller writes the job, then publishes
/// `posted = seq`; the runner executes and publishes `done = seq`. A lane is idle when
/// done == posted; only then may the caller touch the lane's data.
// alignas(64): the caller writes `posted` and the worker writes `done`; separate cache lines
// keep the two directions from false sharing (the round trip is a few cache-line transfers).
struct LaneControl {
  alignas(64) std::atomic<std::uint32_t> posted{0};
  alignas(64) std::atomic<std::uint32_t> done{0};
  std::atomic<bool> stop{false};
  std::atomic<bool> release{false};  ///< ends an injected hang
  std::atomic<bool> exited{false};
  std::atomic<bool> started{false};
  std::atomic<bool> caller_waiting{false};  ///< the caller sleeps on `done` (oversubscribed mode)
  void (*run)(void* ctx) noexcept = nullptr;
  void* ctx = nullptr;
  std::int32_t cpu{-1};         ///< core of the last execution (written by the runner)
  std::uint32_t thread_tag{0};  ///< thread of the last execution (written by the runner)
  // Written once by the runner before it publishes `started` (read by the executor after):
  hw::PlacementStatus placement{hw::PlacementStatus::ok};
  std::int32_t pinned_core{-1};  ///< core the runner pinned itself to (-1: not pinned)
  std::int32_t arena_slot{-1};   ///< TBB backend: the arena slot of the thread serving the lane
  bool detached{false};          ///< the worker never returned and was detached: the lane must leak

  [[nodiscard]] bool idle() const noexcept {
    return done.load(std::memory_order_acquire) == posted.load(std::memory_order_relaxed);
  }
};

/// Core the calling thread runs on now (-1 if unknown).
[[nodiscard]] std::int32_t current_cpu() noexcept;
/// Small unique id of the calling thread (1, 2, ...).
[[nodiscard]] std::uint32_t thread_tag() noexcept;
/// Runs the posted job of `ctl` on the calling thread and publishes done.
void run_posted(LaneControl& ctl) noexcept;
/// Publishes `done = seq` and wakes a caller sleeping in `wait_done`.
void publish_done(LaneControl& ctl, std::uint32_t seq) noexcept;
/// Caller side: sleeps (futex) until `ctl.done` differs from `seen` or `slice` of real time
/// passes. Returns immediately if it already differs.
void wait_done(LaneControl& ctl, std::uint32_t seen, std::chrono::nanoseconds slice) noexcept;
/// Records a lane leaked on purpose (its worker never returned) so it stays reachable: leak
/// checkers do not report it, and the record documents the leak. Fixed capacity, lock-free.
void keep_reachable(const void* leaked) noexcept;
/// Number of lanes leaked on purpose in this process.
[[nodiscard]] std::uint32_t leaked_lanes() noexcept;
/// Pause instruction for spin loops.
void cpu_relax() noexcept;
/// Runner side: serves `ctl` until `ctl.stop`: spins `spin` polls, yields `yields` times, then
/// blocks on the futex (std::atomic::wait) for the next posted job; runs it and publishes done.
/// Sets `ctl.exited` on return. Used by the pinned workers and by the TBB lane servers.
void serve_lane(LaneControl& ctl, std::uint32_t spin, std::uint32_t yields) noexcept;

/// Persistent worker threads, one per lane, each optionally pinned. Spin briefly, yield, then
/// block on a futex (std::atomic::wait) so more workers than cores never livelock.
/// Thread safety: start/stop from one thread (the executor's owner). On failure: `start`
/// throws lockstep::Error if a thread cannot be created; placement failures are recorded in
/// the lane's `placement`, not thrown.
class WorkerSet {
 public:
  WorkerSet() = default;
  WorkerSet(const WorkerSet&) = delete;
  WorkerSet& operator=(const WorkerSet&) = delete;
  ~WorkerSet();

  /// Starts a worker serving `ctl`, pinned to `core` when core >= 0; waits until it has
  /// tried to pin itself so the placement report is accurate.
  void start(LaneControl* ctl, std::int32_t core, std::uint32_t spin, std::uint32_t yields);
  /// Stops every worker; each gets `timeout` to exit, then is detached (ctl->detached = true).
  void stop_all(std::chrono::milliseconds timeout) noexcept;

 private:
  struct Worker {
    std::thread thread;
    LaneControl* ctl;
  };
  std::vector<Worker> m_workers;
};

/// The oneTBB backend: one long-running lane server per lane, enqueued once (at construction)
/// into a dedicated tbb::task_arena with one slot per lane. A call therefore makes no TBB call
/// and allocates nothing: it is the same futex handoff as the pinned backend, on threads TBB
/// owns. A tbb::task_scheduler_observer pins each worker entering arena slot s to
/// `slot_cores[s]` (when >= 0) and restores the worker's affinity when it leaves the arena.
/// Built only with LOCKSTEP_WITH_TBB; without it the constructor throws lockstep::Error.
/// Thread safety: start/wait_started/stop_all from one thread (the executor's owner).
/// On failure: the constructor and `start` throw lockstep::Error (set-up); a worker that cannot
/// be pinned records its PlacementStatus in the lane; a lane whose server TBB has not started
/// within `wait_started`'s timeout keeps `started == false` (the executor reports it).
class TbbDispatcher {
 public:
  explicit TbbDispatcher(std::vector<std::int32_t> slot_cores);
  TbbDispatcher(const TbbDispatcher&) = delete;
  TbbDispatcher& operator=(const TbbDispatcher&) = delete;
  ~TbbDispatcher();
  /// Enqueues the server of `ctl` (at most one per arena slot). Set-up only: allocates.
  void start(LaneControl* ctl, std::uint32_t spin, std::uint32_t yields);
  /// Waits until every started lane's server runs, or `timeout` of real time passes.
  /// Returns true if all run.
  [[nodiscard]] bool wait_started(std::chrono::milliseconds timeout) noexcept;
  /// Stops every lane server; each gets `timeout` to return, then its lane is marked detached
  /// (ctl->detached = true: a server stuck in user code, or one TBB never started, must not
  /// find its lane freed).
  void stop_all(std::chrono::milliseconds timeout) noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
  std::vector<LaneControl*> m_lanes;
};

/// True when the library was built with the oneTBB backend.
[[nodiscard]] bool tbb_available() noexcept;

}  // namespace lockstep::detail
