#pragma once
// The executor engine shared by NModularExecutor, NVersionExecutor, TemporalExecutor and
// DuplexRetry: replica lanes with private input/state copies, the three backends, deadlines,
// hang replacement, voting, the tie-break retry, health (alpha-count + ladder), reintegration,
// telemetry and fault injection. Users normally name one of the thin wrappers instead.
//
//   caller            lanes (replica-private input, state, output)
//   run(x) --post--> [lane 0] [lane 1] [lane 2]   (+ spare lanes)
//     |   <--done--   pinned worker / TBB task / inline on the caller
//     wait until all done or deadline (spin, then yield: bounded, never blocks)
//     vote(present = on-time & not failed)  -> (DuplexRetry: tie-break on the caller)
//     health: alpha-count -> ladder; reintegration; telemetry; checkpoint
//     return CallResult

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <lockstep/core/error.hpp>
#include <lockstep/core/replica_mask.hpp>
#include <lockstep/hw/clock.hpp>
#include <lockstep/hw/placement.hpp>
#include <lockstep/runtime/call_result.hpp>
#include <lockstep/runtime/config.hpp>
#include <lockstep/runtime/detail/worker.hpp>
#include <lockstep/runtime/fault_injection.hpp>
#include <lockstep/runtime/health.hpp>
#include <lockstep/runtime/telemetry.hpp>
#include <lockstep/voters/vote.hpp>

namespace lockstep {

/// State type of stateless computations.
struct NoState {
  friend constexpr bool operator==(NoState, NoState) noexcept = default;
};

/// How far a dissenting output is from the delivered one, for telemetry: |a - b| for arithmetic
/// types, the number of differing bytes for other trivially copyable types, NaN otherwise.
template <class T>
[[nodiscard]] double output_distance(const T& a, const T& b) noexcept {
  if constexpr (std::is_arithmetic_v<T>) {
    return std::fabs(static_cast<double>(a) - static_cast<double>(b));
  } else if constexpr (std::is_trivially_copyable_v<T>) {
    std::array<unsigned char, sizeof(T)> x{};
    std::array<unsigned char, sizeof(T)> y{};
    std::memcpy(x.data(), &a, sizeof(T));
    std::memcpy(y.data(), &b, sizeof(T));
    std::uint32_t n = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) { n += x[i] != y[i] ? 1U : 0U; }
    return static_cast<double>(n);
  } else {
    return std::nan("");
  }
}

namespace detail {

enum class ReplicaStatus : std::uint8_t { ok, threw, invalid, hung };

/// One replica slot: its private copies and its handoff. Owned by the executor through a
/// unique_ptr so a detached (hung-for-good) worker can be leaked with it.
template <class Input, class Output, class State>
struct Lane {
  using Kernel = std::function<Output(const Input&, State&)>;
  using Validator = std::function<bool(const Output&)>;
  using Injector = FaultInjector<Input, Output, State>;

  LaneControl ctl{};
  std::vector<Kernel> kernels{};  ///< lane-owned copies: a detached worker never runs a freed kernel
  Input input{};
  State state{};
  Output output{};
  const Kernel* kernel{nullptr};
  const Validator* validator{nullptr};
  typename Injector::Active faults{};
  const hw::Clock* clock{nullptr};
  hw::CheckpointSink* sink{nullptr};
  std::uint16_t checkpoint{0};
  std::int64_t finish_ns{0};
  ReplicaStatus status{ReplicaStatus::ok};
  bool simulate_hang{false};  ///< run on the caller: an injected hang is simulated, not real
  bool on_caller{false};      ///< run by the caller thread (inline backend, or replica 0)

  Lane() {
    ctl.run = &Lane::entry;
    ctl.ctx = this;
  }

  static void entry(void* self) noexcept { static_cast<Lane*>(self)->execute(); }

  void execute() noexcept {
    status = ReplicaStatus::ok;
    std::int64_t delay = 0;
    bool do_throw = false;
    bool do_hang = false;
    for (std::uint32_t i = 0; i < faults.count; ++i) {
      const auto& a = *faults.items[i];
      switch (a.fault.kind) {
        case FaultKind::corrupt_input:
          if (a.on_input) {
            a.on_input(input);
          } else {
            flip_bytes(input, a.fault.byte_offset, a.fault.xor_mask);
          }
          break;
        case FaultKind::corrupt_state:
          if (a.on_state) {
            a.on_state(state);
          } else {
            flip_bytes(state, a.fault.byte_offset, a.fault.xor_mask);
          }
          break;
        case FaultKind::throw_:
          do_throw = true;
          break;
        case FaultKind::hang:
          do_hang = true;
          break;
        case FaultKind::late:
          delay += a.fault.delay.count();
          break;
        case FaultKind::corrupt_output:
          break;
      }
    }
    if (do_hang) {
      if (!simulate_hang) {
        while (!ctl.release.load(std::memory_order_acquire)) {
          ctl.release.wait(false, std::memory_order_acquire);
        }
      }
      status = ReplicaStatus::hung;
      finish_ns = clock->now().count();
      return;
    }
    try {
      if (do_throw) throw InjectedFault{};
      output = (*kernel)(input, state);
    } catch (...) { status = ReplicaStatus::threw; }
    if (ctl.stop.load(std::memory_order_acquire)) {
      // The executor is shutting down (maybe already gone, if this worker was detached): touch
      // nothing but this lane's own memory.
      status = ReplicaStatus::threw;
      return;
    }
    if (status == ReplicaStatus::ok) {
      for (std::uint32_t i = 0; i < faults.count; ++i) {
        const auto& a = *faults.items[i];
        if (a.fault.kind != FaultKind::corrupt_output) continue;
        if (a.on_output) {
          a.on_output(output);
        } else {
          flip_bytes(output, a.fault.byte_offset, a.fault.xor_mask);
        }
      }
      if (validator != nullptr && *validator) {
        try {
          if (!(*validator)(output)) status = ReplicaStatus::invalid;
        } catch (...) { status = ReplicaStatus::invalid; }
      }
    }
    finish_ns = clock->now().count() + delay;
    ctl.cpu = current_cpu();
    ctl.thread_tag = thread_tag();
    if (sink != nullptr && checkpoint != 0U) sink->checkpoint(hw::CheckpointId{checkpoint});
  }
};

}  // namespace detail

