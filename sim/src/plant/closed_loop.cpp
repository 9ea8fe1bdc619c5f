// Closed-loop runs: plant + controller under a runtime executor + fault stream (closed_loop.hpp).

#include "lockstep/sim/plant/closed_loop.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <lockstep/core/error.hpp>
#include <lockstep/hw/clock.hpp>
#include <lockstep/runtime/duplex_retry.hpp>
#include <lockstep/runtime/n_modular_executor.hpp>
#include <lockstep/runtime/n_version_executor.hpp>
#include <lockstep/sim/results_store.hpp>
#include <lockstep/sim/statistics.hpp>
#include <lockstep/voters/inexact.hpp>
#include <lockstep/voters/majority.hpp>

#include "../reliability/random.hpp"
#include "controllers.hpp"

namespace lockstep::sim::plant {
namespace {

using detail::ControllerState;
using detail::Law;

[[nodiscard]] std::unique_ptr<Law> make_law(const Plant& p) {
  switch (p.kind()) {
    case PlantKind::pendulum:
      return std::make_unique<detail::PendulumLqgLaw>(dynamic_cast<const CartPole&>(p));
    case PlantKind::motor:
      return std::make_unique<detail::MotorPidLaw>(dynamic_cast<const DcMotor&>(p));
    case PlantKind::attitude:
      return std::make_unique<detail::AttitudeLqrLaw>(dynamic_cast<const RigidBodyAttitude&>(p));
  }
  raise("closed loop: unknown plant");
}

/// Simplex "vote": the single replica's output passes through unchecked (what a simplex is).
Vote<Input> pass_through(std::span<const Input> outs, VoteOptions opts) noexcept {
  Vote<Input> v{};
  if (!outs.empty() && opts.present.test(0)) {
    v.value = outs[0];
    v.outcome = Outcome::unanimous;
    v.agreeing = 1;
  } else {
    v.outcome = Outcome::no_majority;
  }
  return v;
}

/// Exact (replicated version) or within the versions' absolute tolerance (N-version).
[[nodiscard]] bool same_command(const Input& a, const Input& b, std::size_t n, bool exact,
                                double tol) noexcept {
  for (std::size_t i = 0; i < n; ++i) {
    if (exact) {
      if (std::bit_cast<std::uint64_t>(a[i]) != std::bit_cast<std::uint64_t>(b[i])) return false;
    } else if (!(std::fabs(a[i] - b[i]) <= tol)) {
      return false;
    }
  }
  return true;
}

/// The noise stream is separate from the fault stream, so noise never shifts the fault draws.
constexpr std::uint64_t kNoiseStream = 0x6e6f697365ULL;  // "noise"

[[nodiscard]] double noise_scale(const LoopSpec& spec) noexcept {
  if (spec.sensor_noise >= 0.0) return spec.sensor_noise;
  return spec.plant == PlantKind::pendulum ? 1.0 : 0.0;
}

[[nodiscard]] std::uint32_t lanes_of(LoopExecutor e) noexcept {
  // dmr-retry: two replicas + the tie-break execution (index 2); tmr and nversion: three.
  return e == LoopExecutor::simplex ? 1U : 3U;
}

[[nodiscard]] Fault make_fault(LoopFault f, std::uint32_t bit, std::chrono::nanoseconds deadline) noexcept {
  const auto byte = bit / 8U;
  const std::uint64_t mask = std::uint64_t{1} << (bit % 8U);
  switch (f) {
    case LoopFault::bitflip_output:
      return Fault::flip_output(byte, mask);
    case LoopFault::bitflip_input:
      return Fault::flip_input(byte, mask);
    case LoopFault::bitflip_state:
      return Fault::flip_state(byte, mask);
    case LoopFault::exception:
      return Fault::throws();
    case LoopFault::delay:
      return Fault::late(2 * deadline);
    case LoopFault::stuck_at:
      return Fault::flip_output(byte, mask);  // not used: armed as arm_output
  }
  return Fault::throws();
}

[[nodiscard]] std::uint32_t fault_bits(LoopFault f, const Plant& p, const Law& law) noexcept {
  switch (f) {
    case LoopFault::bitflip_output:
    case LoopFault::stuck_at:
      return static_cast<std::uint32_t>(64U * p.input_size());
    case LoopFault::bitflip_input:
      return static_cast<std::uint32_t>(64U * law.measurement_size());
    case LoopFault::bitflip_state:
      return static_cast<std::uint32_t>(64U * std::max<std::size_t>(law.state_words(), 1U));
    case LoopFault::exception:
    case LoopFault::delay:
      return 1U;
  }
  return 1U;
}

template <class Exec>
LoopResult drive(Exec& exec, const LoopSpec& spec, const Plant& plant, const Law& law, hw::SimClock& clock,
                 std::chrono::nanoseconds deadline) {
  LoopResult res;
  const double period = plant.control_period();
  const auto periods = static_cast<std::int64_t>(std::llround(spec.duration / period));
  const std::uint32_t lanes = lanes_of(spec.executor);
  const std::uint32_t bits = fault_bits(spec.fault, plant, law);
  const bool exact = spec.executor != LoopExecutor::nversion;
  const double tol = law.version_tolerance().epsilon();
  const double noise = noise_scale(spec);
  const std::size_t nu = plant.input_size();
  const auto substeps = static_cast<std::int64_t>(std::ceil(period / plant.integration_step() - 1e-9));
  const double h = period / static_cast<double>(substeps);

  std::vector<ScriptedFault> scripted = spec.scripted;
  std::sort(scripted.begin(), scripted.end(),
            [](const ScriptedFault& a, const ScriptedFault& b) { return a.time < b.time; });
  std::size_t next_scripted = 0;

  sim::detail::Xoshiro256 rng(spec.seed);
  sim::detail::Xoshiro256 noise_rng(sim::detail::trial_seed(spec.seed, kNoiseStream));
  // Stuck-at faults: per replica, the bit held at 1 and the last call it lasts for.
  std::array<std::uint32_t, 3> stuck_bit{};
  std::array<std::uint64_t, 3> stuck_until{};
  const auto arm = [&](std::uint32_t r, std::uint32_t bit, std::uint64_t call) {
    if (spec.fault == LoopFault::stuck_at) {
      stuck_bit[r] = bit;
      stuck_until[r] = call + spec.stuck_calls - 1U;
    } else {
      exec.faults().arm(r, make_fault(spec.fault, bit, deadline), call);
    }
  };
  State x = plant.initial_state();
  ControllerState golden_state = law.initial_state();
  Input held{};
  Input applied_prev{};
  double wall_ns = 0.0;
  if (spec.record_trace) res.trace.reserve(static_cast<std::size_t>(periods));

  for (std::int64_t k = 0; k < periods; ++k) {
    const double t = static_cast<double>(k) * period;
    clock.set(std::chrono::nanoseconds{static_cast<std::int64_t>(std::llround(t * 1e9))});
    exec.faults().clear();
    const std::uint64_t call = exec.next_call();
    std::uint32_t injected = 0;
    // Three draws per call whatever the executor: every executor sees the same fault stream.
    for (std::uint32_t r = 0; r < 3U; ++r) {
      const bool hit = rng.uniform() < spec.fault_rate;
      const auto bit = static_cast<std::uint32_t>(rng.next() % bits);
      if (hit && r < lanes) {
        arm(r, bit, call);
        ++injected;
      }
    }
    while (next_scripted < scripted.size() && scripted[next_scripted].time <= t + 1e-12) {
      const ScriptedFault& s = scripted[next_scripted++];
      if (s.replica < lanes) {
        const auto bit = s.bit >= 0 ? static_cast<std::uint32_t>(s.bit) % bits
                                    : static_cast<std::uint32_t>(rng.next() % bits);
        arm(s.replica, bit, call);
        ++injected;
      }
    }
    bool stuck_active = false;
    for (std::uint32_t r = 0; r < lanes; ++r) {
      if (stuck_until[r] >= call && stuck_until[r] != 0U) {
        const std::uint32_t bit = stuck_bit[r];
        exec.faults().arm_output(
            r,
            [bit](Input& out) {
              std::uint64_t word = 0;
              std::memcpy(&word, &out[bit / 64U], sizeof word);
              word |= std::uint64_t{1} << (bit % 64U);
              std::memcpy(&out[bit / 64U], &word, sizeof word);
            },
            call);
        stuck_active = true;
      }
    }

    // Sense: one normal draw per state word and call whatever the noise level (a fixed stream).
    State draws{};
    for (double& d : draws) d = noise * noise_rng.normal();
    const State z = law.measure(x, draws, applied_prev);
    // The fault-free reference: version 0 on a private, never-faulted controller state.
    const Input golden = law.compute(z, golden_state, 0);
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = exec.run(z);
    wall_ns += static_cast<double>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count());

    LoopCounts& c = res.counts;
    ++c.calls;
    c.executions += r.executions;
    // A fault armed on dmr-retry's tie-break counts only when the tie-break ran.
    if (spec.executor == LoopExecutor::dmr_retry && r.executions < 3U && injected > 0U) {
      std::uint32_t armed_on_retry = 0;
      const auto active = exec.faults().select(2, call);
      armed_on_retry = active.count;
      injected -= std::min(injected, armed_on_retry);
    }
    c.faults_injected += injected;
    if (injected > 0U || stuck_active) {
      ++c.faulty_calls;
      res.fault_times.push_back(t);
    }
    if (r.late.any()) ++c.deadline_misses;
    bool sdc = false;
    Input u = held;
    if (!r.decided()) {
      ++c.detected;
      res.safe_time += period;
    } else {
      u = *r.vote.value;
      sdc = !same_command(u, golden, nu, exact, tol);
      if (sdc) {
        ++c.sdc;
      } else if (r.recovered) {
        ++c.recovered;
      } else if (r.vote.dissent.any() || r.late.any() || r.failed.any()) {
        ++c.masked;
      }
      held = u;
    }
    const Input applied = plant.saturate(u);
    applied_prev = applied;
    if (spec.record_trace) {
      const std::uint32_t marks = injected + (stuck_active && injected == 0U ? 1U : 0U);
      res.trace.push_back(TracePoint{t, x, applied,
                                     static_cast<std::uint8_t>(std::min<std::uint32_t>(marks, 255U)),
                                     static_cast<std::uint8_t>(r.status), sdc});
    }
    for (std::int64_t s = 0; s < substeps; ++s) {
      rk4_step(plant, x, applied, h);
      const double e = plant.tracking_error(x);
      res.ise += e * e * h;
      if (!plant.in_envelope(x)) {
        res.envelope_held = false;
        res.violation_time = t + static_cast<double>(s + 1) * h;
        break;
      }
    }
    if (!res.envelope_held) break;
  }
  if (spec.record_trace && res.envelope_held) {
    res.trace.push_back(TracePoint{static_cast<double>(periods) * period, x, held, 0, 0, false});
  } else if (spec.record_trace) {
    res.trace.push_back(TracePoint{res.violation_time, x, held, 0, 0, false});
  }
  res.counts.excluded = exec.excluded().count();
  res.wall_ns_per_call = res.counts.calls > 0U ? wall_ns / static_cast<double>(res.counts.calls) : 0.0;
  return res;
}

}  // namespace

