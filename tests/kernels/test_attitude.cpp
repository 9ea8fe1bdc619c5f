// Requirement, boundary and negative tests of the three attitude-propagation versions.
#include <lockstep/kernels/attitude.hpp>

#include "alloc_counter.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <random>

namespace lk = lockstep::kernels;
using lk::Status;
using Vec4 = Eigen::Vector4d;

namespace {

constexpr std::array<const char*, 3> kNames{"rk4", "expmap", "dcm"};

// Closed-form reference in long double: q (x) (cos(t/2), sin(t/2) n).
Vec4 reference(const lk::AttitudeInput& in) {
  using L = long double;
  const L px = static_cast<L>(in.omega(0)) * in.dt;
  const L py = static_cast<L>(in.omega(1)) * in.dt;
  const L pz = static_cast<L>(in.omega(2)) * in.dt;
  const L t = std::sqrt(px * px + py * py + pz * pz);
  const L c = std::cos(t / 2);
  const L s = t > 0 ? std::sin(t / 2) / t : 0.5L;
  const L d[4] = {c, s * px, s * py, s * pz};
  const L q[4] = {in.q(0), in.q(1), in.q(2), in.q(3)};
  const L r[4] = {q[0] * d[0] - q[1] * d[1] - q[2] * d[2] - q[3] * d[3],
                  q[0] * d[1] + q[1] * d[0] + q[2] * d[3] - q[3] * d[2],
                  q[0] * d[2] - q[1] * d[3] + q[2] * d[0] + q[3] * d[1],
                  q[0] * d[3] + q[1] * d[2] - q[2] * d[1] + q[3] * d[0]};
  const L n = std::sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2] + r[3] * r[3]);
  return Vec4(static_cast<double>(r[0] / n), static_cast<double>(r[1] / n), static_cast<double>(r[2] / n),
              static_cast<double>(r[3] / n));
}

lk::AttitudeInput random_input(std::mt19937_64& rng) {
  lk::AttitudeInput in;
  in.q = lk::test::random_matrix<4, 1>(rng).normalized();
  in.omega = lk::test::random_matrix<3, 1>(rng, -20.0, 20.0);
  std::uniform_real_distribution<double> frac(0.0, 1.0);
  // Any step up to the maximum angle, including tiny ones (series branches).
  const double angle = frac(rng) < 0.1 ? 1e-6 * frac(rng) : lk::kAttitudeMaxStepAngle * frac(rng);
  in.dt = angle / in.omega.norm();
  return in;
}

}  // namespace

TEST(Attitude, ToleranceMatchesDerivation) {
  const double t = 0.05;  // half the maximum angle
  const double expected = 2.0 * std::pow(t, 5) / 120.0 * std::exp(t) + 64.0 * lk::kUnitRoundoff;
  EXPECT_NEAR(lk::attitude_tolerance().epsilon(), expected, 1e-18);
  EXPECT_LT(lk::attitude_tolerance().epsilon(), 6e-9);
}

TEST(Attitude, VersionsMatchReferenceAndEachOther) {
  std::mt19937_64 rng(lk::test::kSeed + 30);
  double worst_rk4 = 0.0;
  double worst_exact = 0.0;
  for (int trial = 0; trial < 2000; ++trial) {
    SCOPED_TRACE(lk::test::seed_trace(lk::test::kSeed + 30, trial));
    const auto in = random_input(rng);
    const Vec4 ref = reference(in);
    const double angle = in.omega.norm() * in.dt;
    std::array<lk::AttitudeOutput, 3> outs{};
    for (std::size_t v = 0; v < 3; ++v) {
      outs[v] = lk::kAttitudeVersions[v](in);
      ASSERT_EQ(outs[v].status, Status::ok) << kNames[v];
      const double err = (outs[v].q - ref).cwiseAbs().maxCoeff();
      // RK4 within its truncation bound (+ rounding); the exact versions within rounding.
      const double bound = v == 0 ? lk::attitude_tolerance_for(angle) / 2.0 + 32.0 * lk::kUnitRoundoff
                                  : 32.0 * lk::kUnitRoundoff;
      EXPECT_LE(err, bound) << kNames[v] << " angle=" << angle;
      EXPECT_NEAR(outs[v].q.norm(), 1.0, 4.0 * lk::kUnitRoundoff) << kNames[v];
      (v == 0 ? worst_rk4 : worst_exact) = std::max(v == 0 ? worst_rk4 : worst_exact, err);
    }
    for (std::size_t v = 0; v < 3; ++v) {
      for (std::size_t w = v + 1; w < 3; ++w)
        EXPECT_TRUE(lk::agrees(outs[v], outs[w])) << kNames[v] << kNames[w];
    }
  }
  RecordProperty("worst_rk4_error", std::to_string(worst_rk4));
  RecordProperty("worst_exact_error", std::to_string(worst_exact));
}

