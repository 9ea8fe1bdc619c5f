// lockstep-bench-runtime: round trip of one redundant call (fan-out, run, vote, return) on each
// backend, against the baselines a user would write instead (three std::async per call,
// tbb::parallel_invoke). Argument: kernel length in microseconds (0 = no-op, 100 = ~100 us of
// arithmetic, calibrated at start-up). Counters: p50_us, p99_us (per-call round trip) and
// distinct_pct (calls whose replicas ran on distinct threads *and* cores).
//
//   lockstep-bench-runtime --benchmark_repetitions=5 --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>
#include <sched.h>
#include <time.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <thread>
#include <vector>

#include <lockstep/runtime.hpp>
#include <lockstep/voters/majority.hpp>

#if LOCKSTEP_BENCH_WITH_TBB
#include <oneapi/tbb/parallel_invoke.h>
#endif

namespace {

using Clock = std::chrono::steady_clock;

std::uint64_t g_iters_per_us = 0;

/// ~`us` microseconds of dependent arithmetic (not a clock wait: a replica that is preempted
/// really takes longer, which is what a control kernel does).
std::uint64_t spin_kernel(std::uint64_t x, std::int64_t us) noexcept {
  const std::uint64_t n = g_iters_per_us * static_cast<std::uint64_t>(us);
  for (std::uint64_t i = 0; i < n; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    benchmark::DoNotOptimize(x);
  }
  return x;
}

std::int64_t thread_cpu_ns() noexcept {
  timespec ts{};
  (void)clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

/// Calibrated on this thread's CPU time, not wall time: a loaded machine must not shrink the kernel.
void calibrate() {
  g_iters_per_us = 1000;
  for (int round = 0; round < 3; ++round) {
    const std::int64_t t0 = thread_cpu_ns();
    (void)spin_kernel(1, 2000);
    const auto ns = static_cast<std::uint64_t>(std::max<std::int64_t>(1, thread_cpu_ns() - t0));
    g_iters_per_us = std::max<std::uint64_t>(1, g_iters_per_us * 2000000ULL / ns);
  }
}

struct Where {
  std::int32_t cpu{-1};
  std::thread::id thread{};
};
Where here() noexcept { return Where{sched_getcpu(), std::this_thread::get_id()}; }
bool distinct3(const std::array<Where, 3>& w) noexcept {
  for (std::size_t a = 0; a < 3; ++a) {
    for (std::size_t b = a + 1; b < 3; ++b) {
      if (w[a].cpu == w[b].cpu || w[a].thread == w[b].thread) return false;
    }
  }
  return true;
}

/// Collects per-call round trips and reports the counters.
class Samples {
 public:
  Samples() { m_ns.reserve(1U << 20U); }
  void add(std::int64_t ns, bool distinct) {
    m_ns.push_back(ns);
    m_distinct += distinct ? 1U : 0U;
  }
  void report(benchmark::State& state) {
    if (m_ns.empty()) return;
    std::sort(m_ns.begin(), m_ns.end());
    const auto at = [this](double q) {
      return static_cast<double>(m_ns[static_cast<std::size_t>(q * static_cast<double>(m_ns.size() - 1U))]) /
             1000.0;
    };
    state.counters["p50_us"] = at(0.50);
    state.counters["p99_us"] = at(0.99);
    state.counters["distinct_pct"] =
        100.0 * static_cast<double>(m_distinct) / static_cast<double>(m_ns.size());
  }

 private:
  std::vector<std::int64_t> m_ns;
  std::uint64_t m_distinct{0};
};

std::int64_t ns_since(Clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count();
}

void BM_Simplex(benchmark::State& state) {
  const std::int64_t us = state.range(0);
  Samples s;
  std::uint64_t x = 1;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    x = spin_kernel(x, us);
    benchmark::DoNotOptimize(x);
    s.add(ns_since(t0), false);
  }
  s.report(state);
}

/// Stands in for the watchdog feed that `caller_is_replica0` requires (a real loop kicks a
/// hardware watchdog here); costs one virtual call per call, like a real sink.
class NullSink final : public lockstep::hw::CheckpointSink {
 public:
  void checkpoint(lockstep::hw::CheckpointId /*id*/) noexcept override {}
};
NullSink g_sink;

lockstep::ExecutorConfig tmr_cfg(lockstep::Backend b, bool caller0) {
  lockstep::ExecutorConfig cfg{};
  cfg.checkpoints = &g_sink;
  cfg.replicas = 3;
  cfg.backend = b;
  cfg.caller_is_replica0 = caller0;
  cfg.deadline = std::chrono::milliseconds{50};  // generous: this machine is oversubscribed
  return cfg;
}

void run_executor(benchmark::State& state, lockstep::Backend b, bool caller0) {
  const std::int64_t us = state.range(0);
  lockstep::NModularExecutor<std::uint64_t, std::uint64_t> tmr{
      tmr_cfg(b, caller0), [us](const std::uint64_t& x) { return spin_kernel(x, us); },
      lockstep::voters::majority};
  Samples s;
  std::uint64_t x = 1;
  std::uint64_t undecided = 0;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    const auto r = tmr.run(x);
    const std::int64_t ns = ns_since(t0);
    if (r.decided()) {
      x = *r.vote.value;
    } else {
      ++undecided;
    }
    s.add(ns, r.spatially_distinct);
  }
  s.report(state);
  state.counters["undecided"] = static_cast<double>(undecided);
}