LoopCounts& LoopCounts::operator+=(const LoopCounts& o) noexcept {
  calls += o.calls;
  faults_injected += o.faults_injected;
  faulty_calls += o.faulty_calls;
  masked += o.masked;
  recovered += o.recovered;
  detected += o.detected;
  sdc += o.sdc;
  deadline_misses += o.deadline_misses;
  executions += o.executions;
  excluded += o.excluded;
  return *this;
}

std::string_view to_string(LoopExecutor e) noexcept {
  switch (e) {
    case LoopExecutor::simplex:
      return "simplex";
    case LoopExecutor::dmr_retry:
      return "dmr-retry";
    case LoopExecutor::tmr:
      return "tmr";
    case LoopExecutor::nversion:
      return "nversion";
  }
  return "?";
}

std::string_view to_string(LoopFault f) noexcept {
  switch (f) {
    case LoopFault::bitflip_output:
      return "bitflip-output";
    case LoopFault::bitflip_input:
      return "bitflip-input";
    case LoopFault::bitflip_state:
      return "bitflip-state";
    case LoopFault::exception:
      return "exception";
    case LoopFault::delay:
      return "delay";
    case LoopFault::stuck_at:
      return "stuck-at";
  }
  return "?";
}

LoopExecutor parse_loop_executor(std::string_view name) {
  for (auto e : {LoopExecutor::simplex, LoopExecutor::dmr_retry, LoopExecutor::tmr, LoopExecutor::nversion})
    if (to_string(e) == name) return e;
  raise("unknown --executor '" + std::string(name) +
        "' for a plant (valid: simplex, dmr-retry, tmr, nversion)");
}

