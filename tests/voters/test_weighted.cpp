// Weighted average and the history voter.
#include <lockstep/voters.hpp>

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "alloc_counter.hpp"

namespace {

using lockstep::Outcome;
using lockstep::Quorum;
using lockstep::ReplicaMask;
using lockstep::Tolerance;
using lockstep::VoteOptions;
namespace voters = lockstep::voters;

TEST(WeightedAverage, EqualOutputsGiveThatOutput) {
  const std::array<double, 3> outs{2.5, 2.5, 2.5};
  const auto v = voters::weighted_average(outs, Tolerance::absolute(0.1));
  EXPECT_EQ(v.value, 2.5);
  EXPECT_EQ(v.outcome, Outcome::unanimous);
}

TEST(WeightedAverage, SmallDifferencesAreAveraged) {
  const std::array<double, 3> outs{1.00, 1.02, 1.04};
  const auto v = voters::weighted_average(outs, Tolerance::absolute(0.1));
  ASSERT_TRUE(v.decided());
  EXPECT_NEAR(*v.value, 1.02, 1e-12) << "symmetric spread averages to the middle";
  EXPECT_EQ(v.outcome, Outcome::unanimous);
}

TEST(WeightedAverage, FarOutlierHasAlmostNoPull) {
  const std::array<double, 3> outs{1.0, 1.0, 1000.0};
  const auto v = voters::weighted_average(outs, Tolerance::absolute(0.01));
  ASSERT_TRUE(v.decided());
  EXPECT_NEAR(*v.value, 1.0, 1e-3);
  EXPECT_EQ(v.dissent, 0b100U);
  EXPECT_EQ(v.agreeing, 2U);
}

TEST(WeightedAverage, NoQuorumNearTheAverageDecidesNothing) {
  const std::array<double, 3> outs{0.0, 10.0, 20.0};
  const auto v = voters::weighted_average(outs, Tolerance::absolute(0.5));
  EXPECT_FALSE(v.decided());
  EXPECT_FALSE(v.value.has_value());
  EXPECT_EQ(v.dissent, 0b111U);
}

TEST(WeightedAverage, ZeroToleranceNeedsExactAgreement) {
  const std::array<double, 3> outs{3.0, 3.0, 4.0};
  const auto v = voters::weighted_average(outs, Tolerance::absolute(0.0));
  EXPECT_EQ(v.value, 3.0);
  EXPECT_EQ(v.dissent, 0b100U);
}

TEST(WeightedAverage, RelativeAndUlpScales) {
  const std::array<double, 3> outs{1000.0, 1000.001, 2000.0};
  EXPECT_EQ(voters::weighted_average(outs, Tolerance::relative(1e-5)).dissent, 0b100U);
  const double x = 1.0;
  const std::array<double, 3> ulps{x, std::nextafter(x, 2.0), 3.0};
  EXPECT_EQ(voters::weighted_average(ulps, Tolerance::ulp(4)).dissent, 0b100U);
}

TEST(WeightedAverage, ArraysAndEigenElementWise) {
  using A = std::array<double, 2>;
  const std::array<A, 3> outs{A{1, 2}, A{1, 2}, A{100, 2}};
  const auto v = voters::weighted_average(outs, Tolerance::absolute(0.01));
  ASSERT_TRUE(v.decided());
  EXPECT_NEAR((*v.value)[0], 1.0, 1e-3);
  EXPECT_EQ(v.dissent, 0b100U);
  const std::vector<Eigen::VectorXd> dyn{Eigen::VectorXd::Ones(2), Eigen::VectorXd::Ones(3),
                                         Eigen::VectorXd::Ones(2)};
  const auto e = voters::weighted_average(std::span<const Eigen::VectorXd>{dyn}, Tolerance::absolute(0.1));
  EXPECT_EQ(e.dissent, 0b010U);
  EXPECT_EQ(e.value->size(), 2);
}

TEST(WeightedAverage, NonFiniteAndMissing) {
  const std::array<double, 3> outs{std::nan(""), 1.0, 1.0};
  EXPECT_EQ(voters::weighted_average(outs, Tolerance::absolute(0.1)).dissent, 0b001U);
  VoteOptions o;
  o.present = ReplicaMask{0b001U};
  EXPECT_FALSE(voters::weighted_average(outs, Tolerance::absolute(0.1), o).decided());
}

TEST(WeightedAverage, WithAndNoAllocation) {
  const auto voter = voters::weighted_average.with(Tolerance::absolute(0.1));
  const std::array<Eigen::Vector3d, 3> outs{Eigen::Vector3d::Ones(), Eigen::Vector3d::Ones(),
                                            Eigen::Vector3d::Zero()};
  lockstep::test::AllocationScope scope;
  const auto v = voter(outs);
  EXPECT_EQ(scope.allocations(), 0U);
  EXPECT_EQ(v.dissent, 0b100U);
}

TEST(HistoryVoter, BehavesLikeMajorityWithFreshRecords) {
  voters::HistoryVoter<int> voter{3};
  const std::array<int, 3> outs{5, 5, 6};
  const auto v = voter(outs);
  EXPECT_EQ(v.value, 5);
  EXPECT_EQ(v.dissent, 0b100U);
  EXPECT_EQ(v.outcome, Outcome::masked);
  EXPECT_LT(voter.record(2), 1.0);
  EXPECT_EQ(voter.record(0), 1.0);
  EXPECT_EQ(voter.decided_votes(), 1U);
}

TEST(HistoryVoter, TrustedPairOutvotesAPairWithABadRecord) {
  // Five replicas; 3 and 4 keep failing (differently) and lose weight. Later 3 and 4 agree on a
  // wrong value while one good replica is missing: 2 good vs 2 bad is a tie for plain majority
  // voting, but the good pair's record decides.
  voters::HistoryVoter<double> voter{5, {.learning_rate = 0.2}};
  for (int k = 0; k < 20; ++k) {
    const std::array<double, 5> outs{1.0, 1.0, 1.0, 7.0 + k, -7.0 - k};
    ASSERT_TRUE(voter(outs).decided());
  }
  EXPECT_LT(voter.record(3), 0.05);
  EXPECT_GT(voter.record(0), 0.99);
  const std::array<double, 5> outs{2.0, 2.0, 0.0, 9.0, 9.0};
  VoteOptions o;
  o.present = ReplicaMask{0b11011U};
  EXPECT_FALSE(voters::majority(outs, o).decided());
  const auto v = voter(outs, o);
  ASSERT_TRUE(v.decided());
  EXPECT_EQ(v.value, 2.0);
  EXPECT_EQ(v.dissent, 0b11000U);
}

TEST(HistoryVoter, MinAgreeingStopsALoneTrustedReplica) {
  // Five replicas: 1 and 2 keep failing and earn bad records. Then 3 and 4 are missing and the
  // bad pair agrees against a lone, trusted replica 0 (quorum of the present ones).
  auto train = [](voters::HistoryVoter<int>& voter) {
    for (int k = 0; k < 10; ++k) {
      ASSERT_TRUE(voter(std::array<int, 5>{1, 100 + k, 200 + k, 1, 1}).decided());
    }
  };
  VoteOptions o;
  o.present = ReplicaMask{0b00111U};
  o.quorum = Quorum::of_present;
  const std::array<int, 5> outs{5, 6, 6, 0, 0};

  voters::HistoryVoter<int> voter{5, {.learning_rate = 0.5}};
  train(voter);
  EXPECT_LT(voter.record(1), 0.02);
  const auto v = voter(outs, o);
  EXPECT_FALSE(v.decided()) << "the pair lacks the score, replica 0 alone lacks the members";
  EXPECT_EQ(v.dissent, 0b00111U);

  voters::HistoryVoter<int> lenient{5, {.learning_rate = 0.5, .min_agreeing = 1}};
  train(lenient);
  const auto w = lenient(outs, o);
  EXPECT_EQ(w.value, 5) << "with min_agreeing = 1 the trusted replica decides alone";
  EXPECT_EQ(w.dissent, 0b00110U);
}

TEST(HistoryVoter, RecordsRecoverAndReset) {
  voters::HistoryVoter<int> voter{3, {.learning_rate = 0.5, .floor = 0.1}};
  for (int k = 0; k < 20; ++k) { (void)voter(std::array<int, 3>{1, 1, 2}); }
  EXPECT_DOUBLE_EQ(voter.record(2), 0.1) << "floored";
  for (int k = 0; k < 20; ++k) { (void)voter(std::array<int, 3>{1, 1, 1}); }
  EXPECT_GT(voter.record(2), 0.99);
  voter.reset();
  EXPECT_EQ(voter.record(2), 1.0);
  EXPECT_EQ(voter.records().size(), 3U);
  EXPECT_EQ(voter.record(7), 0.0);
}

TEST(HistoryVoter, MissingReplicasKeepTheirRecord) {
  voters::HistoryVoter<int> voter{3};
  VoteOptions o;
  o.present = ReplicaMask{0b011U};
  EXPECT_EQ(voter(std::array<int, 3>{4, 4, 0}, o).outcome, Outcome::masked);
  EXPECT_EQ(voter.record(2), 1.0);
}

TEST(HistoryVoter, WrongSizeDecidesNothingAndBadConfigThrows) {
  voters::HistoryVoter<int> voter{3};
  EXPECT_FALSE(voter(std::array<int, 4>{1, 1, 1, 1}).decided());
  EXPECT_EQ(voter.decided_votes(), 0U);
  EXPECT_THROW(voters::HistoryVoter<int>(1), lockstep::Error);
  EXPECT_THROW(voters::HistoryVoter<int>(17), lockstep::Error);
  EXPECT_THROW(voters::HistoryVoter<int>(3, {.learning_rate = 0.0}), lockstep::Error);
  EXPECT_THROW(voters::HistoryVoter<int>(3, {.floor = 1.0}), lockstep::Error);
  EXPECT_THROW(voters::HistoryVoter<int>(3, {.min_agreeing = 0}), lockstep::Error);
  try {
    voters::HistoryVoter<int> bad{20};
    FAIL();
  } catch (const lockstep::Error& e) { EXPECT_NE(std::string{e.what()}.find("20"), std::string::npos); }
}

TEST(HistoryVoter, ToleranceQuorumOfPresentAndNoAllocation) {
  voters::HistoryVoter<Eigen::Vector2d> voter{3, {.tolerance = Tolerance::absolute(1e-6)}};
  const std::array<Eigen::Vector2d, 3> outs{Eigen::Vector2d{1, 1}, Eigen::Vector2d{1, 1 + 1e-9},
                                            Eigen::Vector2d{0, 0}};
  VoteOptions o;
  o.quorum = Quorum::of_present;
  lockstep::test::AllocationScope scope;
  const auto v = voter(outs, o);
  EXPECT_EQ(scope.allocations(), 0U);
  EXPECT_EQ(v.dissent, 0b100U);
}

}  // namespace
