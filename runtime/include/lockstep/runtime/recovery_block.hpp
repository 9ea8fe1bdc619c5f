#pragma once
// Recovery blocks (Randell 1975): primary, acceptance test, alternates, with the state
// checkpointed before the block and rolled back before each alternate.

#include <lockstep/runtime/replicated_executor.hpp>

namespace lockstep {

/// Runs the primary on the caller; if its result fails the acceptance test (or it throws, or
/// the deadline passes), the state is rolled back to the checkpoint taken before the block and
/// the next alternate runs. The first accepted result is delivered; if none is accepted the
/// call has no decision and the safe-state handler runs.
/// In the CallResult, replica k is alternate k (0 = primary): `failed` = rejected or threw,
/// `late` = skipped or finished after the deadline; `recovered` = an alternate was used;
/// `resynced` has bit k when the state was rolled back after alternate k.
///
///   lockstep::RecoveryBlock<double, double, Integrator> rb{cfg,
///       lockstep::RecoveryBlock<double, double, Integrator>::alternates(fast_law, simple_law),
///       [](const double& in, const double& out) { return std::abs(out) < 10.0; }};
///   auto r = rb.run(x);
///
/// Uses `cfg.deadline`, `cfg.clock`, `cfg.on_safe_state`, `cfg.checkpoints`,
/// `cfg.event_capacity`; `cfg.replicas` is ignored (one per alternate).
/// Thread safety: `run` from one thread at a time. On failure: the constructor throws
/// lockstep::Error (no alternates, > 7 alternates, empty acceptance test); `run` never throws.
template <class Input, class Output, class State = NoState>
class RecoveryBlock {
 public:
  using Kernel = std::function<Output(const Input&, State&)>;
  using Acceptance = std::function<bool(const Input&, const Output&)>;
  using Injector = FaultInjector<Input, Output, State>;

  template <class... F>
  [[nodiscard]] static std::vector<Kernel> alternates(F&&... f) {
    std::vector<Kernel> v;
    v.reserve(sizeof...(F));
    (v.push_back(ReplicatedExecutor<Input, Output, State>::make_kernel(std::forward<F>(f))), ...);
    return v;
  }

  RecoveryBlock(const ExecutorConfig& cfg, std::vector<Kernel> alternates, Acceptance accept,
                const State& initial = State{})
      : m_cfg(cfg),
        m_alternates(std::move(alternates)),
        m_accept(std::move(accept)),
        m_faults(count_checked(m_alternates.size())),
        m_telemetry(std::make_unique<Telemetry>(static_cast<std::uint32_t>(m_alternates.size()),
                                                cfg.event_capacity)) {
    if (!m_accept) raise("RecoveryBlock: empty acceptance test");
    for (const Kernel& k : m_alternates) {
      if (!k) raise("RecoveryBlock: empty alternate");
    }
    if (cfg.deadline.count() <= 0) raise("ExecutorConfig: deadline must be positive");
    m_clock = cfg.clock != nullptr ? cfg.clock : &m_own_clock;
    m_lane.state = initial;
    m_lane.clock = m_clock;
    m_lane.simulate_hang = true;
    m_lane.on_caller = true;
  }

