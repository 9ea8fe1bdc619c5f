#pragma once
// N-modular redundancy: the same computation on N replicas, voted.

#include <lockstep/runtime/replicated_executor.hpp>

namespace lockstep {

/// The same computation on N replicas (N = 2..7; TMR is 3, DMR is 2 and only detects; N = 1
/// is accepted as the unprotected simplex reference). Each replica has its own copy of the input
/// and of the state, runs on its own persistent worker pinned to its own core (pinned backend),
/// a oneTBB task (tbb backend) or in sequence on the caller (inline backend), and the outputs
/// present by the deadline are voted with any voter `(std::span<const Output>, VoteOptions)
/// -> Vote<Output>`.
///
/// Usage:
///   lockstep::ExecutorConfig cfg{.replicas = 3, .cores = {1, 2, 3},
///                                .deadline = std::chrono::microseconds{200}};
///   lockstep::NModularExecutor<Input, Output> tmr{cfg, control_law, lockstep::voters::majority};
///   lockstep::CallResult<Output> r = tmr.run(input);   // r.vote, r.late, r.failed
///   if (!r.vote.decided()) enter_safe_state();
///   // stateful kernel: Output law(const Input&, State&), initial state as 4th argument
///
/// Thread safety: `run` from one control thread at a time; telemetry readers and
/// `notify_state_suspect` from any thread.
/// On failure: the constructor throws lockstep::Error on a bad configuration or when worker
/// threads cannot be started; pinning failures are reported (placement(), telemetry), not thrown.
/// `run` is noexcept: faulty replicas show up in the CallResult and the telemetry.
template <class Input, class Output, class State = NoState>
class NModularExecutor : public ReplicatedExecutor<Input, Output, State> {
  using Base = ReplicatedExecutor<Input, Output, State>;

 public:
  template <class F, class V>
  NModularExecutor(const ExecutorConfig& cfg, F&& kernel, V&& voter, const State& initial = State{})
      : Base(cfg, {Base::make_kernel(std::forward<F>(kernel))}, typename Base::Voter(std::forward<V>(voter)),
             EngineMode{}, initial) {}
};

}  // namespace lockstep