/// Options that distinguish the executor kinds built on the engine.
struct EngineMode {
  bool tie_break_retry{false};  ///< DuplexRetry: one more execution on the caller on disagreement
  bool sequential{false};       ///< TemporalExecutor: replicas run one after another on the caller
};

/// The engine. See NModularExecutor for the user-facing documentation and usage.
/// Thread safety: `run`, `faults()`, `reset_*`, `set_*` from one thread at a time (the control
/// thread); `telemetry()` readers and `notify_state_suspect` from any thread.
/// On failure: constructors throw lockstep::Error for bad configuration; `run` never throws:
/// a replica fault is reported in the CallResult and telemetry, never as an exception.
template <class Input, class Output, class State = NoState>
class ReplicatedExecutor {
  static_assert(std::is_default_constructible_v<Input> && std::is_copy_assignable_v<Input>,
                "Input must be default constructible and copy assignable (replica-private copies)");
  static_assert(std::is_default_constructible_v<Output> && std::is_copy_assignable_v<Output>,
                "Output must be default constructible and copy assignable");
  static_assert(std::is_default_constructible_v<State> && std::is_copy_assignable_v<State>,
                "State must be default constructible and copy assignable (resync copies it)");

 public:
  using Kernel = std::function<Output(const Input&, State&)>;
  using Voter = std::function<Vote<Output>(std::span<const Output>, VoteOptions)>;
  using Validator = std::function<bool(const Output&)>;
  using Injector = FaultInjector<Input, Output, State>;

  /// Wraps `f(const Input&)` or `f(const Input&, State&)` as a Kernel.
  template <class F>
  [[nodiscard]] static Kernel make_kernel(F&& f) {
    if constexpr (std::is_invocable_r_v<Output, F&, const Input&, State&>) {
      return Kernel(std::forward<F>(f));
    } else {
      static_assert(std::is_invocable_r_v<Output, F&, const Input&>,
                    "a kernel must be callable as Output(const Input&) or Output(const Input&, State&)");
      return Kernel(
          [g = std::forward<F>(f)](const Input& in, State& /*unused*/) mutable -> Output { return g(in); });
    }
  }

  ReplicatedExecutor(const ExecutorConfig& cfg, std::vector<Kernel> kernels, Voter voter, EngineMode mode,
                     const State& initial = State{})
      : m_cfg(cfg),
        m_mode(mode),
        m_kernels(std::move(kernels)),
        m_voter(std::move(voter)),
        m_faults(cfg.replicas),
        m_ladder(cfg.replicas, cfg.health.min_active),
        m_telemetry(std::make_unique<Telemetry>(cfg.replicas, cfg.event_capacity)) {
    validate();
    m_clock = cfg.clock != nullptr ? cfg.clock : &m_own_clock;
    const std::uint32_t n = cfg.replicas;
    const std::uint32_t lanes = n + cfg.spares;
    m_outputs.resize(static_cast<std::size_t>(n) + 1U);
    for (std::uint32_t i = 0; i < kMaxReplicas; ++i) {
      m_alpha[i] = AlphaCount{cfg.health.decay, cfg.health.threshold};
      m_assign[i] = -1;
    }
    for (std::uint32_t w = 0; w < lanes; ++w) {
      auto lane = std::make_unique<LaneT>();
      lane->kernels = m_kernels;
      lane->state = initial;
      lane->clock = m_clock;
      lane->validator = &m_validator;
      lane->sink = cfg.checkpoints;
      lane->on_caller = cfg.backend == Backend::inline_ || (cfg.caller_is_replica0 && w == 0U);
      // An injected hang on the caller's thread is simulated (reported hung, late): a real one
      // would hang the caller, which is the documented cost of `caller_is_replica0`.
      lane->simulate_hang = lane->on_caller;
      m_lanes.push_back(std::move(lane));
    }
    for (std::uint32_t i = 0; i < n; ++i) { assign(i, i); }
    for (std::uint32_t w = lanes; w > n; --w) {
      m_spares[m_spare_count++] = static_cast<std::int16_t>(w - 1U);
    }
    if (m_mode.tie_break_retry) {
      m_retry = std::make_unique<LaneT>();
      m_retry->state = initial;
      m_retry->clock = m_clock;
      m_retry->validator = &m_validator;
      m_retry->simulate_hang = true;  // runs on the caller: a real hang would hang the caller
      m_retry->on_caller = true;
      m_retry->kernels = m_kernels;
      m_retry->kernel = &m_retry->kernels.front();
    }
    start_backend();
  }

