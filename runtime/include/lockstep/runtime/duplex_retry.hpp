#pragma once
// Duplex with retry: two replicas; on a mismatch a third execution breaks the tie.

#include <lockstep/runtime/replicated_executor.hpp>

namespace lockstep {

/// Two replicas (on the configured backend). When they disagree, or one is late or failed, a
/// third execution runs on the caller (from the pre-call state of a replica, with its own input
/// copy) and the three are voted 2-of-3: the fault is detected *and* recovered
/// (`CallResult::recovered`, status `recovered`). If the tie-break cannot decide either, the
/// call has no decision and the safe-state handler runs. In masks, bit 2 is the tie-break run;
/// faults for it are armed on replica index 2.
///
///   lockstep::DuplexRetry<double, double> dr{cfg, law, lockstep::voters::majority};
///   auto r = dr.run(x);   // r.recovered after a successful tie-break
///
/// `cfg.replicas` is ignored (always 2). Cost: with a non-empty State, one state copy per call
/// (the tie-break needs the pre-call state).
/// Thread safety: as NModularExecutor. On failure: as NModularExecutor.
template <class Input, class Output, class State = NoState>
class DuplexRetry : public ReplicatedExecutor<Input, Output, State> {
  using Base = ReplicatedExecutor<Input, Output, State>;

 public:
  template <class F, class V>
  DuplexRetry(const ExecutorConfig& cfg, F&& kernel, V&& voter, const State& initial = State{})
      : Base(duplex(cfg), {Base::make_kernel(std::forward<F>(kernel))},
             typename Base::Voter(std::forward<V>(voter)), EngineMode{true, false}, initial) {}

 private:
  static ExecutorConfig duplex(ExecutorConfig cfg) {
    cfg.replicas = 2;
    cfg.health.min_active = std::min<std::uint32_t>(cfg.health.min_active, 2U);
    return cfg;
  }
};

}  // namespace lockstep
