#pragma once
// Temporal redundancy: k sequential executions on the caller's core, voted.

#include <lockstep/runtime/replicated_executor.hpp>

namespace lockstep {

/// k executions (k = `cfg.replicas`, typically 3) one after another on the caller's thread,
/// each with its own input and state copy, voted. For single-core boards and as a cheap first
/// line against transients; it cannot mask a permanent fault of the core itself.
/// Executions that would start after the deadline are skipped and reported late.
///
///   lockstep::ExecutorConfig cfg{.replicas = 3, .deadline = std::chrono::microseconds{500}};
///   lockstep::TemporalExecutor<double, double> t3{cfg, law, lockstep::voters::majority};
///   auto r = t3.run(x);
///
/// `cfg.backend` is ignored (always the caller); `cfg.clock` may be a hw::SimClock for tests.
/// Thread safety: as NModularExecutor. On failure: as NModularExecutor.
template <class Input, class Output, class State = NoState>
class TemporalExecutor : public ReplicatedExecutor<Input, Output, State> {
  using Base = ReplicatedExecutor<Input, Output, State>;

 public:
  template <class F, class V>
  TemporalExecutor(const ExecutorConfig& cfg, F&& kernel, V&& voter, const State& initial = State{})
      : Base(on_caller(cfg), {Base::make_kernel(std::forward<F>(kernel))},
             typename Base::Voter(std::forward<V>(voter)), EngineMode{false, true}, initial) {}

 private:
  static ExecutorConfig on_caller(ExecutorConfig cfg) {
    cfg.backend = Backend::inline_;
    cfg.spares = 0;
    return cfg;
  }
};

}  // namespace lockstep
