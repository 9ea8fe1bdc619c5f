// Tolerance voters: absolute/relative/ULP agreement, the non-transitive grouping rule, .with().
#include <lockstep/voters.hpp>

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "alloc_counter.hpp"

namespace {

using lockstep::NonFinite;
using lockstep::Outcome;
using lockstep::ReplicaMask;
using lockstep::Tolerance;
using lockstep::VoteOptions;
namespace voters = lockstep::voters;

TEST(InexactMajority, IssueSketch) {
  std::array<double, 3> outs{1.0, 1.0, 7.5};
  const auto m = voters::inexact_majority(std::span{outs}, Tolerance::absolute(1e-9));
  EXPECT_EQ(m.value, 1.0);
  EXPECT_EQ(m.outcome, Outcome::masked);
  EXPECT_EQ(m.dissent, 0b100U);
  EXPECT_EQ(m.agreeing, 2U);
}

TEST(InexactMajority, AbsoluteToleranceMasksSmallDifferences) {
  const std::array<double, 3> outs{1.0, 1.0 + 1e-12, 1.0 - 1e-12};
  const auto v = voters::inexact_majority(outs, Tolerance::absolute(1e-9));
  EXPECT_EQ(v.outcome, Outcome::unanimous);
  EXPECT_EQ(v.value, 1.0);
  EXPECT_FALSE(voters::majority(outs).decided());
}

TEST(InexactMajority, NonTransitiveChainCentresOnTheMiddle) {
  // a~b, b~c, not a~c: b's group holds all three, so b is delivered and nobody dissents.
  const std::array<double, 3> outs{0.0, 1.0, 2.0};
  const auto v = voters::inexact_majority(outs, Tolerance::absolute(1.0));
  EXPECT_EQ(v.value, 1.0);
  EXPECT_EQ(v.outcome, Outcome::unanimous);
  EXPECT_EQ(v.agreeing, 3U);
  // The same values in another order: the centre is found wherever it sits.
  const std::array<double, 3> perm{2.0, 0.0, 1.0};
  EXPECT_EQ(voters::inexact_majority(perm, Tolerance::absolute(1.0)).value, 1.0);
}

TEST(InexactMajority, NonTransitiveChainOfFourIsAmbiguous) {
  // 0~1, 1~2, 2~3: groups {0,1,2} around 1 and {1,2,3} around 2 differ and tie -> no decision.
  const std::array<double, 4> outs{0.0, 1.0, 2.0, 3.0};
  const auto v = voters::inexact_majority(outs, Tolerance::absolute(1.0));
  EXPECT_EQ(v.outcome, Outcome::no_majority);
  EXPECT_EQ(v.dissent, 0b1111U);
  EXPECT_EQ(voters::inexact_plurality(outs, Tolerance::absolute(1.0)).outcome, Outcome::no_majority);
}

TEST(InexactMajority, IdenticalGroupsAroundDifferentCentresAreOneGroup) {
  // 0~0.5 and nothing else: the groups around 0 and 0.5 are the same set {0,1}; centre 0.
  const std::array<double, 3> outs{0.0, 0.5, 10.0};
  const auto v = voters::inexact_majority(outs, Tolerance::absolute(1.0));
  EXPECT_EQ(v.value, 0.0);
  EXPECT_EQ(v.dissent, 0b100U);
  EXPECT_EQ(v.agreeing, 2U);
}

TEST(InexactMajority, AChainEndDissentsWhenTheMiddleIsMissing) {
  const std::array<double, 3> outs{0.0, 1.0, 2.0};
  VoteOptions o;
  o.present = ReplicaMask{0b101U};
  const auto v = voters::inexact_majority(outs, Tolerance::absolute(1.0), o);
  EXPECT_EQ(v.outcome, Outcome::no_majority);
  EXPECT_EQ(v.dissent, 0b101U);
}

TEST(InexactMajority, RelativeTolerance) {
  const std::array<double, 3> outs{1000.0, 1000.5, 1200.0};
  const auto v = voters::inexact_majority(outs, Tolerance::relative(1e-3));
  EXPECT_EQ(v.value, 1000.0);
  EXPECT_EQ(v.dissent, 0b100U);
  EXPECT_FALSE(voters::inexact_majority(outs, Tolerance::relative(1e-4)).decided());
}

TEST(InexactMajority, UlpToleranceCountsRepresentableSteps) {
  const double x = 1.0;
  const double up2 = std::nextafter(std::nextafter(x, 2.0), 2.0);
  const double up5 = x + 5 * std::numeric_limits<double>::epsilon();
  const std::array<double, 3> outs{x, up2, up5};
  EXPECT_EQ(voters::inexact_majority(outs, Tolerance::ulp(2)).dissent, 0b100U);
  EXPECT_FALSE(voters::inexact_majority(outs, Tolerance::ulp(1)).decided());
  EXPECT_EQ(voters::inexact_majority(outs, Tolerance::ulp(5)).outcome, Outcome::unanimous);
  // Signed zeros are 0 ULP apart; across zero counts steps on both sides.
  const std::array<double, 3> zeros{0.0, -0.0, std::numeric_limits<double>::denorm_min()};
  EXPECT_EQ(voters::inexact_majority(zeros, Tolerance::ulp(1)).outcome, Outcome::unanimous);
  const std::array<float, 3> f{1.0F, std::nextafter(1.0F, 2.0F), 1.5F};
  EXPECT_EQ(voters::inexact_majority(f, Tolerance::ulp(1)).dissent, 0b100U);
}

TEST(InexactMajority, BadToleranceOnlyLetsIdenticalValuesAgree) {
  const std::array<double, 3> outs{1.0, 1.0, 1.0 + 1e-15};
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const auto v = voters::inexact_majority(outs, Tolerance::absolute(nan));
  EXPECT_EQ(v.value, 1.0);
  EXPECT_EQ(v.dissent, 0b100U);
  EXPECT_EQ(voters::inexact_majority(outs, Tolerance::absolute(-1.0)).dissent, 0b100U);
}

TEST(InexactMajority, NonFiniteDissentsUnlessCompared) {
  const double inf = std::numeric_limits<double>::infinity();
  const std::array<double, 3> outs{inf, inf, 1.0};
  EXPECT_FALSE(voters::inexact_majority(outs, Tolerance::absolute(1.0)).decided());
  VoteOptions o;
  o.non_finite = NonFinite::compare;
  EXPECT_TRUE(std::isinf(*voters::inexact_majority(outs, Tolerance::absolute(1.0), o).value));
  // Huge tolerance still does not let a NaN agree with a number.
  const std::array<double, 3> nan3{std::nan(""), 1.0, 1.0};
  EXPECT_EQ(voters::inexact_majority(nan3, Tolerance::absolute(1e300), o).dissent, 0b001U);
}

TEST(InexactMajority, IntegersUseExactUnitDistances) {
  const std::array<std::int64_t, 3> outs{std::numeric_limits<std::int64_t>::min(), 5, 7};
  const auto v = voters::inexact_majority(outs, Tolerance::absolute(2.0));
  EXPECT_EQ(v.value, 5);
  EXPECT_EQ(v.dissent, 0b001U);
  const std::array<std::uint8_t, 3> u{250, 255, 0};
  EXPECT_EQ(voters::inexact_majority(u, Tolerance::ulp(5)).dissent, 0b100U);
}

TEST(InexactMajority, ArraysAgreeWhenEveryElementDoes) {
  using A = std::array<double, 3>;
  const std::array<A, 3> outs{A{1, 2, 3}, A{1, 2, 3.0000001}, A{1, 2.1, 3}};
  const auto v = voters::inexact_majority(outs, Tolerance::absolute(1e-3));
  EXPECT_EQ(v.dissent, 0b100U);
  EXPECT_EQ(v.value, (A{1, 2, 3}));
}

TEST(InexactMajority, SpansOfDifferentLengthsDissent) {
  const std::array<double, 3> a{1, 2, 3};
  const std::array<double, 2> b{1, 2};
  using S = std::span<const double>;
  const std::array<S, 3> outs{S{a}, S{b}, S{a}};
  EXPECT_EQ(voters::inexact_majority(outs, Tolerance::absolute(0.1)).dissent, 0b010U);
}

TEST(InexactMajority, EigenFixedAndDynamic) {
  const Eigen::Vector2d x{1.0, 2.0};
  const std::array<Eigen::Vector2d, 3> fixed{x, x + Eigen::Vector2d::Constant(1e-12),
                                             Eigen::Vector2d{1.0, 3.0}};
  EXPECT_EQ(voters::inexact_majority(fixed, Tolerance::absolute(1e-9)).dissent, 0b100U);
  const std::vector<Eigen::VectorXd> dyn{Eigen::VectorXd::Zero(3), Eigen::VectorXd::Zero(4),
                                         Eigen::VectorXd::Zero(3)};
  const auto v = voters::inexact_majority(std::span<const Eigen::VectorXd>{dyn}, Tolerance::absolute(1.0));
  EXPECT_EQ(v.dissent, 0b010U);
  EXPECT_EQ(v.value->size(), 3);
}

TEST(InexactMajority, WithBindsTheToleranceIntoThePlainVoterShape) {
  const auto voter = voters::inexact_majority.with(Tolerance::absolute(0.5));
  const std::array<double, 3> outs{1.0, 1.2, 9.0};
  const auto v = voter(std::span<const double>{outs}, VoteOptions{});
  EXPECT_EQ(v.value, 1.0);
  EXPECT_EQ(voter(outs).dissent, 0b100U);
  static_assert(noexcept(voter(std::span<const double>{outs}, VoteOptions{})));
  const auto p = voters::inexact_plurality.with(Tolerance::absolute(0.5));
  EXPECT_TRUE(p(outs).decided());
}

TEST(InexactPlurality, DecidesLargestGroupBelowMajority) {
  const std::array<double, 5> outs{1.0, 1.01, 5.0, 9.0, 13.0};
  const auto v = voters::inexact_plurality(outs, Tolerance::absolute(0.1));
  EXPECT_EQ(v.value, 1.0);
  EXPECT_EQ(v.agreeing, 2U);
  EXPECT_EQ(v.outcome, Outcome::masked);
  EXPECT_FALSE(voters::inexact_majority(outs, Tolerance::absolute(0.1)).decided());
  const std::array<double, 4> tie{1.0, 1.01, 5.0, 5.01};
  EXPECT_FALSE(voters::inexact_plurality(tie, Tolerance::absolute(0.1)).decided());
}

TEST(InexactMajority, AllocatesNothing) {
  const std::array<double, 5> d{1, 1, 1, 2, 1};
  const std::array<Eigen::Matrix<double, 4, 4>, 3> e{Eigen::Matrix4d::Ones(), Eigen::Matrix4d::Ones(),
                                                     Eigen::Matrix4d::Zero()};
  lockstep::test::AllocationScope scope;
  const auto a = voters::inexact_majority(d, Tolerance::relative(1e-9));
  const auto b = voters::inexact_majority(e, Tolerance::ulp(3));
  const auto c = voters::inexact_plurality.with(Tolerance::absolute(0.0))(d);
  EXPECT_EQ(scope.allocations(), 0U);
  EXPECT_TRUE(a.decided() && b.decided() && c.decided());
}

}  // namespace