  ReplicatedExecutor(const ReplicatedExecutor&) = delete;
  ReplicatedExecutor& operator=(const ReplicatedExecutor&) = delete;
  ReplicatedExecutor(ReplicatedExecutor&&) = delete;
  ReplicatedExecutor& operator=(ReplicatedExecutor&&) = delete;

  ~ReplicatedExecutor() {
    m_workers.stop_all(m_cfg.join_timeout);
    if (m_tbb) m_tbb->stop_all(m_cfg.join_timeout);
    for (auto& lane : m_lanes) {
      // A worker that never returned still references its lane: leak the lane on purpose.
      if (lane && lane->ctl.detached) detail::keep_reachable(lane.release());
    }
  }

  /// Runs one redundant call. Never throws, never allocates (any backend, after construction),
  /// never blocks longer than the deadline plus the bound documented in docs/runtime.md.
  [[nodiscard]] CallResult<Output> run(const Input& input) noexcept {
    CallResult<Output> r{};
    r.call = ++m_call;
    const std::uint32_t n = m_cfg.replicas;
    const std::uint32_t seq = static_cast<std::uint32_t>(r.call);
    const std::int64_t start = m_clock->now().count();
    const std::int64_t deadline_at = start + m_cfg.deadline.count();
    m_telemetry->calls.fetch_add(1U, std::memory_order_relaxed);

    if (m_ladder.level() == Level::safe_state) {
      r.status = CallStatus::safe_state;
      r.excluded = m_excluded;
      r.level = Level::safe_state;
      m_telemetry->no_decisions.fetch_add(1U, std::memory_order_relaxed);
      push(EventKind::no_decision, r.call, 0xFFU, 0.0);
      safe_state(SafeStateReason::ladder_exhausted);
      finish_call(r, start);
      return r;
    }

    recycle_quarantine();
    const ReplicaMask suspect =
        ReplicaMask{m_suspect.exchange(0U, std::memory_order_acq_rel)} & ReplicaMask::first(n);
    for (std::uint32_t i = 0; i < n; ++i) {
      if (suspect.test(i)) push(EventKind::state_suspect, r.call, i, 0.0);
    }
    m_needs_resync |= suspect;

    if (m_mode.tie_break_retry) snapshot_for_retry();

    // Fan out.
    ReplicaMask dispatched{};
    ReplicaMask busy{};
    for (std::uint32_t i = 0; i < n; ++i) {
      if (m_excluded.test(i)) continue;
      const std::int16_t w = m_assign[i];
      if (w < 0) {
        r.failed.set(i);
        continue;
      }
      LaneT& lane = *m_lanes[static_cast<std::size_t>(w)];
      if (!lane.ctl.idle()) {  // still running an abandoned job and no spare was left
        busy.set(i);
        continue;
      }
      lane.input = input;
      lane.kernel = &lane.kernels[m_kernels.size() == 1U ? 0U : i];
      lane.faults = m_faults.armed() ? m_faults.select(i, r.call) : typename Injector::Active{};
      lane.checkpoint = m_cfg.replica_checkpoint_base != 0U
                            ? static_cast<std::uint16_t>(m_cfg.replica_checkpoint_base + i)
                            : 0U;
      dispatched.set(i);
    }
    r.late |= busy;

    std::int64_t sim_end = start;
    if (m_cfg.backend == Backend::inline_) {
      std::int64_t offset = 0;  // sequential (temporal) mode: injected delays add up
      for (std::uint32_t i = 0; i < n; ++i) {
        if (!dispatched.test(i)) continue;
        LaneT& lane = lane_of(i);
        if (m_mode.sequential && m_clock->now().count() + offset >= deadline_at) {
          dispatched.reset(i);
          r.late.set(i);
          continue;
        }
        lane.ctl.posted.store(seq, std::memory_order_relaxed);
        lane.execute();
        if (m_mode.sequential) {
          lane.finish_ns += offset;
          offset = lane.finish_ns - m_clock->now().count();
        }
        lane.ctl.done.store(seq, std::memory_order_relaxed);
        ++r.executions;
      }
    } else {
      LaneT* on_caller = nullptr;
      for (std::uint32_t i = 0; i < n; ++i) {
        if (!dispatched.test(i)) continue;
        LaneT& lane = lane_of(i);
        lane.ctl.posted.store(seq, std::memory_order_release);
        if (lane.on_caller) {
          on_caller = &lane;
        } else {
          lane.ctl.posted.notify_one();  // a pinned worker or a TBB lane server: same handoff
        }
      }
      if (on_caller != nullptr) {
        on_caller->execute();
        on_caller->ctl.done.store(seq, std::memory_order_release);
      }
      wait_for(dispatched, seq, deadline_at);
      r.executions = static_cast<std::uint8_t>(dispatched.count());
    }

    // Collect.
    ReplicaMask present{};
    const std::uint32_t caller_tag = detail::thread_tag();
    std::array<std::uint32_t, kMaxReplicas> tags{};
    std::array<std::int32_t, kMaxReplicas> cpus{};
    std::uint32_t ran = 0;
    for (std::uint32_t i = 0; i < n; ++i) {
      if (!dispatched.test(i)) continue;
      LaneT& lane = lane_of(i);
      if (!lane.ctl.idle()) {
        r.late.set(i);
        r.hung.set(i);
        push(EventKind::late, r.call, i, static_cast<double>(m_cfg.deadline.count()));
        replace_hung(i, r.call);
        continue;
      }
      tags[ran] = lane.on_caller ? caller_tag : lane.ctl.thread_tag;
      cpus[ran] = lane.ctl.cpu;
      ++ran;
      switch (lane.status) {
        case detail::ReplicaStatus::ok:
          if (lane.finish_ns > deadline_at) {
            r.late.set(i);
            push(EventKind::late, r.call, i, static_cast<double>(lane.finish_ns - deadline_at));
          } else {
            present.set(i);
            m_outputs[i] = lane.output;
            sim_end = std::max(sim_end, lane.finish_ns);
          }
          break;
        case detail::ReplicaStatus::hung:
          r.late.set(i);
          r.hung.set(i);
          push(EventKind::late, r.call, i, static_cast<double>(m_cfg.deadline.count()));
          break;
        case detail::ReplicaStatus::threw:
        case detail::ReplicaStatus::invalid:
          r.failed.set(i);
          push(EventKind::failed, r.call, i, 0.0);
          break;
      }
    }
    for (std::uint32_t i = 0; i < n; ++i) {
      if (r.failed.test(i) && m_assign[i] < 0) push(EventKind::failed, r.call, i, 0.0);
    }
    if (r.late.any() && m_cfg.backend == Backend::inline_) sim_end = std::max(sim_end, deadline_at);
    r.spatially_distinct = m_cfg.backend != Backend::inline_ && ran == present.count() && ran > 1U &&
                           ran == static_cast<std::uint32_t>(r.executions) && all_distinct(tags, ran) &&
                           all_distinct(cpus, ran);

    // Vote.
    VoteOptions opts{};
    opts.present = present;
    Vote<Output> v = m_voter(std::span<const Output>(m_outputs.data(), n), opts);
    std::uint32_t source_limit = n;
    if (!v.decided() && m_mode.tie_break_retry && m_clock->now().count() < deadline_at) {
      LaneT& t = *m_retry;
      t.input = input;
      t.faults = m_faults.armed() ? m_faults.select(n, r.call) : typename Injector::Active{};
      t.execute();
      ++r.executions;
      if (t.status == detail::ReplicaStatus::ok && t.finish_ns <= deadline_at) {
        m_outputs[n] = t.output;
        present.set(n);
        sim_end = std::max(sim_end, t.finish_ns);
      }
      opts.present = present;
      v = m_voter(std::span<const Output>(m_outputs.data(), n + 1U), opts);
      r.recovered = v.decided();
      source_limit = n + 1U;
    }

    // Health.
    const ReplicaMask erroneous = r.late | r.failed | (v.decided() ? v.dissent : ReplicaMask{});
    for (std::uint32_t i = 0; i < n; ++i) {
      if (m_excluded.test(i)) continue;
      ReplicaCounters& c = m_telemetry->replica(i);
      c.calls.fetch_add(1U, std::memory_order_relaxed);
      if (r.late.test(i)) c.late.fetch_add(1U, std::memory_order_relaxed);
      if (r.failed.test(i)) c.failed.fetch_add(1U, std::memory_order_relaxed);
      if (v.decided() && v.dissent.test(i)) {
        c.dissents.fetch_add(1U, std::memory_order_relaxed);
        push(EventKind::dissent, r.call, i, output_distance(m_outputs[i], *v.value));
      }
      const bool crossed = m_alpha[i].update(erroneous.test(i));
      c.alpha.store(m_alpha[i].value(), std::memory_order_relaxed);
      if (crossed) exclude(i, r.call);
    }

    // Reintegration.
    if (v.decided()) {
      reintegrate(r, present - v.dissent, erroneous | m_needs_resync, source_limit);
    } else {
      m_needs_resync |= erroneous;
    }

    r.vote = std::move(v);
    r.excluded = m_excluded;
    if (!r.vote.decided()) {
      r.status = CallStatus::no_decision;
      m_telemetry->no_decisions.fetch_add(1U, std::memory_order_relaxed);
      push(EventKind::no_decision, r.call, 0xFFU, 0.0);
      safe_state(SafeStateReason::no_majority);
    } else if (r.recovered) {
      r.status = CallStatus::recovered;
      m_telemetry->recoveries.fetch_add(1U, std::memory_order_relaxed);
      push(EventKind::recovered, r.call, 0xFFU, 0.0);
    } else if (r.vote.outcome == Outcome::unanimous && r.late.none() && r.failed.none() &&
               m_excluded.none()) {
      r.status = CallStatus::ok;
    } else {
      r.status = CallStatus::masked;
      m_telemetry->masked.fetch_add(1U, std::memory_order_relaxed);
    }
    finish_call(r, start, sim_end);
    return r;
  }

