#pragma once
// Closed-loop fault-injection runs: a controller runs under a redundant executor at a fixed
// control rate against a plant integrated in simulated time; faults are injected through the
// runtime's hooks at a rate (per call, per replica) or at scripted instants; a run records the
// trajectory, the executor's events and whether the plant's safety envelope held.
//
//   sim time --+--[sense z = h(x(t_k)) + noise, u_(k-1)]--> executor.run(z) --> vote --> u_k
//              |      replicas 0..N-1: estimator + control law        no decision: hold u_(k-1)
//              |      (kernels/: Kalman + LQR, PID, LQR; replica-private state)
//              |                                         u_k --(ZOH, RK4)--> x(t_k+1)
//              +-- fault stream (seed, run): per call, per replica, one draw: hit? which bit?
//              +-- noise stream (seed, run): one standard normal per state word and call
//
// Controllers come from kernels/ (docs/plants.md): the pendulum runs a Kalman estimator and LQR
// state feedback, the motor a PID speed loop, the attitude loop per-axis LQR. Gains are designed
// once per run; the per-call law is the replicated computation. Under `nversion` replica i runs
// kernel version i; every other executor replicates version 0.
//
// Usage:
//   lockstep::sim::plant::LoopSpec spec;   // pendulum under TMR, 1e-3 output bit flips / call / replica
//   spec.executor = lockstep::sim::plant::LoopExecutor::tmr;
//   auto r = lockstep::sim::plant::run_loop(spec);          // r.envelope_held, r.ise, r.counts
//   auto mc = lockstep::sim::plant::run_monte_carlo(spec, 200);  // P(violation) with 95% CI

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "lockstep/sim/plant/plant.hpp"

