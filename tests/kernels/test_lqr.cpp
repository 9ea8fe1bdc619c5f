// Requirement, boundary and negative tests of the three LQR versions.
#include <lockstep/kernels/lqr.hpp>

#include "alloc_counter.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

namespace lk = lockstep::kernels;
using lk::Status;

namespace {

constexpr std::array<const char*, 3> kNames{"riccati", "doubling", "eigenvector"};

// High-precision reference (Nu = 1): Riccati iteration in long double until the step is below
// 1e-17 relative, then K = b'PA / (r + b'Pb).
Eigen::Matrix<double, 1, 4> reference_gain(const lk::LqrInput<4, 1>& in) {
  using M = Eigen::Matrix<long double, 4, 4>;
  using V = Eigen::Matrix<long double, 4, 1>;
  const M a = in.a.cast<long double>();
  const V b = in.b.cast<long double>();
  const M q = in.q.cast<long double>();
  const long double r = in.r(0, 0);
  M p = q;
  for (int it = 0; it < 200000; ++it) {
    const V atpb = a.transpose() * (p * b);
    const long double s = r + b.dot(p * b);
    const M next = q + a.transpose() * p * a - atpb * atpb.transpose() / s;
    const long double step = (next - p).cwiseAbs().maxCoeff();
    p = 0.5L * (next + next.transpose());
    if (step <= 1e-17L * p.cwiseAbs().maxCoeff()) break;
  }
  const long double s = r + b.dot(p * b);
  return ((b.transpose() * p * a) / s).cast<double>();
}

lk::LqrInput<4, 1> random_plant(std::mt19937_64& rng) {
  lk::LqrInput<4, 1> in;
  in.a = Eigen::Matrix4d::Identity() + 0.3 * lk::test::random_matrix<4, 4>(rng);
  in.b = lk::test::random_matrix<4, 1>(rng);
  const Eigen::Matrix4d l = lk::test::random_matrix<4, 4>(rng);
  in.q = l * l.transpose() + 0.1 * Eigen::Matrix4d::Identity();
  std::uniform_real_distribution<double> rr(0.1, 2.0);
  in.r(0, 0) = rr(rng);
  return in;
}

}  // namespace

TEST(Lqr, ToleranceMatchesDerivation) {
  const double rho2 = 0.999 * 0.999;
  const double expected = 2e4 * (1e-13 * rho2 / (1 - rho2) + 16.0 * 4 * lk::kUnitRoundoff / (1 - rho2));
  EXPECT_NEAR(lk::lqr_tolerance<4>().epsilon(), expected, 1e-15);
  EXPECT_LT(lk::lqr_tolerance<4>().epsilon(), 1.1e-6);
}

TEST(Lqr, KnownAnswerScalarDareEmbedded) {
  // x1+ = 1.2 x1 + u (unstable, controlled), x2+ = 0.5 x2 (stable, uncontrolled), Q = diag(1, 2),
  // R = 1. P is diagonal: p1 solves b^2 p^2 + (r(1 - a^2) - q b^2) p - q r = 0, i.e.
  // p1 = (1.44 + sqrt(1.44^2 + 4)) / 2, p2 = 2 / (1 - 0.25); K = [1.2 p1 / (1 + p1), 0].
  lk::LqrInput<2, 1> in;
  in.a << 1.2, 0.0, 0.0, 0.5;
  in.b << 1.0, 0.0;
  in.q << 1.0, 0.0, 0.0, 2.0;
  in.r << 1.0;
  const double p1 = (1.44 + std::sqrt(1.44 * 1.44 + 4.0)) / 2.0;
  const double k1 = 1.2 * p1 / (1.0 + p1);
  for (std::size_t v = 0; v < 3; ++v) {
    const auto out = lk::kLqrVersions<2, 1>[v](in);
    ASSERT_EQ(out.status, Status::ok) << kNames[v];
    EXPECT_NEAR(out.p(0, 0), p1, 1e-11) << kNames[v];
    EXPECT_NEAR(out.p(1, 1), 2.0 / 0.75, 1e-11) << kNames[v];
    EXPECT_NEAR(out.p(0, 1), 0.0, 1e-11) << kNames[v];
    EXPECT_NEAR(out.k(0, 0), k1, 1e-11) << kNames[v];
    EXPECT_NEAR(out.k(0, 1), 0.0, 1e-11) << kNames[v];
  }
}

TEST(Lqr, VersionsMatchReferenceAndEachOther) {
  std::mt19937_64 rng(lk::test::kSeed + 20);
  const double per_version = lk::lqr_tolerance<4>().epsilon() / 2.0;
  int ok_count = 0;
  double worst = 0.0;
  for (int trial = 0; trial < 60; ++trial) {
    SCOPED_TRACE(lk::test::seed_trace(lk::test::kSeed + 20, trial));
    const auto in = random_plant(rng);
    std::array<lk::LqrOutput<4, 1>, 3> outs{};
    for (std::size_t v = 0; v < 3; ++v) outs[v] = lk::kLqrVersions<4, 1>[v](in);
    if (outs[0].status != Status::ok) continue;
    ++ok_count;
    const Eigen::Matrix<double, 1, 4> ref = reference_gain(in);
    for (std::size_t v = 0; v < 3; ++v) {
      ASSERT_EQ(outs[v].status, Status::ok) << kNames[v];
      const double err = (outs[v].k - ref).cwiseAbs().maxCoeff() / std::max(ref.cwiseAbs().maxCoeff(), 1.0);
      worst = std::max(worst, err);
      EXPECT_LE(err, per_version) << kNames[v];
    }
    for (std::size_t v = 0; v < 3; ++v) {
      for (std::size_t w = v + 1; w < 3; ++w)
        EXPECT_TRUE(lk::agrees(outs[v], outs[w])) << kNames[v] << kNames[w];
    }
  }
  EXPECT_GT(ok_count, 40);
  RecordProperty("worst_relative_gain_error", std::to_string(worst));
}

