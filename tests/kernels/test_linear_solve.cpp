// Requirement, boundary and negative tests of the linear-solve versions.
#include <lockstep/kernels/linear_solve.hpp>

#include "alloc_counter.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <limits>
#include <random>

namespace lk = lockstep::kernels;
using lk::Status;
using Mat6 = Eigen::Matrix<double, 6, 6>;
using Vec6 = Eigen::Matrix<double, 6, 1>;

namespace {

// High-precision reference: Gaussian elimination with partial pivoting in long double
// (64-bit significand on x86, 2^11 times finer than double).
Vec6 reference_solve(const Mat6& a, const Vec6& b) {
  Eigen::Matrix<long double, 6, 7> m;
  m.leftCols<6>() = a.cast<long double>();
  m.col(6) = b.cast<long double>();
  for (int k = 0; k < 6; ++k) {
    int p = k;
    for (int i = k + 1; i < 6; ++i) {
      if (std::fabs(m(i, k)) > std::fabs(m(p, k))) p = i;
    }
    m.row(k).swap(m.row(p));
    for (int i = k + 1; i < 6; ++i) {
      const long double f = m(i, k) / m(k, k);
      for (int j = k; j < 7; ++j) m(i, j) -= f * m(k, j);
    }
  }
  Eigen::Matrix<long double, 6, 1> x;
  for (int i = 5; i >= 0; --i) {
    long double s = m(i, 6);
    for (int j = i + 1; j < 6; ++j) s -= m(i, j) * x(j);
    x(i) = s / m(i, i);
  }
  return x.cast<double>();
}

double rel_err(const Vec6& x, const Vec6& ref) {
  return (x - ref).cwiseAbs().maxCoeff() / std::max(ref.cwiseAbs().maxCoeff(), 1.0);
}

constexpr std::array<const char*, 4> kNames{"lu", "qr", "gauss", "ldlt"};
constexpr std::array<lk::LinearSolveFn<6>, 4> kAll{&lk::solve_lu<6>, &lk::solve_qr<6>, &lk::solve_gauss<6>,
                                                   &lk::solve_ldlt<6>};

}  // namespace

TEST(LinearSolve, ToleranceMatchesDerivation) {
  // 2 * 1e6 * gamma_18 * 32 for N = 6.
  const double eps = lk::linear_solve_tolerance<6>().epsilon();
  EXPECT_NEAR(eps, 2.0 * 1e6 * 18.0 * lk::kUnitRoundoff * 32.0, 1e-12);
  EXPECT_LT(eps, 2e-7);
}

TEST(LinearSolve, GeneralVersionsMatchReferenceAndEachOther) {
  std::mt19937_64 rng(lk::test::kSeed);
  const double per_version = lk::linear_solve_tolerance<6>().epsilon() / 2.0;
  int ok_count = 0;
  double worst = 0.0;
  for (int trial = 0; trial < 500; ++trial) {
    SCOPED_TRACE(lk::test::seed_trace(lk::test::kSeed, trial));
    lk::LinearSolveInput<6> in{lk::test::random_matrix<6, 6>(rng),
                               lk::test::random_matrix<6, 1>(rng, -10, 10)};
    const Vec6 ref = reference_solve(in.a, in.b);
    std::array<lk::LinearSolveOutput<6>, 3> outs{};
    for (std::size_t v = 0; v < 3; ++v) outs[v] = lk::kLinearSolveVersions<6>[v](in);
    if (outs[0].status != Status::ok) continue;
    ++ok_count;
    for (std::size_t v = 0; v < 3; ++v) {
      ASSERT_EQ(outs[v].status, Status::ok) << kNames[v];
      const double e = rel_err(outs[v].x, ref);
      worst = std::max(worst, e);
      EXPECT_LE(e, per_version) << kNames[v];
      EXPECT_NEAR(outs[v].condition, outs[0].condition, 1e-6 * outs[0].condition) << kNames[v];
    }
    for (std::size_t v = 0; v < 3; ++v) {
      for (std::size_t w = v + 1; w < 3; ++w)
        EXPECT_TRUE(lk::agrees(outs[v], outs[w])) << kNames[v] << kNames[w];
    }
  }
  EXPECT_GT(ok_count, 450);
  RecordProperty("worst_relative_error", std::to_string(worst));
}

TEST(LinearSolve, SpdVersionsMatchReferenceAndEachOther) {
  std::mt19937_64 rng(lk::test::kSeed + 1);
  const double per_version = lk::linear_solve_tolerance<6>().epsilon() / 2.0;
  for (int trial = 0; trial < 500; ++trial) {
    SCOPED_TRACE(lk::test::seed_trace(lk::test::kSeed + 1, trial));
    lk::LinearSolveInput<6> in{lk::test::random_spd<6>(rng, 0.1),
                               lk::test::random_matrix<6, 1>(rng, -10, 10)};
    const Vec6 ref = reference_solve(in.a, in.b);
    std::array<lk::LinearSolveOutput<6>, 4> outs{};
    for (std::size_t v = 0; v < 4; ++v) outs[v] = kAll[v](in);
    for (std::size_t v = 0; v < 4; ++v) {
      ASSERT_EQ(outs[v].status, Status::ok) << kNames[v];
      EXPECT_LE(rel_err(outs[v].x, ref), per_version) << kNames[v];
    }
    for (std::size_t v = 0; v < 4; ++v) {
      for (std::size_t w = v + 1; w < 4; ++w)
        EXPECT_TRUE(lk::agrees(outs[v], outs[w])) << kNames[v] << kNames[w];
    }
  }
}

