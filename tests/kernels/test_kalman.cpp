// Requirement, boundary and negative tests of the three Kalman versions.
#include <lockstep/kernels/kalman.hpp>

#include "alloc_counter.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

namespace lk = lockstep::kernels;
using lk::Status;

namespace {

constexpr std::array<const char*, 3> kNames{"standard", "joseph", "information"};

// Long-double reference of one cycle in the standard form.
template <int Nx, int Nz>
lk::KalmanOutput<Nx, Nz> reference(const lk::KalmanInput<Nx, Nz>& in) {
  using L = long double;
  const auto f = in.f.template cast<L>();
  const auto h = in.h.template cast<L>();
  const Eigen::Matrix<L, Nx, 1> xm = f * in.x.template cast<L>();
  const Eigen::Matrix<L, Nx, Nx> pm = f * in.p.template cast<L>() * f.transpose() + in.q.template cast<L>();
  const Eigen::Matrix<L, Nz, Nz> s = h * pm * h.transpose() + in.r.template cast<L>();
  const Eigen::Matrix<L, Nx, Nz> k = pm * h.transpose() * s.inverse();
  lk::KalmanOutput<Nx, Nz> out;
  out.x = (xm + k * (in.z.template cast<L>() - h * xm)).template cast<double>();
  const Eigen::Matrix<L, Nx, Nx> p = (Eigen::Matrix<L, Nx, Nx>::Identity() - k * h) * pm;
  out.p = (0.5L * (p + p.transpose())).template cast<double>();
  return out;
}

lk::KalmanInput<4, 2> random_input(std::mt19937_64& rng) {
  lk::KalmanInput<4, 2> in;
  in.x = lk::test::random_matrix<4, 1>(rng, -5, 5);
  in.p = lk::test::random_spd<4>(rng, 0.2);
  in.f = Eigen::Matrix4d::Identity() + 0.1 * lk::test::random_matrix<4, 4>(rng);
  in.q = 0.01 * lk::test::random_spd<4>(rng, 0.1);
  in.h = lk::test::random_matrix<2, 4>(rng);
  in.r = 0.1 * lk::test::random_spd<2>(rng, 0.1);
  in.z = lk::test::random_matrix<2, 1>(rng, -5, 5);
  return in;
}

template <typename A, typename B>
double rel(const A& a, const B& b) {
  return (a - b).cwiseAbs().maxCoeff() / std::max(b.cwiseAbs().maxCoeff(), 1.0);
}

}  // namespace

TEST(Kalman, ToleranceMatchesDerivation) {
  const double k = 24.0 * lk::kUnitRoundoff;
  EXPECT_NEAR((lk::kalman_tolerance<4, 2>().epsilon()), 4e6 * k / (1 - k), 1e-20);
  EXPECT_LT((lk::kalman_tolerance<4, 2>().epsilon()), 1.1e-8);
}

TEST(Kalman, VersionsMatchReferenceAndEachOther) {
  std::mt19937_64 rng(lk::test::kSeed + 50);
  const double per_version = lk::kalman_tolerance<4, 2>().epsilon() / 2.0;
  double worst = 0.0;
  for (int trial = 0; trial < 300; ++trial) {
    SCOPED_TRACE(lk::test::seed_trace(lk::test::kSeed + 50, trial));
    const auto in = random_input(rng);
    const auto ref = reference(in);
    std::array<lk::KalmanOutput<4, 2>, 3> outs{};
    for (std::size_t v = 0; v < 3; ++v) {
      outs[v] = lk::kKalmanVersions<4, 2>[v](in);
      ASSERT_EQ(outs[v].status, Status::ok) << kNames[v];
      EXPECT_LE(rel(outs[v].x, ref.x), per_version) << kNames[v];
      EXPECT_LE(rel(outs[v].p, ref.p), per_version) << kNames[v];
      worst = std::max({worst, rel(outs[v].x, ref.x), rel(outs[v].p, ref.p)});
      EXPECT_EQ(outs[v].p, outs[v].p.transpose()) << kNames[v] << " P must be exactly symmetric";
    }
    for (std::size_t v = 0; v < 3; ++v) {
      for (std::size_t w = v + 1; w < 3; ++w)
        EXPECT_TRUE(lk::agrees(outs[v], outs[w])) << kNames[v] << kNames[w];
    }
  }
  RecordProperty("worst_relative_error", std::to_string(worst));
}

