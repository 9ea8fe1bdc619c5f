#pragma once
// Configuration shared by every executor: replica count, spares, placement, deadline, backend,
// health thresholds, reintegration, the safe-state handler and the supervision hooks.

#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>

#include <lockstep/hw/checkpoint.hpp>
#include <lockstep/hw/clock.hpp>

namespace lockstep {

/// Where replicas run. Every backend runs the same executor logic and gives the same results.
enum class Backend : std::uint8_t {
  pinned,   ///< persistent worker threads, one per replica, pinned to cores (lowest latency)
  tbb,      ///< one lane server per replica in a oneTBB task_arena, workers pinned by an observer
            ///< (threads owned by TBB; LOCKSTEP_WITH_TBB)
  inline_,  ///< replicas in sequence on the caller, deterministic; time from `ExecutorConfig::clock`
};

/// Why the safe-state handler was called.
enum class SafeStateReason : std::uint8_t {
  no_majority,       ///< this call's replicas could not agree (or too few were on time)
  ladder_exhausted,  ///< too few healthy replicas remain; the executor no longer runs replicas
};

/// When a dissenting replica's state is overwritten with a majority replica's state.
enum class Reintegration : std::uint8_t {
  off,         ///< never (a dissenting stateful replica keeps diverging; its alpha-count rises)
  on_dissent,  ///< default: after every decided vote, dissenting/late/failed/suspect replicas
};

/// Alpha-count parameters (Bondavalli et al., IEEE TC 49(3), 2000):
/// alpha <- alpha + 1 on an erroneous call, alpha <- alpha * decay otherwise; a replica whose
/// alpha reaches `threshold` is judged intermittent/permanent and excluded.
/// Defaults (decay 0.9, threshold 3.0) exclude a replica after 3 consecutive erroneous calls
/// (1, 2, 3); one error every 10 calls keeps alpha below 1.6 for ever (a transient pattern).
struct HealthConfig {
  double decay = 0.9;
  double threshold = 3.0;
  /// Fewest active replicas that may still decide: below this the ladder enters safe state.
  std::uint32_t min_active = 2;
};

/// Everything an executor needs at construction. Validated by the executor's constructor
/// (a bad value throws `lockstep::Error` with a specific message).
/// Usage:
///   lockstep::ExecutorConfig cfg{.replicas = 3, .cores = {1, 2, 3},
///                                .deadline = std::chrono::microseconds{200}};
/// Thread safety: a value. On failure: see the executor constructors.
struct ExecutorConfig {
  std::uint32_t replicas = 3;          ///< N active replicas, 2..7 (1 allowed for a simplex reference)
  std::vector<std::uint32_t> cores{};  ///< cores for replica workers in order (spares after);
                                       ///< empty = the process's allowed cores, round robin
  std::chrono::nanoseconds deadline = std::chrono::milliseconds{1};  ///< per call, > 0
  Backend backend = Backend::pinned;
  std::uint32_t spares = 0;  ///< hot spares (N active + S spares), taken when a replica is excluded
                             ///< or its worker hangs
  /// Run replica 0 on the caller's thread (one handoff less). Costs the deadline bound: a hang
  /// of replica 0 then blocks the caller for as long as it lasts, and no spare can replace it.
  /// Requires `checkpoints` (a watchdog-fed sink) on the threaded backends; leave it false when
  /// hangs are in your fault model and no hardware watchdog supervises the control thread.
  bool caller_is_replica0 = false;
  std::uint32_t spin_iterations = 4000;  ///< worker: busy polls before yielding, then futex wait
  std::uint32_t yield_iterations = 64;   ///< worker: yields before blocking
  Reintegration reintegration = Reintegration::on_dissent;
  HealthConfig health{};
  std::function<void(SafeStateReason)> on_safe_state{};  ///< runs on the caller, must not throw
  hw::Clock* clock = nullptr;                 ///< nullptr = an internal hw::SteadyClock. Not owned.
  hw::CheckpointSink* checkpoints = nullptr;  ///< optional supervision sink. Not owned.
  hw::CheckpointId call_checkpoint{0};        ///< reported by the caller after each call
  /// If non-zero, each worker replica i reports `replica_checkpoint_base + i` after its job,
  /// so a hung replica shows up as a missed checkpoint in the watchdog.
  std::uint16_t replica_checkpoint_base = 0;
  std::uint32_t event_capacity = 1024;  ///< telemetry ring capacity (rounded up to a power of 2)
  /// Bounded wait per worker at destruction before a worker stuck in user code is detached.
  std::chrono::milliseconds join_timeout{200};
};

}  // namespace lockstep
