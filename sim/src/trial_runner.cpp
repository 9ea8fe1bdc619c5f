// Trial runners: one campaign kernel (crc32, solve6) under one runtime executor, on the inline
// deterministic backend with a simulated clock. Faults go in only through the executor's
// FaultInjector hooks; the kernels themselves are never changed.
#include "trial_runner.hpp"

#include <cmath>
#include <limits>
#include <memory>
#include <span>
#include <variant>
#include <vector>

#include <Eigen/Dense>

#include <lockstep/core/error.hpp>
#include <lockstep/hw/clock.hpp>
#include <lockstep/kernels/linear_solve.hpp>
#include <lockstep/runtime/duplex_retry.hpp>
#include <lockstep/runtime/n_modular_executor.hpp>
#include <lockstep/runtime/n_version_executor.hpp>
#include <lockstep/runtime/temporal_executor.hpp>
#include <lockstep/sim/catalog.hpp>
#include <lockstep/sim/crc_kernel.hpp>
#include <lockstep/sim/fault.hpp>
#include <lockstep/sim/seed.hpp>
#include <lockstep/voters/majority.hpp>

namespace lockstep::sim::detail {
namespace {

// Simulated deadline of every call, and how late a `delay` fault makes a replica (twice the
// deadline: clearly late, never ambiguous).
constexpr std::chrono::nanoseconds kDeadline = std::chrono::microseconds{1000};
constexpr std::chrono::nanoseconds kDelay = 2 * kDeadline;

// ---- crc32: bit exact --------------------------------------------------------------------
struct CrcKernel {
  using Input = CrcInput;
  using Output = std::uint32_t;
  using State = CrcState;
  static Input random_input(TrialRng& rng) noexcept {
    Input in;
    for (std::size_t i = 0; i < in.message.size(); i += 8) {
      const std::uint64_t r = rng.next();
      for (std::size_t k = 0; k < 8; ++k) in.message[i + k] = static_cast<std::uint8_t>(r >> (8U * k));
    }
    return in;
  }
  static State random_state(TrialRng& rng) noexcept { return State{static_cast<std::uint32_t>(rng.next())}; }
  static std::span<std::byte> output_bytes(Output& o) noexcept {
    return std::as_writable_bytes(std::span{&o, 1});
  }
  static void corrupt_input(Input& in, const Corruption& c) noexcept {
    c.apply(std::as_writable_bytes(std::span{in.message}));
  }
  static void corrupt_state(State& s, const Corruption& c) noexcept {
    c.apply(std::as_writable_bytes(std::span{&s.crc, 1}));
  }
  static bool correct(const Output& golden, const Output& got) noexcept { return golden == got; }
  static Output v1(const Input& in, State& s) noexcept { return crc_update_table(s, in); }
  static Output v2(const Input& in, State& s) noexcept { return crc_update_bitwise(s, in); }
  static Output v3(const Input& in, State& s) noexcept { return crc_update_nibble(s, in); }
  static Vote<Output> vote(std::span<const Output> outs, VoteOptions opts) noexcept {
    // voters:: need N >= 2; a simplex "vote" delivers its one replica's output when present.
    if (outs.size() == 1U) {
      Vote<Output> v;
      if (opts.present.test(0)) {
        v.value = outs[0];
        v.outcome = Outcome::unanimous;
        v.agreeing = 1;
      }
      return v;
    }
    return voters::majority(outs, opts);
  }
};

// ---- solve6: floating, correct within the kernel's documented tolerance -------------------
struct SolveKernel {
  static constexpr int kN = 6;
  using Input = kernels::LinearSolveInput<kN>;
  using Output = Eigen::Matrix<double, kN, 1>;
  using State = NoState;
  static Input random_input(TrialRng& rng) noexcept {
    // Strictly diagonally dominant: well conditioned, so every version's golden result is `ok`.
    Input in;
    for (int i = 0; i < kN; ++i) {
      for (int j = 0; j < kN; ++j) in.a(i, j) = 2.0 * rng.uniform() - 1.0;
      in.a(i, i) += static_cast<double>(kN) + 1.0;
      in.b(i) = 20.0 * rng.uniform() - 10.0;
    }
    return in;
  }
  static State random_state(TrialRng& /*rng*/) noexcept { return State{}; }
  static std::span<std::byte> output_bytes(Output& o) noexcept {
    return std::as_writable_bytes(std::span<double>{o.data(), static_cast<std::size_t>(kN)});
  }
  static void corrupt_input(Input& in, const Corruption& c) noexcept {
    constexpr std::ptrdiff_t kA = std::ptrdiff_t{kN} * kN;  // elements of the matrix
    std::array<double, kN * kN + kN> flat{};
    std::copy(in.a.data(), in.a.data() + kA, flat.begin());
    std::copy(in.b.data(), in.b.data() + kN, flat.begin() + kA);
    c.apply(std::as_writable_bytes(std::span{flat}));
    std::copy(flat.begin(), flat.begin() + kA, in.a.data());
    std::copy(flat.begin() + kA, flat.end(), in.b.data());
  }
  static void corrupt_state(State& /*s*/, const Corruption& /*c*/) noexcept {}
  static bool correct(const Output& golden, const Output& got) noexcept {
    return kernels::agree_normwise(golden, got, kernels::linear_solve_tolerance<kN>());
  }
  static Output unpack(const kernels::LinearSolveOutput<kN>& o) noexcept {
    // A non-ok solve delivers no usable x: NaN makes that replica dissent in the vote.
    return o.status == kernels::Status::ok ? o.x : Output::Constant(std::numeric_limits<double>::quiet_NaN());
  }
  static Output v1(const Input& in, State& /*s*/) noexcept { return unpack(kernels::solve_lu<kN>(in)); }
  static Output v2(const Input& in, State& /*s*/) noexcept { return unpack(kernels::solve_qr<kN>(in)); }
  static Output v3(const Input& in, State& /*s*/) noexcept { return unpack(kernels::solve_gauss<kN>(in)); }
  /// Majority under the kernel's own agreement test (normwise, docs/kernels.md): the largest
  /// group of present replicas agreeing with one centre decides when it is a strict majority of
  /// the configured replicas (ties between different groups decide nothing).
  static Vote<Output> vote(std::span<const Output> outs, VoteOptions opts) noexcept {
    const auto n = static_cast<std::uint32_t>(outs.size());
    const ReplicaMask present = opts.present & ReplicaMask::first(n);
    Vote<Output> v;
    ReplicaMask best{};
    std::uint32_t centre = kMaxReplicas;
    bool tie = false;
    for (std::uint32_t i = 0; i < n; ++i) {
      if (!present.test(i) || !outs[i].allFinite()) continue;
      ReplicaMask group{};
      for (std::uint32_t j = 0; j < n; ++j) {
        if (present.test(j) && correct(outs[i], outs[j])) group.set(j);
      }
      if (group.count() > best.count()) {
        best = group;
        centre = i;
        tie = false;
      } else if (group.count() == best.count() && group != best) {
        tie = true;
      }
    }
    const std::uint32_t quorum = opts.quorum == Quorum::of_configured ? n : present.count();
    if (centre == kMaxReplicas || tie || 2U * best.count() <= quorum) {
      v.outcome = Outcome::no_majority;
      v.dissent = present;
      return v;
    }
    v.value = outs[centre];
    v.dissent = present - best;
    v.agreeing = static_cast<std::uint8_t>(best.count());
    v.outcome = v.dissent.none() && present == ReplicaMask::first(n) ? Outcome::unanimous : Outcome::masked;
    return v;
  }
};

template <class K>
class ExecutorTrialRunner final : public TrialRunner {
  using In = typename K::Input;
  using Out = typename K::Output;
  using St = typename K::State;
  using Engine = ReplicatedExecutor<In, Out, St>;

