// Median and mid-value select: scalars, arrays, Eigen, even counts, missing and non-finite replicas.
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
using lockstep::Quorum;
using lockstep::ReplicaMask;
using lockstep::Tolerance;
using lockstep::VoteOptions;
namespace voters = lockstep::voters;

TEST(MidValue, DocsExampleHundredHundredHundredThousand) {
  const std::array<double, 3> outs{100.0, 100.0, 100000.0};
  const auto v = voters::mid_value(std::span{outs});
  EXPECT_EQ(v.value, 100.0);
  EXPECT_EQ(v.outcome, Outcome::masked);
  EXPECT_EQ(v.dissent, 0b100U);
  EXPECT_EQ(v.agreeing, 2U);
  EXPECT_EQ(voters::median(outs).value, 100.0);
}

TEST(Median, PicksTheMiddleWhateverTheOutliers) {
  const std::array<double, 5> outs{-1e300, 3.0, 1.0, 2.0, 1e300};
  const auto v = voters::median(outs);
  EXPECT_EQ(v.value, 2.0);
  EXPECT_EQ(v.agreeing, 1U);
  EXPECT_EQ(v.dissent, 0b10111U) << "only replica 3 holds the median";
  EXPECT_EQ(v.outcome, Outcome::masked);
}

TEST(Median, EvenCountTakesLowerMiddleMidValueTakesMidpoint) {
  const std::array<double, 4> outs{4.0, 1.0, 3.0, 2.0};
  EXPECT_EQ(voters::median(outs).value, 2.0);
  EXPECT_EQ(voters::mid_value(outs).value, 2.5);
  const std::array<int, 4> ints{4, 1, 3, 2};
  EXPECT_EQ(voters::mid_value(ints).value, 2) << "std::midpoint rounds towards the lower middle";
  const std::array<std::int64_t, 2> big{std::numeric_limits<std::int64_t>::max(),
                                        std::numeric_limits<std::int64_t>::max() - 2};
  EXPECT_EQ(voters::mid_value(big).value, std::numeric_limits<std::int64_t>::max() - 1) << "no overflow";
}

TEST(Median, UnanimousOnlyWhenAllPresentAndEqual) {
  const std::array<float, 3> outs{2.0F, 2.0F, 2.0F};
  EXPECT_EQ(voters::median(outs).outcome, Outcome::unanimous);
  VoteOptions o;
  o.present = ReplicaMask{0b011U};
  const auto v = voters::median(outs, o);
  EXPECT_EQ(v.outcome, Outcome::masked);
  EXPECT_EQ(v.dissent, 0U);
}

TEST(Median, NeedsAQuorumOfEligibleReplicas) {
  const std::array<double, 5> outs{1, 2, 3, 4, 5};
  VoteOptions o;
  o.present = ReplicaMask{0b00011U};
  const auto v = voters::median(outs, o);
  EXPECT_EQ(v.outcome, Outcome::no_majority);
  EXPECT_EQ(v.dissent, 0b00011U);
  o.quorum = Quorum::of_present;
  EXPECT_EQ(voters::median(outs, o).value, 1.0);
}

TEST(Median, NonFiniteReplicasAreLeftOut) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const std::array<double, 5> outs{nan, 1.0, inf, 2.0, 3.0};
  const auto v = voters::median(outs);
  EXPECT_EQ(v.value, 2.0);
  EXPECT_TRUE(v.dissent.test(0) && v.dissent.test(2));
  const std::array<double, 3> two_bad{nan, inf, 1.0};
  EXPECT_FALSE(voters::median(two_bad).decided());
  VoteOptions o;
  o.non_finite = NonFinite::compare;
  const std::array<double, 3> infs{inf, 1.0, inf};
  EXPECT_TRUE(std::isinf(*voters::median(infs, o).value));
}

TEST(Median, ToleranceDecidesWhoAgrees) {
  const std::array<double, 3> outs{1.0, 1.001, 5.0};
  const auto exact = voters::median(outs);
  EXPECT_EQ(exact.value, 1.001);
  EXPECT_EQ(exact.dissent, 0b101U);
  const auto tol = voters::median(outs, Tolerance::absolute(0.01));
  EXPECT_EQ(tol.value, 1.001);
  EXPECT_EQ(tol.dissent, 0b100U);
  const auto bound = voters::mid_value.with(Tolerance::absolute(0.01));
  EXPECT_EQ(bound(outs).dissent, 0b100U);
}

TEST(Median, ElementWiseForArrays) {
  using A = std::array<double, 3>;
  const std::array<A, 3> outs{A{1, 20, 3}, A{9, 2, 3}, A{1, 2, 30}};
  const auto v = voters::median(outs);
  EXPECT_EQ(v.value, (A{1, 2, 3}));
  EXPECT_EQ(v.dissent, 0b111U) << "no replica equals the element-wise median";
  EXPECT_EQ(v.outcome, Outcome::masked);
}

TEST(Median, ElementWiseForEigenFixedAndDynamic) {
  Eigen::Matrix2d a;
  a << 1, 2, 3, 4;
  Eigen::Matrix2d b = a;
  b(1, 0) = 100;
  Eigen::Matrix2d c = a;
  c(0, 1) = -100;
  const std::array<Eigen::Matrix2d, 3> fixed{a, b, c};
  EXPECT_EQ(*voters::median(fixed).value, a);

  const Eigen::MatrixXd m = Eigen::MatrixXd::Constant(2, 3, 1.0);
  const Eigen::MatrixXd wide = Eigen::MatrixXd::Constant(3, 3, 1.0);
  const std::vector<Eigen::MatrixXd> dyn{m, wide, 2 * m};
  const auto v = voters::mid_value(std::span<const Eigen::MatrixXd>{dyn});
  ASSERT_TRUE(v.decided());
  EXPECT_EQ(v.value->rows(), 2);
  EXPECT_EQ(v.value->cols(), 3);
  EXPECT_DOUBLE_EQ((*v.value)(1, 2), 1.5);
  EXPECT_TRUE(v.dissent.test(1));
  const std::vector<Eigen::MatrixXd> shapes{m, wide, Eigen::MatrixXd::Zero(1, 1)};
  EXPECT_FALSE(voters::median(std::span<const Eigen::MatrixXd>{shapes}).decided());
}

TEST(Median, OutOfRangeNDecidesNothing) {
  const std::array<double, 1> one{1.0};
  EXPECT_FALSE(voters::median(one).decided());
  const std::vector<double> many(17, 1.0);
  EXPECT_FALSE(voters::mid_value(std::span<const double>{many}).decided());
}

TEST(Median, AllocatesNothingForFixedSizeTypes) {
  const std::array<double, 7> d{7, 6, 5, 4, 3, 2, 1};
  const std::array<std::array<float, 16>, 3> arr{};
  const std::array<Eigen::Vector4d, 4> e{Eigen::Vector4d::Ones(), Eigen::Vector4d::Zero(),
                                         Eigen::Vector4d::Ones(), Eigen::Vector4d::Ones()};
  lockstep::test::AllocationScope scope;
  const auto a = voters::median(d);
  const auto b = voters::mid_value(arr);
  const auto c = voters::median(e, Tolerance::absolute(0.1));
  EXPECT_EQ(scope.allocations(), 0U);
  EXPECT_EQ(a.value, 4.0);
  EXPECT_TRUE(b.decided() && c.decided());
}

}  // namespace