LoopFault parse_loop_fault(std::string_view name) {
  for (auto f : {LoopFault::bitflip_output, LoopFault::bitflip_input, LoopFault::bitflip_state,
                 LoopFault::exception, LoopFault::delay, LoopFault::stuck_at})
    if (to_string(f) == name) return f;
  raise("unknown --fault '" + std::string(name) +
        "' for a plant (valid: bitflip-output, bitflip-input, bitflip-state, exception, delay, stuck-at)");
}

void validate(const LoopSpec& spec) {
  if (!(spec.fault_rate >= 0.0 && spec.fault_rate <= 1.0)) raise("plant: --fault-rate must be in [0, 1]");
  if (!(spec.duration > 0.0) || !std::isfinite(spec.duration) || spec.duration > 1e5)
    raise("plant: --duration must be > 0 and at most 1e5 seconds");
  if (spec.fault == LoopFault::bitflip_state && spec.plant == PlantKind::attitude)
    raise(
        "plant: --fault bitflip-state needs a stateful controller (the pendulum's estimator or the motor's "
        "PID; "
        "the attitude LQR has no state)");
  if (!(spec.sensor_noise <= 100.0) || (spec.sensor_noise < 0.0 && spec.sensor_noise != -1.0))
    raise("plant: --sensor-noise must be in [0, 100] (a multiple of the nominal sensor noise)");
  if (spec.stuck_calls == 0U) raise("plant: --stuck-calls must be >= 1");
  for (const auto& s : spec.scripted) {
    if (!(s.time >= 0.0) || !std::isfinite(s.time)) raise("plant: a scripted fault time must be >= 0");
    if (s.replica >= 3U) raise("plant: a scripted fault replica must be 0, 1 or 2");
  }
}