  /// Index the next call will have (for arming faults).
  [[nodiscard]] std::uint64_t next_call() const noexcept { return m_call + 1U; }
  [[nodiscard]] std::uint64_t calls() const noexcept { return m_call; }
  [[nodiscard]] Injector& faults() noexcept { return m_faults; }
  [[nodiscard]] Telemetry& telemetry() noexcept { return *m_telemetry; }
  [[nodiscard]] const Telemetry& telemetry() const noexcept { return *m_telemetry; }
  [[nodiscard]] Level level() const noexcept { return m_ladder.level(); }
  [[nodiscard]] ReplicaMask excluded() const noexcept { return m_excluded; }
  [[nodiscard]] double alpha(std::uint32_t replica) const noexcept {
    return m_alpha[replica % kMaxReplicas].value();
  }
  [[nodiscard]] std::uint32_t replicas() const noexcept { return m_cfg.replicas; }
  [[nodiscard]] std::uint32_t spares_left() const noexcept { return m_spare_count; }
  /// True when workers (plus the caller) outnumber the usable cores: the handoff then yields and
  /// blocks instead of spinning (see docs/runtime.md, "Backends").
  [[nodiscard]] bool oversubscribed() const noexcept { return m_oversubscribed; }
  [[nodiscard]] const ExecutorConfig& config() const noexcept { return m_cfg; }

