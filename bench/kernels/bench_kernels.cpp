// lockstep-bench-kernels: one benchmark per kernel version, at the canonical sizes.
// Run: lockstep-bench-kernels --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <lockstep/kernels/attitude.hpp>
#include <lockstep/kernels/filter.hpp>
#include <lockstep/kernels/kalman.hpp>
#include <lockstep/kernels/linear_solve.hpp>
#include <lockstep/kernels/lqr.hpp>
#include <lockstep/kernels/pid.hpp>

#include <benchmark/benchmark.h>

#include <cmath>
#include <random>

namespace lk = lockstep::kernels;

namespace {

template <int R, int C>
Eigen::Matrix<double, R, C> random_matrix(std::mt19937_64& rng) {
  std::uniform_real_distribution<double> d(-1.0, 1.0);
  Eigen::Matrix<double, R, C> m;
  for (int j = 0; j < C; ++j) {
    for (int i = 0; i < R; ++i) m(i, j) = d(rng);
  }
  return m;
}

template <lk::LinearSolveOutput<6> (*F)(const lk::LinearSolveInput<6>&) noexcept>
void BM_Solve6(benchmark::State& state) {
  std::mt19937_64 rng(1);
  const Eigen::Matrix<double, 6, 6> m = random_matrix<6, 6>(rng);
  lk::LinearSolveInput<6> in{m * m.transpose() + Eigen::Matrix<double, 6, 6>::Identity(),
                             random_matrix<6, 1>(rng)};
  for (auto _ : state) {
    benchmark::DoNotOptimize(in);
    auto out = F(in);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_Solve6<&lk::solve_lu<6>>)->Name("solve6/lu");
BENCHMARK(BM_Solve6<&lk::solve_qr<6>>)->Name("solve6/qr");
BENCHMARK(BM_Solve6<&lk::solve_gauss<6>>)->Name("solve6/gauss_complete_pivot");
BENCHMARK(BM_Solve6<&lk::solve_ldlt<6>>)->Name("solve6/ldlt");

template <typename Pid>
void BM_Pid(benchmark::State& state) {
  Pid pid(lk::PidConfig{.kp = 2.0, .ki = 1.0, .kd = 0.05, .dt = 0.01, .out_min = -5.0, .out_max = 5.0});
  double y = 0.0;
  for (auto _ : state) {
    const auto out = pid.step({1.0, y});
    y += 0.01 * (out.u - y);
    benchmark::DoNotOptimize(y);
  }
}
BENCHMARK(BM_Pid<lk::PidDouble>)->Name("pid/double");
BENCHMARK(BM_Pid<lk::PidFloat>)->Name("pid/float");
BENCHMARK(BM_Pid<lk::PidFixed>)->Name("pid/fixed_q16");

lk::LqrInput<4, 1> cart_pole() {
  const double dt = 0.01;
  Eigen::Matrix4d ac;
  ac << 0, 1, 0, 0, 0, 0, -0.981, 0, 0, 0, 0, 1, 0, 0, 21.58, 0;
  lk::LqrInput<4, 1> in;
  in.a = Eigen::Matrix4d::Identity() + dt * ac;
  in.b = dt * Eigen::Vector4d(0, 1.0, 0, -2.0);
  in.q = Eigen::Vector4d(10, 1, 100, 1).asDiagonal();
  in.r << 0.1;
  return in;
}

template <lk::LqrOutput<4, 1> (*F)(const lk::LqrInput<4, 1>&) noexcept>
void BM_Lqr(benchmark::State& state) {
  auto in = cart_pole();
  std::uint32_t iterations = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(in);
    auto out = F(in);
    iterations = out.iterations;
    benchmark::DoNotOptimize(out);
  }
  state.counters["iterations"] = static_cast<double>(iterations);
}
BENCHMARK(BM_Lqr<&lk::lqr_riccati<4, 1>>)
    ->Name("lqr_cartpole/riccati_iteration")
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Lqr<&lk::lqr_doubling<4, 1>>)->Name("lqr_cartpole/doubling")->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Lqr<&lk::lqr_eigenvector<4, 1>>)
    ->Name("lqr_cartpole/eigenvector")
    ->Unit(benchmark::kMicrosecond);

template <lk::KalmanOutput<4, 2> (*F)(const lk::KalmanInput<4, 2>&) noexcept>
void BM_Kalman(benchmark::State& state) {
  std::mt19937_64 rng(2);
  lk::KalmanInput<4, 2> in;
  const Eigen::Matrix4d l = random_matrix<4, 4>(rng);
  in.p = l * l.transpose() + Eigen::Matrix4d::Identity();
  in.f = Eigen::Matrix4d::Identity() + 0.1 * random_matrix<4, 4>(rng);
  in.q = 0.01 * Eigen::Matrix4d::Identity();
  in.h = random_matrix<2, 4>(rng);
  in.r = 0.1 * Eigen::Matrix2d::Identity();
  in.z = random_matrix<2, 1>(rng);
  for (auto _ : state) {
    benchmark::DoNotOptimize(in);
    auto out = F(in);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_Kalman<&lk::kalman_standard<4, 2>>)->Name("kalman4x2/standard");
BENCHMARK(BM_Kalman<&lk::kalman_joseph<4, 2>>)->Name("kalman4x2/joseph");
BENCHMARK(BM_Kalman<&lk::kalman_information<4, 2>>)->Name("kalman4x2/information");

template <lk::AttitudeOutput (*F)(const lk::AttitudeInput&) noexcept>
void BM_Attitude(benchmark::State& state) {
  lk::AttitudeInput in{Eigen::Vector4d(0.5, 0.5, -0.5, 0.5), Eigen::Vector3d(0.3, -1.2, 2.0), 0.01};
  for (auto _ : state) {
    benchmark::DoNotOptimize(in);
    auto out = F(in);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_Attitude<&lk::propagate_rk4>)->Name("attitude/rk4");
BENCHMARK(BM_Attitude<&lk::propagate_expmap>)->Name("attitude/expmap");
BENCHMARK(BM_Attitude<&lk::propagate_dcm>)->Name("attitude/dcm");

template <typename Filter>
void BM_Filter(benchmark::State& state) {
  // Two cascaded resonators: (1 - 2 r1 cos t1 z^-1 + r1^2 z^-2)(1 - 2 r2 cos t2 z^-1 + r2^2 z^-2).
  const double p1 = -2.0 * 0.9 * std::cos(0.5);
  const double q1 = 0.81;
  const double p2 = -2.0 * 0.8 * std::cos(1.0);
  const double q2 = 0.64;
  lk::IirCoefficients<4> c;
  c.b << 0.1, 0.2, 0.3, 0.2, 0.1;
  c.a << 1.0, p1 + p2, q1 + q2 + p1 * p2, p1 * q2 + p2 * q1, q1 * q2;
  Filter f(c, 10.0);
  double x = 0.5;
  for (auto _ : state) {
    const auto out = f.step(x);
    x = -x;
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_Filter<lk::IirDirectForm1<4>>)->Name("iir4/direct_form_1");
BENCHMARK(BM_Filter<lk::IirTransposedDf2<4>>)->Name("iir4/transposed_df2");
BENCHMARK(BM_Filter<lk::IirStateSpace<4>>)->Name("iir4/state_space");

}  // namespace