LoopResult run_loop(const LoopSpec& spec) {
  validate(spec);
  const std::unique_ptr<Plant> plant = make_plant(spec.plant);
  const std::unique_ptr<Law> law = make_law(*plant);
  hw::SimClock clock;
  const auto deadline = std::chrono::nanoseconds{static_cast<std::int64_t>(plant->control_period() * 0.5e9)};
  ExecutorConfig cfg{};
  cfg.backend = Backend::inline_;
  cfg.clock = &clock;
  cfg.deadline = deadline;
  cfg.event_capacity = 64;
  const Law* l = law.get();
  const ControllerState init = law->initial_state();
  auto version = [l](std::uint32_t v) {
    return [l, v](const State& x, ControllerState& s) -> Input { return l->compute(x, s, v); };
  };
  switch (spec.executor) {
    case LoopExecutor::simplex: {
      cfg.replicas = 1;
      cfg.health.min_active = 1;
      NModularExecutor<State, Input, ControllerState> exec{cfg, version(0), &pass_through, init};
      return drive(exec, spec, *plant, *law, clock, deadline);
    }
    case LoopExecutor::dmr_retry: {
      DuplexRetry<State, Input, ControllerState> exec{cfg, version(0), voters::majority, init};
      return drive(exec, spec, *plant, *law, clock, deadline);
    }
    case LoopExecutor::tmr: {
      cfg.replicas = 3;
      NModularExecutor<State, Input, ControllerState> exec{cfg, version(0), voters::majority, init};
      return drive(exec, spec, *plant, *law, clock, deadline);
    }
    case LoopExecutor::nversion: {
      cfg.replicas = 3;
      using NV = NVersionExecutor<State, Input, ControllerState>;
      NV exec{cfg, NV::versions(version(0), version(1), version(2)),
              voters::inexact_majority.with(law->version_tolerance()), init};
      return drive(exec, spec, *plant, *law, clock, deadline);
    }
  }
  raise("closed loop: unknown executor");
}