  /// Placement of each worker (index = lane; spares after the N active ones).
  [[nodiscard]] std::span<const WorkerPlacement> placement() const noexcept {
    return {m_telemetry->placement.data(), m_telemetry->workers};
  }

  /// A replica's current state (for tests and diagnostics; only between calls).
  [[nodiscard]] const State& state(std::uint32_t replica) const noexcept {
    const std::int16_t w = m_assign[replica % kMaxReplicas];
    return m_lanes[static_cast<std::size_t>(w < 0 ? 0 : w)]->state;
  }
  /// Sets every replica's state (between calls; lanes still running an abandoned job are skipped).
  void set_state(const State& s) noexcept(std::is_nothrow_copy_assignable_v<State>) {
    for (auto& lane : m_lanes) {
      if (lane->ctl.idle()) lane->state = s;
    }
    if (m_retry) m_retry->state = s;
  }
  /// Rejects outputs (a failed replica) for which `valid(out)` is false. Set-up only.
  void set_output_check(Validator valid) { m_validator = std::move(valid); }

  /// Entry point for memory-error monitors (e.g. an EDAC uncorrectable event): the replicas in
  /// `replicas` get their state resynchronised from a majority replica after the next decided
  /// vote. Thread safety: any thread, lock-free.
  void notify_state_suspect(ReplicaMask replicas = ReplicaMask::all()) noexcept {
    m_suspect.fetch_or(replicas.bits(), std::memory_order_acq_rel);
  }

  /// Back to nominal: alpha-counts zeroed, excluded replicas re-admitted, ladder reset.
  /// Spares already consumed stay consumed. Between calls only.
  void reset_health() noexcept {
    for (std::uint32_t i = 0; i < kMaxReplicas; ++i) {
      m_alpha[i].reset();
      m_telemetry->replica(i).alpha.store(0.0, std::memory_order_relaxed);
      m_telemetry->replica(i).excluded.store(false, std::memory_order_relaxed);
    }
    m_excluded = ReplicaMask{};
    m_ladder.reset();
    m_telemetry->level.store(Level::nominal, std::memory_order_relaxed);
  }

  /// Returns an excluded replica to service (operator repair). False if it was not excluded or
  /// has no worker left.
  [[nodiscard]] bool repair(std::uint32_t replica) noexcept {
    if (!m_excluded.test(replica) || m_assign[replica] < 0) return false;
    m_excluded.reset(replica);
    m_alpha[replica].reset();
    m_needs_resync.set(replica);
    m_telemetry->replica(replica).excluded.store(false, std::memory_order_relaxed);
    note_step(m_ladder.on_repair(), m_call);
    return true;
  }

  /// Releases replicas blocked by an injected hang (their workers then return to the spare pool).
  void release_injected_hangs() noexcept {
    for (auto& lane : m_lanes) {
      lane->ctl.release.store(true, std::memory_order_release);
      lane->ctl.release.notify_all();
    }
  }

 private:
  using LaneT = detail::Lane<Input, Output, State>;