namespace lockstep::sim::plant {

/// Executors a controller can run under (the runtime's NModularExecutor with 1 or 3 replicas,
/// DuplexRetry, and NVersionExecutor over three independently written control laws).
enum class LoopExecutor : std::uint8_t { simplex, dmr_retry, tmr, nversion };
/// Faults injected into a replica's execution of one control call.
enum class LoopFault : std::uint8_t {
  bitflip_output,  ///< one random bit of the replica's command
  bitflip_input,   ///< one random bit of the replica's private copy of the measurement vector
  bitflip_state,   ///< one random bit of the replica's private controller state (pendulum: the
                   ///< Kalman estimate and covariance; motor: the PID integrator)
  exception,       ///< the replica fails (throws)
  delay,           ///< the replica finishes two deadlines late
  stuck_at,        ///< one output bit of the replica stuck at 1 for `LoopSpec::stuck_calls` calls
                   ///< (an intermittent fault: the health ladder may exclude the replica)
};
[[nodiscard]] std::string_view to_string(LoopExecutor e) noexcept;
[[nodiscard]] std::string_view to_string(LoopFault f) noexcept;
/// Parse CLI names ("simplex", "dmr-retry", "tmr", "nversion"; "bitflip-output", ...).
/// Raise lockstep::Error listing the valid names.
[[nodiscard]] LoopExecutor parse_loop_executor(std::string_view name);
[[nodiscard]] LoopFault parse_loop_fault(std::string_view name);

/// A fault at a fixed instant: the control call at or right after `time` seconds, in `replica`
/// (replicas an executor does not have are ignored; index 2 of dmr-retry is its tie-break run).
struct ScriptedFault {
  double time = 0.0;
  std::uint32_t replica = 0;
  std::int32_t bit = -1;  ///< bit to flip for bit-flip faults; -1 = drawn from the run's stream
};

/// One closed-loop run.
struct LoopSpec {
  PlantKind plant = PlantKind::pendulum;
  LoopExecutor executor = LoopExecutor::tmr;
  LoopFault fault = LoopFault::bitflip_output;
  double fault_rate = 1e-3;  ///< probability per control call per replica, in [0, 1]
  std::vector<ScriptedFault> scripted{};
  double duration = 10.0;          ///< seconds of simulated time, > 0
  std::uint32_t stuck_calls = 50;  ///< length of a stuck-at fault, in control calls (>= 1)
  std::uint64_t seed = 1;          ///< the fault stream; the same seed gives every executor the same stream
  /// Sensor noise as a multiple of the plant's nominal sensor noise (pendulum: 2 mm cart
  /// position, 0.1 deg angle; motor: 0.2 rad/s; attitude: 1e-4 per quaternion component and
  /// 1e-4 rad/s), in [0, 100]; -1 = the plant's default (1 for the pendulum, 0 otherwise).
  /// Seeded from `seed` on its own stream: the fault stream does not depend on it.
  double sensor_noise = -1.0;
  bool record_trace = false;  ///< keep one TracePoint per control period
};

/// Validates a spec: raises lockstep::Error naming the bad field.
void validate(const LoopSpec& spec);

/// One control period of a recorded run.
struct TracePoint {
  double time = 0.0;
  State x{};  ///< the true state (the controller sees it through the noisy sensors)
  Input u{};
  std::uint8_t faults = 0;  ///< faults injected into this call (all replicas)
  std::uint8_t status = 0;  ///< lockstep::CallStatus of the call
  bool sdc = false;         ///< the delivered command differed from the fault-free one
};

/// Per-call outcome counts of a run (a call may carry several injected faults).
struct LoopCounts {
  std::uint64_t calls = 0;
  std::uint64_t faults_injected = 0;
  std::uint64_t faulty_calls = 0;  ///< calls with at least one fault injected
  std::uint64_t masked = 0;        ///< correct command delivered although a replica was wrong, late or failed
  std::uint64_t recovered = 0;     ///< correct command after a retry (dmr-retry tie-break)
  std::uint64_t detected = 0;      ///< no decision: the last command was held (safe action)
  std::uint64_t sdc = 0;           ///< a wrong command was delivered silently
  std::uint64_t deadline_misses = 0;  ///< calls where some replica missed the deadline
  std::uint64_t executions = 0;       ///< replica executions (overhead: executions / calls)
  std::uint64_t excluded = 0;         ///< replicas excluded by the health ladder by the end of the run
  LoopCounts& operator+=(const LoopCounts& o) noexcept;
};

struct LoopResult {
  bool envelope_held = true;
  double violation_time = -1.0;   ///< first time outside the envelope, -1 if it held
  double ise = 0.0;               ///< integral of tracking_error^2 dt over the run
  double safe_time = 0.0;         ///< seconds spent holding the last command (no decision)
  double wall_ns_per_call = 0.0;  ///< host time per executor call (overhead figure)
  LoopCounts counts{};
  std::vector<double> fault_times{};  ///< instants of calls that carried a fault
  std::vector<TracePoint> trace{};    ///< when spec.record_trace
};

/// Runs one closed loop. Deterministic: a pure function of the spec (host timing aside).
/// Stops integrating at the first envelope violation (the run's verdict is then known).
/// On failure: raises lockstep::Error for a bad spec; faults are data, never errors.
[[nodiscard]] LoopResult run_loop(const LoopSpec& spec);

/// Monte Carlo over fault seeds: run i uses seed trial_seed(spec.seed, i).
struct MonteCarloResult {
  std::uint64_t runs = 0;
  std::uint64_t violations = 0;
  double p_violation = 0.0;
  double ci_lo = 0.0;  ///< 95% Wilson interval of p_violation
  double ci_hi = 0.0;
  double mean_ise = 0.0;
  double mean_safe_time = 0.0;
  double wall_ns_per_call = 0.0;
  std::uint64_t resumed = 0;  ///< runs found already stored in the results database
  LoopCounts counts{};
};

/// Options of a Monte Carlo study.
struct MonteCarloOptions {
  std::uint32_t threads = 0;      ///< 0 = every core; never changes the results
  std::string db_path{};          ///< results store (resumable): empty = none
  std::uint32_t shard_index = 1;  ///< run the shard_index-th of shard_count slices (1-based)
  std::uint32_t shard_count = 1;
};

/// Runs `runs` closed loops in parallel (or resumes them from the store, skipping stored runs)
/// and returns the envelope-violation probability with its 95% interval. The store holds one
/// Sample per run (kind "plant", outcome "held"/"violated", value = ISE, data = JSON counts),
/// under parameters naming plant, executor, fault, rate, duration, runs, seed and shard.
[[nodiscard]] MonteCarloResult run_monte_carlo(const LoopSpec& spec, std::uint64_t runs,
                                               const MonteCarloOptions& options = {});

/// Writes a trace as CSV: time, state components, command components, faults, status, sdc.
void write_trace_csv(const std::string& path, const LoopSpec& spec, const LoopResult& result);

}  // namespace lockstep::sim::plant