TEST(Attitude, KnownAnswerQuarterTurnAboutZ) {
  // 100 steps of 10 ms at pi/2 rad/s about z: a 90 degree yaw, q = (cos 45, 0, 0, sin 45).
  const Vec4 expected(std::cos(std::numbers::pi / 4), 0.0, 0.0, std::sin(std::numbers::pi / 4));
  for (std::size_t v = 0; v < 3; ++v) {
    lk::AttitudeInput in{Vec4(1, 0, 0, 0), Eigen::Vector3d(0, 0, std::numbers::pi / 2), 0.01};
    for (int k = 0; k < 100; ++k) {
      const auto out = lk::kAttitudeVersions[v](in);
      ASSERT_EQ(out.status, Status::ok);
      in.q = out.q;
    }
    EXPECT_LT((in.q - expected).cwiseAbs().maxCoeff(), 100 * lk::attitude_tolerance().epsilon()) << kNames[v];
  }
}

TEST(Attitude, KnownAnswerHalfTurnKeepsHemisphere) {
  // From a 179.9 degree rotation about x (w ~ 0), the dcm version must not flip the sign.
  const double a = 179.9 * std::numbers::pi / 180.0;
  const lk::AttitudeInput in{Vec4(std::cos(a / 2), std::sin(a / 2), 0, 0), Eigen::Vector3d(0.05, 0, 0), 1.0};
  const Vec4 ref = reference(in);  // crosses w = 0
  for (std::size_t v = 0; v < 3; ++v) {
    const auto out = lk::kAttitudeVersions[v](in);
    ASSERT_EQ(out.status, Status::ok);
    EXPECT_GE(out.q.dot(in.q), 0.0) << kNames[v];
    EXPECT_LT((out.q - ref).cwiseAbs().maxCoeff(), lk::attitude_tolerance().epsilon()) << kNames[v];
  }
}

TEST(Attitude, ZeroRateAndZeroStepAreIdentity) {
  const Vec4 q = Vec4(0.5, 0.5, -0.5, 0.5);
  for (auto* f : lk::kAttitudeVersions) {
    EXPECT_LT((f({q, Eigen::Vector3d::Zero(), 0.01}).q - q).cwiseAbs().maxCoeff(), 4 * lk::kUnitRoundoff);
    EXPECT_LT((f({q, Eigen::Vector3d(1, 2, 3), 0.0}).q - q).cwiseAbs().maxCoeff(), 4 * lk::kUnitRoundoff);
  }
}

TEST(Attitude, OutOfRangeAndNonFiniteInputs) {
  const Vec4 q(1, 0, 0, 0);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (auto* f : lk::kAttitudeVersions) {
    const auto big = f({q, Eigen::Vector3d(0, 0, 20.0), 0.01});  // 0.2 rad > 0.1
    EXPECT_EQ(big.status, Status::out_of_range);
    EXPECT_EQ(big.q, q);
    EXPECT_EQ(f({Vec4(1.01, 0, 0, 0), Eigen::Vector3d::Zero(), 0.01}).status, Status::out_of_range);
    EXPECT_EQ(f({q, Eigen::Vector3d::Zero(), -0.01}).status, Status::out_of_range);
    const auto bad = f({q, Eigen::Vector3d(nan, 0, 0), 0.01});
    EXPECT_EQ(bad.status, Status::non_finite);
    EXPECT_EQ(bad.q, Vec4(1, 0, 0, 0));
    EXPECT_EQ(f({q, Eigen::Vector3d::Zero(), std::numeric_limits<double>::infinity()}).status,
              Status::non_finite);
  }
}

TEST(Attitude, NoVersionAllocates) {
  std::mt19937_64 rng(lk::test::kSeed + 31);
  const auto in = random_input(rng);
  double sink = 0.0;
  lockstep::test::AllocationScope scope;
  for (auto* f : lk::kAttitudeVersions) sink += f(in).q(0);
  EXPECT_EQ(scope.allocations(), 0U);
  EXPECT_TRUE(std::isfinite(sink));
}