  void validate() const {
    const ExecutorConfig& c = m_cfg;
    if (c.replicas < 1U || c.replicas > 7U) {
      raise("ExecutorConfig: replicas must be 1..7, got " + std::to_string(c.replicas));
    }
    if (c.spares > 7U) raise("ExecutorConfig: spares must be 0..7, got " + std::to_string(c.spares));
    if (c.deadline.count() <= 0) raise("ExecutorConfig: deadline must be positive");
    if (!(c.health.decay >= 0.0 && c.health.decay <= 1.0)) {
      raise("ExecutorConfig: health.decay must be in [0, 1]");
    }
    if (!(c.health.threshold > 0.0)) raise("ExecutorConfig: health.threshold must be positive");
    if (c.health.min_active < 1U || c.health.min_active > c.replicas) {
      raise("ExecutorConfig: health.min_active must be in 1..replicas, got " +
            std::to_string(c.health.min_active));
    }
    if (m_kernels.empty() || (m_kernels.size() != 1U && m_kernels.size() != c.replicas)) {
      raise("executor: need one kernel, or one per replica (" + std::to_string(c.replicas) + "), got " +
            std::to_string(m_kernels.size()));
    }
    for (const Kernel& k : m_kernels) {
      if (!k) raise("executor: empty kernel");
    }
    if (!m_voter) raise("executor: empty voter");
    if (c.event_capacity == 0U) raise("ExecutorConfig: event_capacity must be positive");
    if (c.backend == Backend::tbb && !detail::tbb_available()) {
      raise(
          "ExecutorConfig: Backend::tbb requested, but Lockstep was built without oneTBB "
          "(LOCKSTEP_WITH_TBB=OFF)");
    }
    if (c.join_timeout.count() < 0) raise("ExecutorConfig: join_timeout must not be negative");
    if (c.caller_is_replica0 && c.backend != Backend::inline_ && c.checkpoints == nullptr) {
      raise(
          "ExecutorConfig: caller_is_replica0 runs replica 0 on the calling thread, so a hang of "
          "replica 0 hangs the caller and the deadline bound is lost; set `checkpoints` to a "
          "watchdog-fed sink that supervises the caller, or leave caller_is_replica0 false "
          "(see docs/runtime.md, Deadlines)");
    }
  }

  void start_backend() {
    const std::uint32_t lanes = static_cast<std::uint32_t>(m_lanes.size());
    m_telemetry->workers = lanes;
    if (m_cfg.backend == Backend::inline_) return;
    const std::vector<std::uint32_t> allowed = hw::allowed_cores();
    const std::vector<std::uint32_t>& pool = m_cfg.cores.empty() ? allowed : m_cfg.cores;
    // Threads that run every call: the active workers plus the caller (spares sleep).
    const std::size_t workers = m_cfg.replicas - (m_cfg.caller_is_replica0 ? 1U : 0U);
    // Replicas outnumber cores (with the caller counted): a spinning thread would hold a core
    // another replica needs for a whole scheduler time slice. Spin only when every worker and
    // the caller can have a core of their own; otherwise yield at once, then block.
    m_oversubscribed = allowed.size() < workers + 1U || pool.size() < workers;
    const std::uint32_t spin = m_oversubscribed ? 0U : m_cfg.spin_iterations;
    // An explicit core list is obeyed (shared cores reported). Without one, pinning is skipped
    // when replicas (and the caller) outnumber cores: a worker pinned to a busy core waits for
    // that core's time slice, while unpinned ones let the scheduler use whichever core is free.
    const bool pin = !m_cfg.cores.empty() || !m_oversubscribed;
    const auto core_for = [&](std::uint32_t k) -> std::int32_t {
      return !pool.empty() && pin ? static_cast<std::int32_t>(pool[k % pool.size()]) : -1;
    };
    std::uint32_t served = 0;  // workers that are not the caller's thread
    for (const auto& lane : m_lanes) served += lane->on_caller ? 0U : 1U;
    // Worker k shares its core with another worker: more workers than cores in the pool, or a
    // core listed twice.
    const auto shared = [&](std::uint32_t k) {
      if (k >= pool.size()) return true;
      for (std::uint32_t j = 0; j < served && pin; ++j) {
        if (j != k && core_for(j) == core_for(k)) return true;
      }
      return false;
    };
    if (m_cfg.backend == Backend::tbb) {
      start_tbb(core_for, shared, spin);
      return;
    }
    std::uint32_t k = 0;
    for (std::uint32_t w = 0; w < lanes; ++w) {
      WorkerPlacement& p = m_telemetry->placement[w];
      if (m_lanes[w]->on_caller) continue;  // the caller's own thread: left where the user put it
      p.shared = shared(k);
      p.core = core_for(k);
      ++k;
      m_workers.start(&m_lanes[w]->ctl, p.core, spin, m_cfg.yield_iterations);
      p.status = m_lanes[w]->ctl.placement;
      report_placement(w);
    }
  }

  /// TBB backend: one arena slot (and one lane server) per lane not run by the caller; slot k
  /// is pinned to the k-th core of the pool, like the k-th pinned worker. Which lane lands in
  /// which slot is TBB's choice: the placement report follows the slot each server got.
  template <class CoreFor, class Shared>
  void start_tbb(const CoreFor& core_for, const Shared& shared, std::uint32_t spin) {
    std::vector<std::int32_t> slot_cores;
    for (std::uint32_t w = 0; w < m_lanes.size(); ++w) {
      if (!m_lanes[w]->on_caller)
        slot_cores.push_back(core_for(static_cast<std::uint32_t>(slot_cores.size())));
    }
    if (slot_cores.empty()) return;  // a single replica run by the caller: nothing to serve
    m_tbb = std::make_unique<detail::TbbDispatcher>(std::move(slot_cores));
    for (auto& lane : m_lanes) {
      if (!lane->on_caller) m_tbb->start(&lane->ctl, spin, m_cfg.yield_iterations);
    }
    (void)m_tbb->wait_started(kTbbStartTimeout);
    for (std::uint32_t w = 0; w < m_lanes.size(); ++w) {
      const detail::LaneControl& ctl = m_lanes[w]->ctl;
      if (m_lanes[w]->on_caller) continue;
      WorkerPlacement& p = m_telemetry->placement[w];
      if (!ctl.started.load(std::memory_order_acquire)) {
        // TBB gave this lane no worker in time (e.g. a lower global_control limit elsewhere in
        // the process): the replica is late until a worker picks the server up.
        p.status = hw::PlacementStatus::failed;
        p.shared = true;
      } else {
        const auto slot = static_cast<std::uint32_t>(ctl.arena_slot < 0 ? 0 : ctl.arena_slot);
        p.core = core_for(slot);
        p.shared = shared(slot);
        p.status = ctl.placement;
      }
      report_placement(w);
    }
  }