namespace {

struct RunSummary {
  bool held = true;
  double ise = 0.0;
  double safe_time = 0.0;
  double wall_ns_per_call = 0.0;
  LoopCounts counts{};
};

nlohmann::json to_json(const RunSummary& s) {
  const auto& c = s.counts;
  return {{"calls", c.calls},
          {"faults", c.faults_injected},
          {"faulty_calls", c.faulty_calls},
          {"masked", c.masked},
          {"recovered", c.recovered},
          {"detected", c.detected},
          {"sdc", c.sdc},
          {"deadline_misses", c.deadline_misses},
          {"executions", c.executions},
          {"excluded", c.excluded},
          {"safe_time", s.safe_time},
          {"wall_ns_per_call", s.wall_ns_per_call}};
}

RunSummary from_sample(const Sample& smp) {
  RunSummary s;
  s.held = smp.outcome == "held";
  s.ise = smp.value;
  const auto j = nlohmann::json::parse(smp.data);
  auto& c = s.counts;
  c.calls = j.at("calls").get<std::uint64_t>();
  c.faults_injected = j.at("faults").get<std::uint64_t>();
  c.faulty_calls = j.at("faulty_calls").get<std::uint64_t>();
  c.masked = j.at("masked").get<std::uint64_t>();
  c.recovered = j.at("recovered").get<std::uint64_t>();
  c.detected = j.at("detected").get<std::uint64_t>();
  c.sdc = j.at("sdc").get<std::uint64_t>();
  c.deadline_misses = j.at("deadline_misses").get<std::uint64_t>();
  c.executions = j.at("executions").get<std::uint64_t>();
  c.excluded = j.at("excluded").get<std::uint64_t>();
  s.safe_time = j.at("safe_time").get<double>();
  s.wall_ns_per_call = j.at("wall_ns_per_call").get<double>();
  return s;
}

std::string number(double v) {
  std::ostringstream os;
  os << std::setprecision(17) << v;
  return os.str();
}

}  // namespace

