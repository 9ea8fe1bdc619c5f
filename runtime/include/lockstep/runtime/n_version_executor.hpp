#pragma once
// N-version programming: N different implementations of one specification, voted.

#include <lockstep/runtime/replicated_executor.hpp>

namespace lockstep {

/// N independently written implementations of one spec (replica i runs version i), voted with
/// any voter, typically the tolerance voter with the kernel's documented tolerance:
///
///   auto versions = lockstep::NVersionExecutor<In, double>::versions(lu_solve, qr_solve, cholesky_solve);
///   lockstep::NVersionExecutor<In, double> nv{cfg, std::move(versions),
///       lockstep::voters::inexact_majority.with(lockstep::Tolerance::absolute(1e-9))};
///
/// Everything else (backends, deadlines, spares, health, telemetry, fault hooks) is as in
/// NModularExecutor. A hot spare replacing replica i runs version i.
/// Thread safety: as NModularExecutor. On failure: the constructor throws lockstep::Error if the
/// number of versions differs from `cfg.replicas` or is outside 2..7; `run` never throws.
template <class Input, class Output, class State = NoState>
class NVersionExecutor : public ReplicatedExecutor<Input, Output, State> {
  using Base = ReplicatedExecutor<Input, Output, State>;

 public:
  using Kernel = typename Base::Kernel;

  /// Packs callables (`Output(const Input&)` or `Output(const Input&, State&)`) as versions.
  template <class... F>
  [[nodiscard]] static std::vector<Kernel> versions(F&&... f) {
    std::vector<Kernel> v;
    v.reserve(sizeof...(F));
    (v.push_back(Base::make_kernel(std::forward<F>(f))), ...);
    return v;
  }

  template <class V>
  NVersionExecutor(const ExecutorConfig& cfg, std::vector<Kernel> versions, V&& voter,
                   const State& initial = State{})
      : Base(cfg, checked(cfg, std::move(versions)), typename Base::Voter(std::forward<V>(voter)),
             EngineMode{}, initial) {}

 private:
  static std::vector<Kernel> checked(const ExecutorConfig& cfg, std::vector<Kernel> v) {
    const std::size_t n = v.size();
    if (n < 2U || n != cfg.replicas) {
      raise("NVersionExecutor: need one version per replica (cfg.replicas = " + std::to_string(cfg.replicas) +
            ", versions = " + std::to_string(n) + "), at least 2");
    }
    return v;
  }
};

}  // namespace lockstep