  [[nodiscard]] CallResult<Output> run(const Input& input) noexcept {
    CallResult<Output> r{};
    r.call = ++m_call;
    const std::int64_t start = m_clock->now().count();
    const std::int64_t deadline_at = start + m_cfg.deadline.count();
    m_telemetry->calls.fetch_add(1U, std::memory_order_relaxed);
    m_checkpoint = m_lane.state;  // checkpoint before the block
    std::int64_t offset = 0;
    const auto m = static_cast<std::uint32_t>(m_alternates.size());
    for (std::uint32_t k = 0; k < m; ++k) {
      if (m_clock->now().count() + offset >= deadline_at) {
        for (std::uint32_t j = k; j < m; ++j) r.late.set(j);
        break;
      }
      m_lane.input = input;
      m_lane.kernel = &m_alternates[k];
      m_lane.faults = m_faults.armed() ? m_faults.select(k, r.call) : typename Injector::Active{};
      m_lane.execute();
      ++r.executions;
      m_lane.finish_ns += offset;
      offset = m_lane.finish_ns - m_clock->now().count();
      ReplicaCounters& c = m_telemetry->replica(k);
      c.calls.fetch_add(1U, std::memory_order_relaxed);
      bool accepted = false;
      if (m_lane.status == detail::ReplicaStatus::ok && m_lane.finish_ns <= deadline_at) {
        try {
          accepted = m_accept(input, m_lane.output);
        } catch (...) { accepted = false; }
        if (!accepted) {
          r.failed.set(k);
          c.failed.fetch_add(1U, std::memory_order_relaxed);
          push(EventKind::failed, r.call, k);
        }
      } else if (m_lane.status == detail::ReplicaStatus::ok || m_lane.status == detail::ReplicaStatus::hung) {
        r.late.set(k);
        if (m_lane.status == detail::ReplicaStatus::hung) r.hung.set(k);
        c.late.fetch_add(1U, std::memory_order_relaxed);
        push(EventKind::late, r.call, k);
      } else {
        r.failed.set(k);
        c.failed.fetch_add(1U, std::memory_order_relaxed);
        push(EventKind::failed, r.call, k);
      }
      if (accepted) {
        r.vote.value = m_lane.output;
        r.vote.outcome = k == 0U ? Outcome::unanimous : Outcome::masked;
        r.vote.agreeing = 1;
        r.recovered = k != 0U;
        break;
      }
      m_lane.state = m_checkpoint;  // roll back before the next alternate
      r.resynced.set(k);
      c.resyncs.fetch_add(1U, std::memory_order_relaxed);
      push(EventKind::resynced, r.call, k);
    }
    r.vote.dissent = r.failed | r.late;
    if (!r.vote.decided()) {
      r.status = CallStatus::no_decision;
      m_telemetry->no_decisions.fetch_add(1U, std::memory_order_relaxed);
      push(EventKind::no_decision, r.call, 0xFFU);
      if (m_cfg.on_safe_state) {
        try {
          m_cfg.on_safe_state(SafeStateReason::no_majority);
        } catch (...) {  // never let the handler throw into the control loop
        }
      }
    } else if (r.recovered) {
      r.status = CallStatus::recovered;
      m_telemetry->recoveries.fetch_add(1U, std::memory_order_relaxed);
      push(EventKind::recovered, r.call, 0xFFU);
    } else {
      r.status = CallStatus::ok;
    }
    r.elapsed = std::chrono::nanoseconds{std::max(m_clock->now().count() + offset, start) - start};
    if (m_cfg.checkpoints != nullptr) m_cfg.checkpoints->checkpoint(m_cfg.call_checkpoint);
    return r;
  }

  [[nodiscard]] std::uint64_t next_call() const noexcept { return m_call + 1U; }
  [[nodiscard]] Injector& faults() noexcept { return m_faults; }
  [[nodiscard]] Telemetry& telemetry() noexcept { return *m_telemetry; }
  [[nodiscard]] const State& state() const noexcept { return m_lane.state; }
  void set_state(const State& s) { m_lane.state = s; }

 private:
  static std::uint32_t count_checked(std::size_t n) {
    if (n < 1U || n > 7U)
      raise("RecoveryBlock: need 1..7 alternates (primary first), got " + std::to_string(n));
    return static_cast<std::uint32_t>(n);
  }
  void push(EventKind kind, std::uint64_t call, std::uint32_t k) noexcept {
    Event e{};
    e.call = call;
    e.time_ns = m_clock->now().count();
    e.kind = kind;
    e.replica = static_cast<std::uint8_t>(k > 0xFFU ? 0xFFU : k);
    m_telemetry->push(e);
  }

  ExecutorConfig m_cfg;
  std::vector<Kernel> m_alternates;
  Acceptance m_accept;
  Injector m_faults;
  std::unique_ptr<Telemetry> m_telemetry;
  hw::SteadyClock m_own_clock{};
  hw::Clock* m_clock{nullptr};
  detail::Lane<Input, Output, State> m_lane{};
  State m_checkpoint{};
  std::uint64_t m_call{0};
};

}  // namespace lockstep