TEST(LinearSolve, KnownAnswerTextbook3x3) {
  // Gaussian-elimination textbook example: 2x + y - z = 8, -3x - y + 2z = -11, -2x + y + 2z = -3
  // has the unique solution (2, 3, -1).
  lk::LinearSolveInput<3> in;
  in.a << 2, 1, -1, -3, -1, 2, -2, 1, 2;
  in.b << 8, -11, -3;
  for (auto* f : lk::kLinearSolveVersions<3>) {
    const auto out = f(in);
    ASSERT_EQ(out.status, Status::ok);
    EXPECT_NEAR(out.x(0), 2.0, 1e-13);
    EXPECT_NEAR(out.x(1), 3.0, 1e-13);
    EXPECT_NEAR(out.x(2), -1.0, 1e-13);
  }
}

TEST(LinearSolve, KnownAnswerSpdTridiagonal) {
  // The 1-D Poisson matrix tridiag(-1, 2, -1) with b = A * ones has x = ones exactly.
  lk::LinearSolveInput<6> in;
  in.a = 2.0 * Mat6::Identity();
  for (int i = 0; i + 1 < 6; ++i) in.a(i, i + 1) = in.a(i + 1, i) = -1.0;
  in.b = in.a * Vec6::Ones();
  for (auto* f : kAll) {
    const auto out = f(in);
    ASSERT_EQ(out.status, Status::ok);
    EXPECT_LT((out.x - Vec6::Ones()).cwiseAbs().maxCoeff(), 1e-13);
  }
}

TEST(LinearSolve, HilbertMatrixIsIllConditionedButStillSolved) {
  // kappa_inf(H_6) ~ 2.9e7 > 1e6: every version says ill_conditioned and still returns x.
  lk::LinearSolveInput<6> in;
  for (int i = 0; i < 6; ++i) {
    for (int j = 0; j < 6; ++j) in.a(i, j) = 1.0 / (i + j + 1);
  }
  in.b = in.a * Vec6::Ones();
  for (std::size_t v = 0; v < 4; ++v) {
    const auto out = kAll[v](in);
    EXPECT_EQ(out.status, Status::ill_conditioned) << kNames[v];
    EXPECT_NEAR(out.condition, 2.907e7, 0.01e7) << kNames[v];
    EXPECT_LT((out.x - Vec6::Ones()).cwiseAbs().maxCoeff(), 1e-6) << kNames[v];
  }
}

TEST(LinearSolve, SingularMatricesGiveSingularAndZeroX) {
  std::mt19937_64 rng(lk::test::kSeed + 2);
  lk::LinearSolveInput<6> in{lk::test::random_matrix<6, 6>(rng), lk::test::random_matrix<6, 1>(rng)};
  in.a.row(3) = 2.0 * in.a.row(1) - in.a.row(0);  // rank 5, rounding-level nonzero pivots
  for (std::size_t v = 0; v < 3; ++v) {
    const auto out = kAll[v](in);
    EXPECT_EQ(out.status, Status::singular) << kNames[v];
    EXPECT_EQ(out.x, Vec6::Zero()) << kNames[v];
  }
  in.a.setZero();  // exactly zero pivots
  for (std::size_t v = 0; v < 3; ++v) EXPECT_EQ(kAll[v](in).status, Status::singular) << kNames[v];
  // Zero matrix is not positive definite for LDL^T.
  EXPECT_EQ(lk::solve_ldlt<6>(in).status, Status::not_positive_definite);
}

TEST(LinearSolve, NonFiniteInputsAreRejected) {
  lk::LinearSolveInput<6> in;
  in.b.setOnes();
  in.a(2, 3) = std::numeric_limits<double>::quiet_NaN();
  for (auto* f : kAll) EXPECT_EQ(f(in).status, Status::non_finite);
  in.a(2, 3) = 0.0;
  in.b(5) = std::numeric_limits<double>::infinity();
  for (auto* f : kAll) {
    const auto out = f(in);
    EXPECT_EQ(out.status, Status::non_finite);
    EXPECT_EQ(out.x, Vec6::Zero());
  }
}

TEST(LinearSolve, LdltRejectsIndefiniteAndAsymmetric) {
  lk::LinearSolveInput<6> in;
  in.a = Mat6::Identity();
  in.a(4, 4) = -1.0;  // symmetric indefinite: the others solve it, LDL^T refuses
  in.b.setOnes();
  EXPECT_EQ(lk::solve_ldlt<6>(in).status, Status::not_positive_definite);
  EXPECT_EQ(lk::solve_lu<6>(in).status, Status::ok);
  in.a(4, 4) = 1.0;
  in.a(0, 5) = 0.5;  // asymmetric
  EXPECT_EQ(lk::solve_ldlt<6>(in).status, Status::not_positive_definite);
}

TEST(LinearSolve, AgreesComparesStatusFirst) {
  lk::LinearSolveOutput<6> a;
  lk::LinearSolveOutput<6> b;
  a.x.setOnes();
  b.x.setOnes();
  EXPECT_TRUE(lk::agrees(a, b));
  b.x(0) += 1e-3;
  EXPECT_FALSE(lk::agrees(a, b));
  b.status = Status::singular;
  EXPECT_FALSE(lk::agrees(a, b));
  a.status = Status::singular;
  EXPECT_TRUE(lk::agrees(a, b));
}

TEST(LinearSolve, NoVersionAllocates) {
  std::mt19937_64 rng(lk::test::kSeed + 3);
  lk::LinearSolveInput<6> in{lk::test::random_spd<6>(rng), lk::test::random_matrix<6, 1>(rng)};
  double sink = 0.0;
  lockstep::test::AllocationScope scope;
  for (auto* f : kAll) sink += f(in).x(0);
  EXPECT_EQ(scope.allocations(), 0U);
  EXPECT_TRUE(std::isfinite(sink));
}