 public:
  explicit ExecutorTrialRunner(const CampaignSpec& spec)
      : m_seed(spec.seed),
        m_model(*parse_fault_model(spec.fault)),
        m_faults_per_trial(spec.faults_per_trial) {
    const KernelInfo& k = *find_kernel(spec.kernel);
    const ExecutorInfo& e = *find_executor(spec.executor);
    m_space = FaultSpace{e.replicas, k.input_bits, k.output_bits, k.state_bits};
    ExecutorConfig cfg;
    cfg.backend = Backend::inline_;
    cfg.clock = &m_clock;
    cfg.deadline = kDeadline;
    cfg.event_capacity = 64;
    cfg.health.min_active = 1;
    auto voter = [](std::span<const Out> outs, VoteOptions opts) { return K::vote(outs, opts); };
    const std::string& name = spec.executor;
    if (name == "nversion") {
      cfg.replicas = 3;
      auto p = std::make_unique<NVersionExecutor<In, Out, St>>(
          cfg, NVersionExecutor<In, Out, St>::versions(&K::v1, &K::v2, &K::v3), voter);
      m_engine = p.get();
      m_owner = std::move(p);
    } else if (name == "temporal3") {
      cfg.replicas = 3;
      auto p = std::make_unique<TemporalExecutor<In, Out, St>>(cfg, &K::v1, voter);
      m_engine = p.get();
      m_owner = std::move(p);
    } else if (name == "dmr-retry") {
      cfg.replicas = 2;
      auto p = std::make_unique<DuplexRetry<In, Out, St>>(cfg, &K::v1, voter);
      m_engine = p.get();
      m_owner = std::move(p);
    } else {
      cfg.replicas = name == "simplex" ? 1U : name == "dmr" ? 2U : name == "tmr" ? 3U : 5U;
      auto p = std::make_unique<NModularExecutor<In, Out, St>>(cfg, &K::v1, voter);
      m_engine = p.get();
      m_owner = std::move(p);
    }
  }

