// Requirement, boundary and negative tests of the three filter forms.
#include <lockstep/core/error.hpp>
#include <lockstep/kernels/filter.hpp>

#include "alloc_counter.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <random>
#include <vector>

namespace lk = lockstep::kernels;
using lk::Status;

namespace {

// Long-double reference: the difference equation evaluated on the whole history.
template <int N>
class Reference {
 public:
  explicit Reference(const lk::IirCoefficients<N>& c) : m_c(c) {}
  double step(double x) {
    m_x.push_back(x);
    const std::size_t k = m_x.size() - 1;
    long double acc = 0.0L;
    for (std::size_t i = 0; i <= N && i <= k; ++i) {
      acc += static_cast<long double>(m_c.b(static_cast<Eigen::Index>(i))) * m_x[k - i];
    }
    for (std::size_t i = 1; i <= N && i <= k; ++i) {
      acc -= static_cast<long double>(m_c.a(static_cast<Eigen::Index>(i))) * m_y[k - i];
    }
    acc /= m_c.a(0);
    m_y.push_back(acc);
    return static_cast<double>(acc);
  }

 private:
  lk::IirCoefficients<N> m_c;
  std::vector<long double> m_x;
  std::vector<long double> m_y;
};

// Random stable order-4 filter: poles r e^{+-i theta} with r in [0.3, 0.98].
lk::IirCoefficients<4> random_filter(std::mt19937_64& rng) {
  std::uniform_real_distribution<double> rad(0.3, 0.98);
  std::uniform_real_distribution<double> ang(0.0, std::numbers::pi);
  Eigen::Matrix<double, 5, 1> a = Eigen::Matrix<double, 5, 1>::Unit(0);
  for (int s = 0; s < 2; ++s) {  // multiply two biquad denominators
    const double r = rad(rng);
    const double t = ang(rng);
    const double p[3] = {1.0, -2.0 * r * std::cos(t), r * r};
    Eigen::Matrix<double, 5, 1> next = Eigen::Matrix<double, 5, 1>::Zero();
    for (int i = 0; i < 5; ++i) {
      for (int j = 0; j < 3 && i + j < 5; ++j) next(i + j) += a(i) * p[j];
    }
    a = next;
  }
  lk::IirCoefficients<4> c;
  c.a = a;
  c.b = lk::test::random_matrix<5, 1>(rng);
  return c;
}

}  // namespace

TEST(Filter, FormsMatchReferenceAndEachOther) {
  std::mt19937_64 rng(lk::test::kSeed + 40);
  double worst_ratio = 0.0;
  for (int trial = 0; trial < 40; ++trial) {
    SCOPED_TRACE(lk::test::seed_trace(lk::test::kSeed + 40, trial));
    const auto c = random_filter(rng);
    const double limit = 10.0;
    const auto tol = lk::iir_tolerance<4>(c, limit);
    lk::IirDirectForm1<4> f1(c, limit);
    lk::IirTransposedDf2<4> f2(c, limit);
    lk::IirStateSpace<4> f3(c, limit);
    Reference<4> ref(c);
    std::uniform_real_distribution<double> in(-limit, limit);
    for (int k = 0; k < 500; ++k) {
      const double x = in(rng);
      const double r = ref.step(x);
      const lk::FilterOutput o[3] = {f1.step(x), f2.step(x), f3.step(x)};
      for (const auto& out : o) {
        ASSERT_EQ(out.status, Status::ok);
        EXPECT_LE(std::abs(out.y - r), tol.epsilon() / 2.0) << "k=" << k;
        worst_ratio = std::max(worst_ratio, std::abs(out.y - r) / tol.epsilon());
      }
      EXPECT_TRUE(lk::agrees(o[0], o[1], tol));
      EXPECT_TRUE(lk::agrees(o[0], o[2], tol));
      EXPECT_TRUE(lk::agrees(o[1], o[2], tol));
    }
  }
  RecordProperty("worst_error_over_tolerance", std::to_string(worst_ratio));
}

TEST(Filter, KnownAnswerFirstOrderLowPassStep) {
  // y_k = 0.5 y_{k-1} + 0.5 x_k: the unit-step response is 1 - 0.5^(k+1), exactly in binary.
  lk::IirCoefficients<1> c;
  c.b << 0.5, 0.0;
  c.a << 1.0, -0.5;
  lk::IirDirectForm1<1> f1(c, 1.0);
  lk::IirTransposedDf2<1> f2(c, 1.0);
  lk::IirStateSpace<1> f3(c, 1.0);
  for (int k = 0; k < 20; ++k) {
    const double expected = 1.0 - std::ldexp(1.0, -(k + 1));
    EXPECT_EQ(f1.step(1.0).y, expected);
    EXPECT_EQ(f2.step(1.0).y, expected);
    EXPECT_EQ(f3.step(1.0).y, expected);
  }
  const auto an = lk::analyse<1>(c, 1.0);
  EXPECT_NEAR(an.recursive_l1, 2.0, 1e-15);  // sum 0.5^k
  EXPECT_NEAR(an.gain_l1, 1.0, 1e-15);
}