void BM_Tmr_Pinned(benchmark::State& state) { run_executor(state, lockstep::Backend::pinned, true); }
void BM_Tmr_PinnedAllWorkers(benchmark::State& state) {
  run_executor(state, lockstep::Backend::pinned, false);
}
void BM_Tmr_Inline(benchmark::State& state) { run_executor(state, lockstep::Backend::inline_, false); }
#if LOCKSTEP_BENCH_WITH_TBB
void BM_Tmr_Tbb(benchmark::State& state) { run_executor(state, lockstep::Backend::tbb, false); }
#endif

/// One call per 1 ms with idle gaps, as in a 1 kHz control loop: sleeping workers must wake fast.
void BM_Tmr_Pinned_Paced1kHz(benchmark::State& state) {
  const std::int64_t us = state.range(0);
  lockstep::NModularExecutor<std::uint64_t, std::uint64_t> tmr{
      tmr_cfg(lockstep::Backend::pinned, true), [us](const std::uint64_t& x) { return spin_kernel(x, us); },
      lockstep::voters::majority};
  Samples s;
  std::uint64_t x = 1;
  auto next = Clock::now();
  for (auto _ : state) {
    next += std::chrono::milliseconds{1};
    std::this_thread::sleep_until(next);
    const auto t0 = Clock::now();
    const auto r = tmr.run(x);
    const std::int64_t ns = ns_since(t0);
    state.SetIterationTime(static_cast<double>(ns) * 1e-9);
    if (r.decided()) x = *r.vote.value;
    s.add(ns, r.spatially_distinct);
  }
  s.report(state);
}

std::uint64_t vote3(const std::array<std::uint64_t, 3>& outs) {
  const auto v = lockstep::voters::majority(std::span<const std::uint64_t>(outs));
  return v.decided() ? *v.value : 0U;
}

void BM_Tmr_StdAsync(benchmark::State& state) {
  const std::int64_t us = state.range(0);
  Samples s;
  std::uint64_t x = 1;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    std::array<Where, 3> where{};
    std::array<std::future<std::uint64_t>, 3> f;
    for (std::size_t i = 0; i < 3; ++i) {
      f[i] = std::async(std::launch::async, [&where, i, x, us] {
        where[i] = here();
        return spin_kernel(x, us);
      });
    }
    std::array<std::uint64_t, 3> outs{f[0].get(), f[1].get(), f[2].get()};
    x = vote3(outs);
    s.add(ns_since(t0), distinct3(where));
  }
  s.report(state);
}

#if LOCKSTEP_BENCH_WITH_TBB
void BM_Tmr_TbbParallelInvoke(benchmark::State& state) {
  const std::int64_t us = state.range(0);
  Samples s;
  std::uint64_t x = 1;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    std::array<Where, 3> where{};
    std::array<std::uint64_t, 3> outs{};
    tbb::parallel_invoke(
        [&] {
          where[0] = here();
          outs[0] = spin_kernel(x, us);
        },
        [&] {
          where[1] = here();
          outs[1] = spin_kernel(x, us);
        },
        [&] {
          where[2] = here();
          outs[2] = spin_kernel(x, us);
        });
    x = vote3(outs);
    s.add(ns_since(t0), distinct3(where));
  }
  s.report(state);
}
#endif

}  // namespace

BENCHMARK(BM_Simplex)->Arg(0)->Arg(100)->UseRealTime();
BENCHMARK(BM_Tmr_Pinned)->Arg(0)->Arg(100)->UseRealTime();
BENCHMARK(BM_Tmr_PinnedAllWorkers)->Arg(0)->Arg(100)->UseRealTime();
#if LOCKSTEP_BENCH_WITH_TBB
BENCHMARK(BM_Tmr_Tbb)->Arg(0)->Arg(100)->UseRealTime();
#endif
BENCHMARK(BM_Tmr_Inline)->Arg(0)->Arg(100)->UseRealTime();
BENCHMARK(BM_Tmr_StdAsync)->Arg(0)->Arg(100)->UseRealTime();
#if LOCKSTEP_BENCH_WITH_TBB
BENCHMARK(BM_Tmr_TbbParallelInvoke)->Arg(0)->Arg(100)->UseRealTime();
#endif
BENCHMARK(BM_Tmr_Pinned_Paced1kHz)->Arg(0)->Arg(100)->UseManualTime()->Iterations(1000);

int main(int argc, char** argv) {
  calibrate();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::AddCustomContext("kernel_iters_per_us", std::to_string(g_iters_per_us));
  benchmark::AddCustomContext("hardware_concurrency", std::to_string(std::thread::hardware_concurrency()));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