  TrialRow run(std::uint64_t trial) override {
    TrialRow row;
    row.trial = trial;
    row.seed = trial_seed(m_seed, trial);
    TrialRng rng{row.seed};
    const In input = K::random_input(rng);
    const St state = K::random_state(rng);
    m_plan = plan_fault(m_model, m_faults_per_trial, m_space, rng);
    row.fault = m_model;
    row.replicas = m_plan.replicas;
    row.bit = m_plan.first_bit();

    Engine& ex = *m_engine;
    ex.faults().clear();
    ex.reset_health();
    ex.set_state(state);
    const CallResult<Out> golden = ex.run(input);

    ex.reset_health();
    ex.set_state(state);
    arm(ex.next_call());
    const CallResult<Out> faulty = ex.run(input);
    ex.faults().clear();

    CallObservation obs;
    obs.decided = faulty.decided();
    obs.delivered_correct =
        obs.decided && golden.decided() && K::correct(*golden.vote.value, *faulty.vote.value);
    obs.recovered = faulty.recovered;
    obs.any_replica_changed =
        !obs.decided || faulty.recovered || (faulty.late | faulty.failed | faulty.vote.dissent).any();
    obs.signalled = !obs.decided || faulty.status != CallStatus::ok;
    obs.timed_out = (!obs.decided && faulty.late.any()) || faulty.elapsed > kDeadline;
    row.outcome = classify(obs);
    row.sim_ns = faulty.elapsed.count();
    return row;
  }

 private:
  void arm(std::uint64_t call) {
    auto& inj = m_engine->faults();
    for (std::uint32_t r = 0; r < m_space.replicas; ++r) {
      if (!m_plan.replicas.test(r)) continue;
      const Corruption* c = &m_plan.per_replica[r];
      switch (c->kind) {
        case CorruptionKind::raise:
          inj.arm(r, Fault::throws(), call);
          break;
        case CorruptionKind::hang:
          inj.arm(r, Fault::hang(), call);
          break;
        case CorruptionKind::delay:
          inj.arm(r, Fault::late(kDelay), call);
          break;
        case CorruptionKind::none:
          break;
        case CorruptionKind::flip:
        case CorruptionKind::stuck_at_0:
        case CorruptionKind::stuck_at_1:
        case CorruptionKind::randomize:
          // The lambdas capture one pointer: std::function keeps them in place, no allocation.
          if (c->target == FaultTarget::input) {
            inj.arm_input(
                r, [c](In& in) { K::corrupt_input(in, *c); }, call);
          } else if (c->target == FaultTarget::state) {
            inj.arm_state(
                r, [c](St& s) { K::corrupt_state(s, *c); }, call);
          } else {
            inj.arm_output(
                r, [c](Out& o) { c->apply(K::output_bytes(o)); }, call);
          }
          break;
      }
    }
  }

  std::uint64_t m_seed;
  FaultModel m_model;
  std::uint32_t m_faults_per_trial;
  FaultSpace m_space{};
  FaultPlan m_plan{};
  hw::SimClock m_clock;
  Engine* m_engine{nullptr};
  std::variant<std::unique_ptr<NModularExecutor<In, Out, St>>, std::unique_ptr<NVersionExecutor<In, Out, St>>,
               std::unique_ptr<TemporalExecutor<In, Out, St>>, std::unique_ptr<DuplexRetry<In, Out, St>>>
      m_owner;
};

}  // namespace

std::unique_ptr<TrialRunner> make_trial_runner(const CampaignSpec& spec) {
  if (spec.kernel == "crc32") return std::make_unique<ExecutorTrialRunner<CrcKernel>>(spec);
  if (spec.kernel == "solve6") return std::make_unique<ExecutorTrialRunner<SolveKernel>>(spec);
  raise("unknown kernel '" + spec.kernel + "'");
}

}  // namespace lockstep::sim::detail