MonteCarloResult run_monte_carlo(const LoopSpec& spec, std::uint64_t runs, const MonteCarloOptions& options) {
  validate(spec);
  if (runs == 0U) raise("plant: --runs must be > 0");
  if (options.shard_count == 0U || options.shard_index < 1U || options.shard_index > options.shard_count)
    raise("plant: --shard I/N needs 1 <= I <= N");
  if (!spec.scripted.empty()) raise("plant: scripted faults are for single runs (--runs 1)");
  const std::uint64_t first = runs * (options.shard_index - 1U) / options.shard_count;
  const std::uint64_t last = runs * options.shard_index / options.shard_count;

  std::unique_ptr<ResultsStore> store;
  std::set<std::uint64_t> done;
  if (!options.db_path.empty()) {
    const StoreParams params{
        {"kind", "plant"},
        {"plant", std::string(to_string(spec.plant))},
        {"executor", std::string(to_string(spec.executor))},
        {"fault", std::string(to_string(spec.fault))},
        {"fault_rate", number(spec.fault_rate)},
        {"duration", number(spec.duration)},
        {"sensor_noise", number(noise_scale(spec))},
        {"stuck_calls", std::to_string(spec.stuck_calls)},
        {"runs", std::to_string(runs)},
        {"seed", std::to_string(spec.seed)},
        {"shard", std::to_string(options.shard_index) + "/" + std::to_string(options.shard_count)}};
    store = std::make_unique<ResultsStore>(ResultsStore::open_for_writing(options.db_path, params));
    for (const auto k : store->stored_sample_keys("plant")) done.insert(k);
  }
  std::vector<std::uint64_t> todo;
  for (std::uint64_t i = first; i < last; ++i)
    if (done.count(i) == 0U) todo.push_back(i);

  MonteCarloResult mc;
  mc.resumed = (last - first) - todo.size();
  std::vector<RunSummary> results(todo.size());
  const unsigned hw = std::thread::hardware_concurrency();
  const std::uint32_t threads = options.threads != 0U ? options.threads : (hw == 0U ? 1U : hw);
  constexpr std::size_t kBatch = 64;  // one store transaction per batch: a kill loses at most one batch
  const auto wall_start = std::chrono::steady_clock::now();
  for (std::size_t b0 = 0; b0 < todo.size(); b0 += kBatch) {
    const std::size_t b1 = std::min(todo.size(), b0 + kBatch);
    std::atomic<std::size_t> next{b0};
    auto worker = [&]() {
      for (;;) {
        const std::size_t i = next.fetch_add(1U, std::memory_order_relaxed);
        if (i >= b1) return;
        LoopSpec one = spec;
        one.record_trace = false;
        one.seed = sim::detail::trial_seed(spec.seed, todo[i]);
        const LoopResult r = run_loop(one);
        results[i] = RunSummary{r.envelope_held, r.ise, r.safe_time, r.wall_ns_per_call, r.counts};
      }
    };
    {
      std::vector<std::jthread> pool;
      const std::size_t n = std::min<std::size_t>(threads, b1 - b0);
      for (std::size_t t = 1; t < n; ++t) pool.emplace_back(worker);
      worker();
    }
    if (store) {
      std::vector<Sample> samples;
      for (std::size_t i = b0; i < b1; ++i) {
        samples.push_back(Sample{"plant", todo[i], sim::detail::trial_seed(spec.seed, todo[i]),
                                 results[i].held ? "held" : "violated", results[i].ise,
                                 to_json(results[i]).dump()});
      }
      store->append_samples(samples);
    }
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();

  std::vector<RunSummary> all;
  if (store) {
    store->record_run(RunRecord{
        "", threads, std::to_string(options.shard_index) + "/" + std::to_string(options.shard_count),
        todo.size(), wall, wall > 0.0 ? static_cast<double>(todo.size()) / wall : 0.0});
    for (const auto& smp : store->read_samples("plant"))
      if (smp.key >= first && smp.key < last) all.push_back(from_sample(smp));
  } else {
    all = std::move(results);
  }
  double wall_sum = 0.0;
  for (const auto& s : all) {
    ++mc.runs;
    if (!s.held) ++mc.violations;
    mc.mean_ise += s.ise;
    mc.mean_safe_time += s.safe_time;
    wall_sum += s.wall_ns_per_call;
    mc.counts += s.counts;
  }
  if (mc.runs > 0U) {
    const double n = static_cast<double>(mc.runs);
    mc.mean_ise /= n;
    mc.mean_safe_time /= n;
    mc.wall_ns_per_call = wall_sum / n;
    mc.p_violation = static_cast<double>(mc.violations) / n;
    const Interval ci = wilson_interval(mc.violations, mc.runs, normal_quantile_two_sided(0.95));
    mc.ci_lo = ci.lo;
    mc.ci_hi = ci.hi;
  }
  return mc;
}

void write_trace_csv(const std::string& path, const LoopSpec& spec, const LoopResult& result) {
  std::ofstream out(path);
  if (!out) raise("plant: cannot write --trace file '" + path + "'");
  const std::unique_ptr<Plant> plant = make_plant(spec.plant);
  const std::size_t ns = plant->state_size();
  const std::size_t nu = plant->input_size();
  out << "time";
  for (std::size_t i = 0; i < ns; ++i) out << ",x" << i;
  for (std::size_t i = 0; i < nu; ++i) out << ",u" << i;
  out << ",faults,status,sdc,tracking_error\n";
  out << std::setprecision(10);
  for (const auto& p : result.trace) {
    out << p.time;
    for (std::size_t i = 0; i < ns; ++i) out << ',' << p.x[i];
    for (std::size_t i = 0; i < nu; ++i) out << ',' << p.u[i];
    out << ',' << static_cast<unsigned>(p.faults) << ',' << static_cast<unsigned>(p.status) << ','
        << (p.sdc ? 1 : 0) << ',' << plant->tracking_error(p.x) << '\n';
  }
  if (!out) raise("plant: write error on --trace file '" + path + "'");
}

}  // namespace lockstep::sim::plant