TEST(Filter, KnownAnswerResonatorImpulseResponse) {
  // 1 / (1 - 2 r cos t z^-1 + r^2 z^-2) has impulse response r^k sin((k+1) t) / sin t.
  const double r = 0.9;
  const double t = 0.3;
  lk::IirCoefficients<2> c;
  c.b << 1.0, 0.0, 0.0;
  c.a << 1.0, -2.0 * r * std::cos(t), r * r;
  lk::IirDirectForm1<2> f1(c, 1.0);
  lk::IirTransposedDf2<2> f2(c, 1.0);
  lk::IirStateSpace<2> f3(c, 1.0);
  for (int k = 0; k < 100; ++k) {
    const double x = k == 0 ? 1.0 : 0.0;
    const double expected = std::pow(r, k) * std::sin((k + 1) * t) / std::sin(t);
    EXPECT_NEAR(f1.step(x).y, expected, 1e-13) << k;
    EXPECT_NEAR(f2.step(x).y, expected, 1e-13) << k;
    EXPECT_NEAR(f3.step(x).y, expected, 1e-13) << k;
  }
}

TEST(Filter, KnownAnswerFirMovingAverage) {
  // FIR (a = 0): 4-tap moving average of 4, 8, 12, ... gives the running means.
  lk::IirCoefficients<4> c;
  c.b << 0.25, 0.25, 0.25, 0.25, 0.0;
  lk::IirDirectForm1<4> f1(c, 100.0);
  lk::IirTransposedDf2<4> f2(c, 100.0);
  lk::IirStateSpace<4> f3(c, 100.0);
  const double expected[] = {1.0, 3.0, 6.0, 10.0, 14.0, 18.0};
  for (int k = 0; k < 6; ++k) {
    const double x = 4.0 * (k + 1);
    EXPECT_EQ(f1.step(x).y, expected[k]);
    EXPECT_EQ(f2.step(x).y, expected[k]);
    EXPECT_EQ(f3.step(x).y, expected[k]);
  }
}

TEST(Filter, CoefficientsAreNormalisedByA0) {
  lk::IirCoefficients<1> c;
  c.b << 1.0, 0.0;
  c.a << 2.0, -1.0;  // same as b = 0.5, a = 1, -0.5
  lk::IirTransposedDf2<1> f(c, 1.0);
  EXPECT_EQ(f.step(1.0).y, 0.5);
  EXPECT_EQ(f.step(1.0).y, 0.75);
}

TEST(Filter, InvalidFiltersThrowAtConstruction) {
  lk::IirCoefficients<2> unstable;
  unstable.b << 1.0, 0.0, 0.0;
  unstable.a << 1.0, -2.0, 1.0;  // double pole at z = 1
  EXPECT_THROW((lk::IirDirectForm1<2>{unstable, 1.0}), lockstep::Error);
  EXPECT_THROW((lk::IirTransposedDf2<2>{unstable, 1.0}), lockstep::Error);
  EXPECT_THROW((lk::IirStateSpace<2>{unstable, 1.0}), lockstep::Error);
  unstable.a << 1.0, 0.0, -1.21;  // poles at +-1.1
  EXPECT_THROW((void)lk::iir_tolerance<2>(unstable, 1.0), lockstep::Error);
  lk::IirCoefficients<2> c;
  c.b << 1.0, 0.0, 0.0;
  c.a(0) = 0.0;
  EXPECT_THROW((lk::IirDirectForm1<2>{c, 1.0}), lockstep::Error);
  c.a(0) = 1.0;
  c.b(1) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW((lk::IirStateSpace<2>{c, 1.0}), lockstep::Error);
  c.b(1) = 0.0;
  EXPECT_THROW((lk::IirTransposedDf2<2>{c, 0.0}), lockstep::Error);
  EXPECT_THROW((lk::IirTransposedDf2<2>{c, std::numeric_limits<double>::infinity()}), lockstep::Error);
}

TEST(Filter, BadSamplesHoldOutputAndState) {
  lk::IirCoefficients<1> c;
  c.b << 0.5, 0.0;
  c.a << 1.0, -0.5;
  lk::IirDirectForm1<1> f1(c, 1.0);
  lk::IirTransposedDf2<1> f2(c, 1.0);
  lk::IirStateSpace<1> f3(c, 1.0);
  (void)f1.step(1.0);
  (void)f2.step(1.0);
  (void)f3.step(1.0);
  for (const double bad :
       {std::numeric_limits<double>::quiet_NaN(), 2.0, -std::numeric_limits<double>::infinity()}) {
    const Status expected = std::isfinite(bad) ? Status::out_of_range : Status::non_finite;
    const lk::FilterOutput o[3] = {f1.step(bad), f2.step(bad), f3.step(bad)};
    for (const auto& out : o) {
      EXPECT_EQ(out.status, expected);
      EXPECT_EQ(out.y, 0.5);
    }
  }
  // State untouched: the next good sample continues the step response.
  EXPECT_EQ(f1.step(1.0).y, 0.75);
  EXPECT_EQ(f2.step(1.0).y, 0.75);
  EXPECT_EQ(f3.step(1.0).y, 0.75);
  f1.reset();
  EXPECT_EQ(f1.step(1.0).y, 0.5);
}

TEST(Filter, StepAllocatesNothing) {
  std::mt19937_64 rng(lk::test::kSeed + 41);
  const auto c = random_filter(rng);
  lk::IirDirectForm1<4> f1(c, 1.0);
  lk::IirTransposedDf2<4> f2(c, 1.0);
  lk::IirStateSpace<4> f3(c, 1.0);
  double sink = 0.0;
  lockstep::test::AllocationScope scope;
  for (int k = 0; k < 100; ++k) sink += f1.step(0.5).y + f2.step(0.5).y + f3.step(0.5).y;
  EXPECT_EQ(scope.allocations(), 0U);
  EXPECT_TRUE(std::isfinite(sink));
}