  void report_placement(std::uint32_t w) noexcept {
    const WorkerPlacement& p = m_telemetry->placement[w];
    if (p.status != hw::PlacementStatus::ok || p.shared) {
      push(EventKind::placement_degraded, 0U, w, static_cast<double>(static_cast<std::uint8_t>(p.status)));
    }
  }

  [[nodiscard]] LaneT& lane_of(std::uint32_t i) noexcept {
    return *m_lanes[static_cast<std::size_t>(m_assign[i])];
  }
  void assign(std::uint32_t replica, std::uint32_t lane) noexcept {
    m_assign[replica] = static_cast<std::int16_t>(lane);
  }

  template <class T>
  [[nodiscard]] static bool all_distinct(const std::array<T, kMaxReplicas>& v, std::uint32_t n) noexcept {
    for (std::uint32_t a = 0; a < n; ++a) {
      for (std::uint32_t b = a + 1U; b < n; ++b) {
        if (v[a] == v[b]) return false;
        if constexpr (std::is_signed_v<T>) {
          if (v[a] < 0 || v[b] < 0) return false;
        }
      }
    }
    return true;
  }

  void wait_for(ReplicaMask pending, std::uint32_t seq, std::int64_t deadline_at) noexcept {
    // Spin (cheap polls, clock read every 32), then yield: never blocks, so the wait ends at
    // most one clock read plus one yield after the deadline.
    std::uint32_t iter = 0;
    while (pending.any()) {
      for (std::uint32_t i = 0; i < m_cfg.replicas; ++i) {
        if (pending.test(i) && lane_of(i).ctl.done.load(std::memory_order_acquire) == seq) pending.reset(i);
      }
      if (pending.none()) break;
      ++iter;
      if ((iter & 31U) == 0U && m_clock->now().count() >= deadline_at) break;
      if (!m_oversubscribed) {
        if (iter < m_cfg.spin_iterations) {
          detail::cpu_relax();
        } else {
          std::this_thread::yield();
        }
      } else if (iter < 4U) {
        std::this_thread::yield();
      } else {
        // Replicas outnumber cores: sleep on the first pending replica's `done` word (futex)
        // so the workers get the CPU; a short real-time slice bounds the overshoot past the
        // deadline (and keeps the wait correct with a simulated clock).
        detail::LaneControl& ctl = lane_of(pending.lowest()).ctl;
        const std::uint32_t seen = ctl.done.load(std::memory_order_acquire);
        if (seen != seq) detail::wait_done(ctl, seen, kWaitSlice);
        iter = (iter | 31U);  // read the clock on the next round
      }
    }
  }

  void snapshot_for_retry() noexcept {
    if constexpr (!std::is_empty_v<State>) {
      for (std::uint32_t i = 0; i < m_cfg.replicas; ++i) {
        if (m_excluded.test(i) || m_assign[i] < 0) continue;
        LaneT& lane = lane_of(i);
        if (!lane.ctl.idle()) continue;
        m_retry->state = lane.state;
        return;
      }
    }
  }

  void replace_hung(std::uint32_t i, std::uint64_t call) noexcept {
    m_telemetry->replica(i).hangs.fetch_add(1U, std::memory_order_relaxed);
    if (m_spare_count == 0U) return;  // keep the busy lane: the replica is late until it returns
    const std::int16_t old = m_assign[i];
    const std::int16_t spare = m_spares[--m_spare_count];
    m_lanes[static_cast<std::size_t>(spare)]->ctl.release.store(false, std::memory_order_relaxed);
    m_assign[i] = spare;
    if (m_quarantine_count < m_quarantine.size()) m_quarantine[m_quarantine_count++] = old;
    m_needs_resync.set(i);
    push(EventKind::hung_replaced, call, i, static_cast<double>(spare));
    note_step(m_ladder.on_spare_activated(), call);
  }

  void recycle_quarantine() noexcept {
    for (std::uint32_t q = 0; q < m_quarantine_count;) {
      const std::int16_t w = m_quarantine[q];
      if (m_lanes[static_cast<std::size_t>(w)]->ctl.idle()) {
        m_spares[m_spare_count++] = w;
        m_quarantine[q] = m_quarantine[--m_quarantine_count];
      } else {
        ++q;
      }
    }
  }

