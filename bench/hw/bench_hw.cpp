// lockstep-bench-hw. The rows: BM_Memcpy/1048576 (baseline), BM_SecdedEncode/1048576
// and BM_SecdedCheck/1048576 — 1 Mi 64-bit words (8 MiB), clean path, bytes_per_second over
// the data bytes only. Also: decode of one word, Protected<T> load, a checkpoint, a scrub pass.
#include <lockstep/hw/protected.hpp>
#include <lockstep/hw/secded.hpp>
#include <lockstep/hw/supervision.hpp>

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

namespace {
using namespace lockstep::hw;  // NOLINT(google-build-using-namespace)

std::vector<std::uint64_t> random_words(std::size_t n) {
  std::mt19937_64 rng(1234U);
  std::vector<std::uint64_t> v(n);
  for (auto& w : v) w = rng();
  return v;
}

void BM_Memcpy(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const std::vector<std::uint64_t> src = random_words(n);
  std::vector<std::uint64_t> dst(n);
  for (auto _ : state) {
    std::memcpy(dst.data(), src.data(), n * sizeof(std::uint64_t));
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0) * 8);
}
BENCHMARK(BM_Memcpy)->Arg(1 << 20);

void BM_SecdedEncode(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const std::vector<std::uint64_t> data = random_words(n);
  std::vector<std::uint8_t> check(n);
  for (auto _ : state) {
    Secded::encode_block(data, check);
    benchmark::DoNotOptimize(check.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0) * 8);
}
BENCHMARK(BM_SecdedEncode)->Arg(1 << 20);

void BM_SecdedCheck(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const std::vector<std::uint64_t> data = random_words(n);
  std::vector<std::uint8_t> check(n);
  Secded::encode_block(data, check);
  for (auto _ : state) {
    const EccBlockCheck r = Secded::check_block(data, check);
    benchmark::DoNotOptimize(r);
    if (r.clean != n) state.SkipWithError("not clean");
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0) * 8);
}
BENCHMARK(BM_SecdedCheck)->Arg(1 << 20);

void BM_SecdedDecodeOneWord(benchmark::State& state) {
  std::uint64_t x = 0x0123456789ABCDEFU;
  const std::uint8_t c = Secded::encode(x);
  for (auto _ : state) {
    benchmark::DoNotOptimize(x);
    const EccDecode d = Secded::decode(x, c);
    benchmark::DoNotOptimize(d);
  }
}
BENCHMARK(BM_SecdedDecodeOneWord);

struct State64 {
  double a[8];
};

void BM_ProtectedLoad64B(benchmark::State& state) {
  Protected<State64> p{State64{{1, 2, 3, 4, 5, 6, 7, 8}}};
  for (auto _ : state) {
    const Read<State64> r = p.load();
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_ProtectedLoad64B);

void BM_TriplicatedLoad64B(benchmark::State& state) {
  Triplicated<State64> p{State64{{1, 2, 3, 4, 5, 6, 7, 8}}};
  for (auto _ : state) {
    const Read<State64> r = p.load();
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_TriplicatedLoad64B);

void BM_ScrubProtectedArray(benchmark::State& state) {
  static ProtectedArray<std::uint64_t, 4096> arr;  // 32 KiB of protected state
  for (auto _ : state) {
    const ScrubReport r = arr.scrub();
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * 4096 * 8);
}
BENCHMARK(BM_ScrubProtectedArray);

void BM_Checkpoint(benchmark::State& state) {
  // A deadline-supervised call: start and end checkpoint, as an executor reports per call.
  SteadyClock clock;
  SupervisorConfig c;
  EntityConfig e;
  e.name = "replica";
  e.checkpoints = 2;
  e.deadlines.push_back(DeadlineSupervision{CheckpointId{0}, CheckpointId{1}, std::chrono::nanoseconds{0},
                                            std::chrono::seconds{1}});
  c.entities.push_back(e);
  WatchdogManager m{clock, c, [](const ExpiryReport&) {}};
  SupervisedEntity& s = m.entity(0);
  for (auto _ : state) {
    s.checkpoint(CheckpointId{0});
    s.checkpoint(CheckpointId{1});
  }
}
BENCHMARK(BM_Checkpoint);

}  // namespace

BENCHMARK_MAIN();
