// Requirements: Wilson 95% intervals and the Leveugle DATE 2009 sample size (docs/sim.md).
#include <gtest/gtest.h>

#include <lockstep/sim/statistics.hpp>

namespace ls = lockstep::sim;

TEST(WilsonInterval, ZeroOfHundredThousandGivesTheRuleOfThreeScale) {
  const ls::Interval i = ls::wilson_interval(0, 100000);
  EXPECT_EQ(i.lo, 0.0);
  EXPECT_NEAR(i.hi, 3.84e-5, 0.01e-5);  // z^2 / (n + z^2)
}

TEST(WilsonInterval, MatchesTextbookValue) {
  // 5 of 10 at 95%: [0.2366, 0.7634] (Newcombe 1998, Table I method 3).
  const ls::Interval i = ls::wilson_interval(5, 10);
  EXPECT_NEAR(i.lo, 0.2366, 1e-4);
  EXPECT_NEAR(i.hi, 0.7634, 1e-4);
  const ls::Interval all = ls::wilson_interval(10, 10);
  EXPECT_EQ(all.hi, 1.0);
  EXPECT_NEAR(all.lo, 0.7225, 1e-4);
}

TEST(WilsonInterval, BoundaryInputsAreDefined) {
  const ls::Interval none = ls::wilson_interval(0, 0);
  EXPECT_EQ(none.lo, 0.0);
  EXPECT_EQ(none.hi, 1.0);
  const ls::Interval clamped = ls::wilson_interval(20, 10);  // successes > trials clamped
  EXPECT_EQ(clamped.hi, 1.0);
  EXPECT_GT(clamped.lo, 0.7);
}

TEST(WilsonInterval, ContainsThePointEstimate) {
  for (std::uint64_t n : {1ULL, 7ULL, 100ULL, 12345ULL}) {
    for (std::uint64_t k = 0; k <= n; k += (n / 7) + 1) {
      const ls::Interval i = ls::wilson_interval(k, n);
      const double p = static_cast<double>(k) / static_cast<double>(n);
      EXPECT_LE(i.lo, p) << k << "/" << n;
      EXPECT_GE(i.hi, p) << k << "/" << n;
    }
  }
}

TEST(LeveugleSampleSize, InfinitePopulationOnePercentAt95) {
  EXPECT_EQ(ls::leveugle_sample_size(0, 0.01), 9604U);
  EXPECT_EQ(ls::leveugle_sample_size(0, 0.05), 385U);
}

TEST(LeveugleSampleSize, FinitePopulationNeedsFewer) {
  // N = 10,000, e = 1%, 95%: n = N / (1 + e^2 (N-1) / (t^2 p(1-p))) = 4900 (Leveugle et al. eq. 4).
  EXPECT_EQ(ls::leveugle_sample_size(10000, 0.01), 4900U);
  EXPECT_EQ(ls::leveugle_sample_size(100, 0.0001), 100U);  // never more than the population
  EXPECT_GT(ls::leveugle_sample_size(0, 0.01, 0.99), 9604U);
}

TEST(LeveugleSampleSize, BadArgumentsGiveZero) {
  EXPECT_EQ(ls::leveugle_sample_size(0, 0.0), 0U);
  EXPECT_EQ(ls::leveugle_sample_size(0, -1.0), 0U);
  EXPECT_EQ(ls::leveugle_sample_size(0, 0.01, 1.0), 0U);
  EXPECT_EQ(ls::leveugle_sample_size(0, 0.01, 0.95, 0.0), 0U);
}

TEST(NormalQuantile, TableAndApproximation) {
  EXPECT_NEAR(ls::normal_quantile_two_sided(0.95), 1.959964, 1e-6);
  EXPECT_NEAR(ls::normal_quantile_two_sided(0.98), 2.326348, 5e-4);
  EXPECT_EQ(ls::normal_quantile_two_sided(1.5), 0.0);
}