  void exclude(std::uint32_t i, std::uint64_t call) noexcept {
    const bool spare = m_spare_count > 0U;
    const LadderStep step = m_ladder.on_permanent(spare);
    if (step.spare_taken) {
      const std::int16_t w = m_spares[--m_spare_count];
      m_lanes[static_cast<std::size_t>(w)]->ctl.release.store(false, std::memory_order_relaxed);
      m_assign[i] = w;  // the old lane is retired for good (its core/worker is suspect)
      m_alpha[i].reset();
      m_telemetry->replica(i).alpha.store(0.0, std::memory_order_relaxed);
      m_needs_resync.set(i);
      push(EventKind::spare_activated, call, i, static_cast<double>(w));
    } else if (step.from != Level::safe_state) {
      m_excluded.set(i);
      m_telemetry->replica(i).excluded.store(true, std::memory_order_relaxed);
      push(EventKind::excluded, call, i, m_alpha[i].value());
    }
    note_step(step, call);
  }

  void note_step(const LadderStep& step, std::uint64_t call) noexcept {
    m_telemetry->level.store(m_ladder.level(), std::memory_order_relaxed);
    if (step.changed()) push(EventKind::level_changed, call, 0xFFU, static_cast<double>(step.from));
  }

  void reintegrate(CallResult<Output>& r, ReplicaMask agreeing, ReplicaMask targets,
                   std::uint32_t source_limit) noexcept {
    if (m_cfg.reintegration == Reintegration::off) return;
    if constexpr (std::is_empty_v<State>) {
      m_needs_resync = ReplicaMask{};
      (void)r;
      (void)agreeing;
      (void)targets;
      (void)source_limit;
    } else {
      const std::uint32_t n = m_cfg.replicas;
      // Source: the lowest on-time replica of the deciding group (index n = the tie-break run).
      const std::uint32_t src = (agreeing - targets).lowest();
      if (src >= source_limit) return;
      const State& from = src == n ? m_retry->state : lane_of(src).state;
      for (std::uint32_t i = 0; i < n; ++i) {
        if (!targets.test(i) || m_excluded.test(i) || m_assign[i] < 0 || i == src) continue;
        LaneT& lane = lane_of(i);
        if (!lane.ctl.idle()) continue;  // still running an abandoned job: resync later
        lane.state = from;
        r.resynced.set(i);
        m_needs_resync.reset(i);
        m_telemetry->replica(i).resyncs.fetch_add(1U, std::memory_order_relaxed);
        push(EventKind::resynced, r.call, i, static_cast<double>(src));
      }
    }
  }

  void safe_state(SafeStateReason why) noexcept {
    if (!m_cfg.on_safe_state) return;
    try {
      m_cfg.on_safe_state(why);
    } catch (...) {  // a throwing handler must not turn into an exception in the control loop
    }
  }

  void push(EventKind kind, std::uint64_t call, std::uint32_t replica, double magnitude) noexcept {
    Event e{};
    e.call = call;
    e.time_ns = m_clock->now().count();
    e.magnitude = magnitude;
    e.kind = kind;
    e.replica = static_cast<std::uint8_t>(replica > 0xFFU ? 0xFFU : replica);
    e.level = m_ladder.level();
    m_telemetry->push(e);
  }

  void finish_call(CallResult<Output>& r, std::int64_t start, std::int64_t sim_end = 0) noexcept {
    r.level = m_ladder.level();
    const std::int64_t end = std::max(m_clock->now().count(), sim_end);
    r.elapsed = std::chrono::nanoseconds{end - start};
    if (m_cfg.checkpoints != nullptr) m_cfg.checkpoints->checkpoint(m_cfg.call_checkpoint);
  }

  ExecutorConfig m_cfg;
  EngineMode m_mode;
  std::vector<Kernel> m_kernels;
  Voter m_voter;
  Validator m_validator{};
  Injector m_faults;
  HealthLadder m_ladder;
  std::unique_ptr<Telemetry> m_telemetry;
  hw::SteadyClock m_own_clock{};
  hw::Clock* m_clock{nullptr};
  std::vector<std::unique_ptr<LaneT>> m_lanes;
  std::unique_ptr<LaneT> m_retry;
  std::vector<Output> m_outputs;
  std::array<AlphaCount, kMaxReplicas> m_alpha{};
  std::array<std::int16_t, kMaxReplicas> m_assign{};
  std::array<std::int16_t, kMaxReplicas> m_spares{};
  std::uint32_t m_spare_count{0};
  std::array<std::int16_t, kMaxReplicas> m_quarantine{};
  std::uint32_t m_quarantine_count{0};
  ReplicaMask m_excluded{};
  ReplicaMask m_needs_resync{};
  std::atomic<ReplicaMask::Bits> m_suspect{0};
  std::uint64_t m_call{0};
  std::unique_ptr<detail::TbbDispatcher> m_tbb;
  bool m_oversubscribed{false};
  static constexpr std::chrono::nanoseconds kWaitSlice{std::chrono::microseconds{200}};
  /// How long construction waits for TBB to give every lane server a worker.
  static constexpr std::chrono::milliseconds kTbbStartTimeout{2000};
  // Declared last: destroyed first, so workers stop before the lanes they use go away.
  detail::WorkerSet m_workers;
};

}  // namespace lockstep