TEST(Lqr, CartPoleGainStabilises) {
  // Linearised cart-pole (M = 1 kg, m = 0.1 kg, l = 0.5 m), Euler-discretised at 10 ms.
  const double dt = 0.01;
  Eigen::Matrix4d ac;
  ac << 0, 1, 0, 0, 0, 0, -0.981, 0, 0, 0, 0, 1, 0, 0, 21.58, 0;
  Eigen::Vector4d bc(0, 1.0, 0, -2.0);
  lk::LqrInput<4, 1> in;
  in.a = Eigen::Matrix4d::Identity() + dt * ac;
  in.b = dt * bc;
  in.q = Eigen::Vector4d(10, 1, 100, 1).asDiagonal();
  in.r << 0.1;
  for (std::size_t v = 0; v < 3; ++v) {
    const auto out = lk::kLqrVersions<4, 1>[v](in);
    ASSERT_EQ(out.status, Status::ok) << kNames[v];
    // Simulate the closed loop from a 0.1 rad tilt: the state must decay.
    Eigen::Vector4d x(0, 0, 0.1, 0);
    for (int k = 0; k < 3000; ++k) x = (in.a - in.b * out.k) * x;
    EXPECT_LT(x.cwiseAbs().maxCoeff(), 1e-3) << kNames[v];
  }
  EXPECT_TRUE((lk::agrees(lk::lqr_riccati<4, 1>(in), lk::lqr_doubling<4, 1>(in))));
  EXPECT_TRUE((lk::agrees(lk::lqr_riccati<4, 1>(in), lk::lqr_eigenvector<4, 1>(in))));
}

TEST(Lqr, UnstabilisablePlantIsNotOk) {
  lk::LqrInput<2, 1> in;
  in.a << 1.5, 0.0, 0.0, 0.5;  // the unstable mode is not reachable from u
  in.b << 0.0, 1.0;
  EXPECT_EQ((lk::lqr_riccati<2, 1>(in).status), Status::not_converged);
  EXPECT_EQ((lk::lqr_doubling<2, 1>(in).status), Status::not_converged);
  EXPECT_NE((lk::lqr_eigenvector<2, 1>(in).status), Status::ok);
}

TEST(Lqr, SlowClosedLoopIsIllConditioned) {
  // Q = 0: P = 0 and K = 0, so the closed loop is A itself with rho = 0.9995 > 0.999.
  lk::LqrInput<2, 1> in;
  in.a << 0.9995, 0.0, 0.0, 0.5;
  in.b << 1.0, 1.0;
  in.q.setZero();
  for (std::size_t v = 0; v < 3; ++v) {
    const auto out = lk::kLqrVersions<2, 1>[v](in);
    EXPECT_EQ(out.status, Status::ill_conditioned) << kNames[v];
    EXPECT_LT(out.k.cwiseAbs().maxCoeff(), 1e-12) << kNames[v];
  }
}

TEST(Lqr, InvalidWeightsAndNonFiniteInputs) {
  lk::LqrInput<2, 1> in;
  in.a << 1.1, 0.1, 0.0, 0.9;
  in.b << 0.0, 1.0;
  lk::LqrInput<2, 1> bad = in;
  bad.r << -1.0;
  for (auto* f : lk::kLqrVersions<2, 1>) EXPECT_EQ(f(bad).status, Status::not_positive_definite);
  bad = in;
  bad.q << 1.0, 0.0, 0.0, -1.0;
  for (auto* f : lk::kLqrVersions<2, 1>) EXPECT_EQ(f(bad).status, Status::not_positive_definite);
  bad = in;
  bad.q << 1.0, 0.5, 0.0, 1.0;  // not symmetric
  for (auto* f : lk::kLqrVersions<2, 1>) EXPECT_EQ(f(bad).status, Status::not_positive_definite);
  bad = in;
  bad.a(1, 0) = std::numeric_limits<double>::quiet_NaN();
  for (auto* f : lk::kLqrVersions<2, 1>) {
    const auto out = f(bad);
    EXPECT_EQ(out.status, Status::non_finite);
    EXPECT_EQ(out.k, (Eigen::Matrix<double, 1, 2>::Zero()));
  }
}

TEST(Lqr, SingularAIsOnlyRefusedByTheEigenvectorVersion) {
  lk::LqrInput<2, 1> in;
  in.a << 0.0, 1.0, 0.0, 0.0;  // nilpotent: A has no inverse
  in.b << 0.0, 1.0;
  EXPECT_EQ((lk::lqr_riccati<2, 1>(in).status), Status::ok);
  EXPECT_EQ((lk::lqr_doubling<2, 1>(in).status), Status::ok);
  EXPECT_EQ((lk::lqr_eigenvector<2, 1>(in).status), Status::singular);
}

TEST(Lqr, NoVersionAllocates) {
  std::mt19937_64 rng(lk::test::kSeed + 21);
  const auto in = random_plant(rng);
  double sink = 0.0;
  lockstep::test::AllocationScope scope;
  for (auto* f : lk::kLqrVersions<4, 1>) sink += f(in).k(0, 0);
  EXPECT_EQ(scope.allocations(), 0U);
  EXPECT_TRUE(std::isfinite(sink));
}