TEST(Kalman, KnownAnswerScalarMeasurement) {
  // Position/velocity, P = I, no process noise, measure position with R = 1, z = 2:
  // S = 2, K = (0.5, 0), x = (1, 0), P = diag(0.5, 1).
  lk::KalmanInput<2, 1> in;
  in.h << 1.0, 0.0;
  in.z << 2.0;
  for (std::size_t v = 0; v < 3; ++v) {
    const auto out = lk::kKalmanVersions<2, 1>[v](in);
    ASSERT_EQ(out.status, Status::ok) << kNames[v];
    EXPECT_NEAR(out.x(0), 1.0, 1e-15) << kNames[v];
    EXPECT_NEAR(out.x(1), 0.0, 1e-15) << kNames[v];
    EXPECT_NEAR(out.p(0, 0), 0.5, 1e-15) << kNames[v];
    EXPECT_NEAR(out.p(1, 1), 1.0, 1e-15) << kNames[v];
    EXPECT_NEAR(out.p(0, 1), 0.0, 1e-15) << kNames[v];
  }
}

TEST(Kalman, KnownAnswerSteadyStateOfRandomWalk) {
  // Scalar random walk (embedded as 2 states, second decoupled): F = 1, Q = q, H = 1, R = r.
  // The steady-state prior variance solves p = p r / (p + r) + q, i.e.
  // p = (q + sqrt(q^2 + 4 q r)) / 2; the posterior is p r / (p + r).
  const double q = 0.1;
  const double r = 0.5;
  const double prior = (q + std::sqrt(q * q + 4.0 * q * r)) / 2.0;
  for (std::size_t v = 0; v < 3; ++v) {
    lk::KalmanInput<2, 1> in;
    in.q << q, 0.0, 0.0, 0.0;
    in.h << 1.0, 0.0;
    in.r << r;
    for (int k = 0; k < 200; ++k) {
      const auto out = lk::kKalmanVersions<2, 1>[v](in);
      ASSERT_EQ(out.status, Status::ok) << kNames[v] << " k=" << k;
      in.p = out.p;
    }
    EXPECT_NEAR(in.p(0, 0), prior * r / (prior + r), 1e-12) << kNames[v];
  }
}

TEST(Kalman, BadInputsGiveStatusAndUnchangedState) {
  lk::KalmanInput<2, 1> in;
  in.x << 1.0, 2.0;
  in.h << 1.0, 0.0;
  lk::KalmanInput<2, 1> bad = in;
  bad.z(0) = std::numeric_limits<double>::quiet_NaN();
  for (auto* f : lk::kKalmanVersions<2, 1>) {
    const auto out = f(bad);
    EXPECT_EQ(out.status, Status::non_finite);
    EXPECT_EQ(out.x, in.x);
    EXPECT_EQ(out.p, in.p);
  }
  bad = in;
  bad.r << 0.0;  // R must be positive definite
  for (auto* f : lk::kKalmanVersions<2, 1>) EXPECT_EQ(f(bad).status, Status::not_positive_definite);
  bad = in;
  bad.p << 1.0, 0.0, 0.0, -1.0;  // indefinite covariance
  for (auto* f : lk::kKalmanVersions<2, 1>) EXPECT_EQ(f(bad).status, Status::not_positive_definite);
  bad = in;
  bad.q << 1.0, 0.3, 0.0, 1.0;  // not symmetric
  for (auto* f : lk::kKalmanVersions<2, 1>) EXPECT_EQ(f(bad).status, Status::not_positive_definite);
  bad = in;
  bad.p.setZero();  // P- = 0: not invertible
  for (auto* f : lk::kKalmanVersions<2, 1>) {
    const auto out = f(bad);
    EXPECT_EQ(out.status, Status::singular);
    EXPECT_EQ(out.x, in.x);
  }
}

TEST(Kalman, IllConditionedCovarianceIsFlagged) {
  lk::KalmanInput<2, 1> in;
  in.p << 1.0, 0.0, 0.0, 1e-8;  // kappa(P-) = 1e8 > 1e6
  in.h << 1.0, 0.0;
  for (std::size_t v = 0; v < 3; ++v) {
    const auto out = lk::kKalmanVersions<2, 1>[v](in);
    EXPECT_EQ(out.status, Status::ill_conditioned) << kNames[v];
    EXPECT_NEAR(out.p(0, 0), 0.5, 1e-9) << kNames[v];
  }
}

TEST(Kalman, NoVersionAllocates) {
  std::mt19937_64 rng(lk::test::kSeed + 51);
  const auto in = random_input(rng);
  double sink = 0.0;
  lockstep::test::AllocationScope scope;
  for (auto* f : lk::kKalmanVersions<4, 2>) sink += f(in).x(0);
  EXPECT_EQ(scope.allocations(), 0U);
  EXPECT_TRUE(std::isfinite(sink));
}
