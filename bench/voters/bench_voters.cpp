// lockstep-bench-voters: what a vote costs.
//
//   BM_Memcpy/1048576          copy 3 x 1 Mi doubles (24 MiB) to three other arrays: the baseline
//   BM_VoteExact3/1048576      3-way exact element-wise vote of the same arrays into one output
//   BM_VoteTolerance3/1048576  the same with an absolute tolerance
//   BM_VoteExact3Faulty, BM_VoteTolerance3Faulty: the same votes with replica 1 wrong at every
//                              element (every block fails the screen: the exact vote takes the
//                              precise kernel, the tolerance vote its middle tier; the worst case)
//   BM_Vote3Double, BM_Vote3Struct64, ...: one vote of a single value (the per-call overhead)
//
// Every array row reports bytes_per_second over the 24 MiB of input, so the rows compare
// directly: a vote reads its inputs once and writes a third as much as memcpy writes.
#include <lockstep/voters.hpp>

#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace {

namespace voters = lockstep::voters;

struct Arrays {
  std::array<std::vector<double>, 3> in;
  std::array<std::vector<double>, 3> copies;
  std::vector<double> out;
  explicit Arrays(std::size_t n) : out(n) {
    for (std::size_t r = 0; r < 3; ++r) {
      in[r].resize(n);
      copies[r].resize(n);
      for (std::size_t k = 0; k < n; ++k) {
        in[r][k] = static_cast<double>(k) * 0.25 + (r == 2 ? 1e-12 : 0.0);
      }
    }
  }
  [[nodiscard]] std::array<std::span<const double>, 3> spans() const { return {in[0], in[1], in[2]}; }
};

void set_bytes(benchmark::State& state, std::size_t n) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(3 * n * sizeof(double)));
}

void BM_Memcpy(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  Arrays a{n};
  for (auto _ : state) {
    for (std::size_t r = 0; r < 3; ++r) {
      std::memcpy(a.copies[r].data(), a.in[r].data(), n * sizeof(double));
    }
    benchmark::ClobberMemory();
  }
  set_bytes(state, n);
}

/// How the replicas of an array row differ.
enum class Fault { one_element, tolerance_only, replica1_everywhere };

/// One array row: the same buffers every iteration (inputs and output written once before the
/// timed loop, so every page is already faulted in), bytes counted over the 24 MiB of input.
template <class Voter>
void vote_arrays(benchmark::State& state, Fault fault, Voter voter) {
  const auto n = static_cast<std::size_t>(state.range(0));
  Arrays a{n};
  if (fault != Fault::tolerance_only) { a.in[2] = a.in[0]; }   // bit-identical replicas ...
  if (fault == Fault::one_element) { a.in[2][n / 2] = -1.0; }  // ... but one corrupted element: masked
  if (fault == Fault::replica1_everywhere) {
    for (double& x : a.in[1]) { x += 1.0; }  // replica 1 outvoted at every element
  }
  const auto in = a.spans();
  for (auto _ : state) {
    const lockstep::VoteReport r = voter(std::span{in}, std::span{a.out});
    benchmark::DoNotOptimize(r);
    benchmark::ClobberMemory();
  }
  set_bytes(state, n);
}

const auto exact_into = [](auto in, auto out) noexcept { return voters::majority_into(in, out); };
const auto tolerance_into = [](auto in, auto out) noexcept {
  return voters::inexact_majority_into(in, out, lockstep::Tolerance::absolute(1e-9));
};

void BM_VoteExact3(benchmark::State& state) { vote_arrays(state, Fault::one_element, exact_into); }
void BM_VoteTolerance3(benchmark::State& state) { vote_arrays(state, Fault::tolerance_only, tolerance_into); }
void BM_VoteExact3Faulty(benchmark::State& state) {
  vote_arrays(state, Fault::replica1_everywhere, exact_into);
}
void BM_VoteTolerance3Faulty(benchmark::State& state) {
  vote_arrays(state, Fault::replica1_everywhere, tolerance_into);
}

BENCHMARK(BM_Memcpy)->Arg(1 << 20)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_VoteExact3)->Arg(1 << 20)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_VoteTolerance3)->Arg(1 << 20)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_VoteExact3Faulty)->Arg(1 << 20)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_VoteTolerance3Faulty)->Arg(1 << 20)->Unit(benchmark::kMicrosecond);

struct Struct64 {
  std::array<std::uint64_t, 8> words;
};
static_assert(sizeof(Struct64) == 64);

template <class T, class Voter>
void vote_one(benchmark::State& state, std::array<T, 3> outs, Voter voter) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(outs);
    auto v = voter(std::span<const T>{outs});
    benchmark::DoNotOptimize(v);
  }
}

void BM_Vote3Double(benchmark::State& state) { vote_one<double>(state, {1.0, 1.0, 7.5}, voters::majority); }
void BM_Vote3DoubleUnanimous(benchmark::State& state) {
  vote_one<double>(state, {1.0, 1.0, 1.0}, voters::majority);
}
void BM_Vote3Struct64(benchmark::State& state) {
  Struct64 s{{1, 2, 3, 4, 5, 6, 7, 8}};
  Struct64 bad = s;
  bad.words[7] = 9;
  vote_one<Struct64>(state, {s, s, bad}, voters::majority);
}
void BM_Vote3DoubleTolerance(benchmark::State& state) {
  vote_one<double>(state, {1.0, 1.0 + 1e-12, 7.5},
                   voters::inexact_majority.with(lockstep::Tolerance::absolute(1e-9)));
}
void BM_Vote3DoubleMedian(benchmark::State& state) {
  vote_one<double>(state, {1.0, 1.1, 7.5}, voters::median);
}
void BM_Vote3DoubleWeighted(benchmark::State& state) {
  vote_one<double>(state, {1.0, 1.01, 7.5},
                   voters::weighted_average.with(lockstep::Tolerance::absolute(0.1)));
}
void BM_Vote5Vector3dTolerance(benchmark::State& state) {
  const Eigen::Vector3d x{1, 2, 3};
  std::array<Eigen::Vector3d, 5> outs{x, x, x, x, Eigen::Vector3d{1, 2, 4}};
  const auto voter = voters::inexact_majority.with(lockstep::Tolerance::relative(1e-9));
  for (auto _ : state) {
    benchmark::DoNotOptimize(outs);
    auto v = voter(std::span<const Eigen::Vector3d>{outs});
    benchmark::DoNotOptimize(v);
  }
}
void BM_Vote16Int(benchmark::State& state) {
  std::array<std::int32_t, 16> outs{};
  outs.fill(3);
  outs[5] = 4;
  for (auto _ : state) {
    benchmark::DoNotOptimize(outs);
    auto v = voters::majority(std::span<const std::int32_t>{outs});
    benchmark::DoNotOptimize(v);
  }
}

BENCHMARK(BM_Vote3Double);
BENCHMARK(BM_Vote3DoubleUnanimous);
BENCHMARK(BM_Vote3Struct64);
BENCHMARK(BM_Vote3DoubleTolerance);
BENCHMARK(BM_Vote3DoubleMedian);
BENCHMARK(BM_Vote3DoubleWeighted);
BENCHMARK(BM_Vote5Vector3dTolerance);
BENCHMARK(BM_Vote16Int);

}  // namespace

BENCHMARK_MAIN();
