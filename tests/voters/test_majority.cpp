// Exact majority and plurality: every type, N, missing replicas, quorum, non-finite values.
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

using lockstep::NonFinite;
using lockstep::Outcome;
using lockstep::Quorum;
using lockstep::ReplicaMask;
using lockstep::VoteOptions;
namespace voters = lockstep::voters;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

struct Packet {
  std::int32_t id;
  float x;
  std::array<std::uint8_t, 8> payload;
};

enum class Mode : std::uint8_t { idle, run, fault };

TEST(Majority, IssueSketchOneDissenter) {
  std::array<double, 3> outs{1.0, 1.0, 7.5};
  const auto v = voters::majority(std::span{outs});
  EXPECT_TRUE(v.decided());
  ASSERT_TRUE(v.value.has_value());
  EXPECT_EQ(*v.value, 1.0);
  EXPECT_EQ(v.outcome, Outcome::masked);
  EXPECT_EQ(v.dissent, 0b100U);
  EXPECT_EQ(v.agreeing, 2U);
}

TEST(Majority, UnanimousWhenAllAgree) {
  const std::array<int, 5> outs{4, 4, 4, 4, 4};
  const auto v = voters::majority(outs);
  EXPECT_EQ(v.outcome, Outcome::unanimous);
  EXPECT_EQ(v.dissent, 0U);
  EXPECT_EQ(v.agreeing, 5U);
  EXPECT_EQ(v.value, 4);
}

TEST(Majority, NoMajorityWhenAllDiffer) {
  const std::array<int, 3> outs{1, 2, 3};
  const auto v = voters::majority(std::span{outs});
  EXPECT_FALSE(v.decided());
  EXPECT_FALSE(v.value.has_value());
  EXPECT_EQ(v.outcome, Outcome::no_majority);
  EXPECT_EQ(v.dissent, 0b111U);
  EXPECT_EQ(v.agreeing, 0U);
}

TEST(Majority, TwoOfFourIsNotAMajority) {
  const std::array<int, 4> outs{1, 1, 2, 2};
  EXPECT_FALSE(voters::majority(outs).decided());
  const std::array<int, 4> three{1, 2, 1, 1};
  const auto v = voters::majority(three);
  EXPECT_EQ(v.value, 1);
  EXPECT_EQ(v.dissent, 0b0010U);
}

TEST(Majority, DualModularDecidesOnlyWhenBothAgree) {
  EXPECT_EQ(voters::majority(std::array<int, 2>{3, 3}).outcome, Outcome::unanimous);
  const auto v = voters::majority(std::array<int, 2>{3, 4});
  EXPECT_EQ(v.outcome, Outcome::no_majority);
  EXPECT_EQ(v.dissent, 0b11U);
}

TEST(Majority, EveryNFromTwoToSixteenMasksFloorNMinusOneHalfFaults) {
  for (std::uint32_t n = 2; n <= 16; ++n) {
    std::vector<std::int64_t> outs(n, 42);
    const std::uint32_t faults = (n - 1) / 2;
    for (std::uint32_t k = 0; k < faults; ++k) { outs[n - 1 - k] = 1000 + k; }
    const auto v = voters::majority(std::span<const std::int64_t>{outs});
    ASSERT_TRUE(v.decided()) << "n=" << n;
    EXPECT_EQ(v.value, 42) << "n=" << n;
    EXPECT_EQ(v.agreeing, n - faults) << "n=" << n;
    EXPECT_EQ(v.dissent.count(), faults) << "n=" << n;
    // One more fault than that (all agreeing with each other) and nothing is decided for even n
    // or the wrong group wins only if it is a majority, which it never is here.
    if (faults + 1 < n) {
      outs[n - 1 - faults] = 7;
      const auto w = voters::majority(std::span<const std::int64_t>{outs});
      EXPECT_FALSE(w.decided() && *w.value != 42) << "n=" << n;
    }
  }
}

TEST(Majority, OutOfRangeReplicaCountsDecideNothing) {
  const std::array<int, 1> one{5};
  const auto v1 = voters::majority(one);
  EXPECT_EQ(v1.outcome, Outcome::no_majority);
  EXPECT_EQ(v1.dissent, 0b1U);
  const std::vector<int> none;
  EXPECT_EQ(voters::majority(std::span<const int>{none}).outcome, Outcome::no_majority);
  const std::vector<int> seventeen(17, 1);
  const auto v17 = voters::majority(std::span<const int>{seventeen});
  EXPECT_EQ(v17.outcome, Outcome::no_majority);
  EXPECT_EQ(v17.dissent, ReplicaMask::all());
  EXPECT_EQ(v17.agreeing, 0U);
}

TEST(Majority, MissingReplicaMakesUnanimousVoteMasked) {
  const std::array<double, 3> outs{2.0, 2.0, 0.0};
  VoteOptions o;
  o.present = ReplicaMask{0b011U};
  const auto v = voters::majority(std::span{outs}, o);
  EXPECT_EQ(v.outcome, Outcome::masked);
  EXPECT_EQ(v.value, 2.0);
  EXPECT_EQ(v.dissent, 0U) << "a missing replica is not a dissenter";
  EXPECT_EQ(v.agreeing, 2U);
}

TEST(Majority, QuorumOfConfiguredNeedsMajorityOfAllN) {
  const std::array<int, 5> outs{1, 1, 9, 9, 9};
  VoteOptions o;
  o.present = ReplicaMask{0b00011U};  // two of five present, both agree
  EXPECT_EQ(voters::majority(outs, o).outcome, Outcome::no_majority);
  o.quorum = Quorum::of_present;
  const auto v = voters::majority(outs, o);
  EXPECT_EQ(v.outcome, Outcome::masked);
  EXPECT_EQ(v.value, 1);
  EXPECT_EQ(v.dissent, 0U);
}

TEST(Majority, QuorumOfPresentStillNeedsStrictMajorityOfPresent) {
  const std::array<int, 5> outs{1, 2, 9, 9, 9};
  VoteOptions o;
  o.present = ReplicaMask{0b00011U};
  o.quorum = Quorum::of_present;
  const auto v = voters::majority(outs, o);
  EXPECT_EQ(v.outcome, Outcome::no_majority);
  EXPECT_EQ(v.dissent, 0b00011U);
  o.present = ReplicaMask{};
  EXPECT_EQ(voters::majority(outs, o).outcome, Outcome::no_majority);
  EXPECT_EQ(voters::majority(outs, o).dissent, 0U);
}

TEST(Majority, PresentMaskBeyondNIsIgnored) {
  const std::array<int, 3> outs{1, 1, 1};
  VoteOptions o;
  o.present = ReplicaMask{0xFFF0U | 0b111U};
  EXPECT_EQ(voters::majority(outs, o).outcome, Outcome::unanimous);
}

TEST(Majority, NaNAndInfinityDissentByDefault) {
  const std::array<double, 3> nan3{kNaN, kNaN, 1.0};
  const auto v = voters::majority(nan3);
  EXPECT_EQ(v.outcome, Outcome::no_majority) << "two identical NaNs must not outvote a value";
  const std::array<double, 3> inf3{kInf, 1.0, 1.0};
  const auto w = voters::majority(inf3);
  EXPECT_EQ(w.value, 1.0);
  EXPECT_EQ(w.dissent, 0b001U);
}

TEST(Majority, NonFiniteCompareOptIn) {
  const std::array<double, 3> inf3{kInf, kInf, 1.0};
  VoteOptions o;
  o.non_finite = NonFinite::compare;
  const auto v = voters::majority(inf3, o);
  ASSERT_TRUE(v.decided());
  EXPECT_TRUE(std::isinf(*v.value));
  const std::array<double, 3> nan3{kNaN, kNaN, 1.0};
  EXPECT_TRUE(std::isnan(*voters::majority(nan3, o).value)) << "identical NaN bits agree";
}

TEST(Majority, SignedZerosDifferBitwise) {
  const std::array<double, 3> outs{0.0, -0.0, -0.0};
  const auto v = voters::majority(outs);
  ASSERT_TRUE(v.decided());
  EXPECT_TRUE(std::signbit(*v.value));
  EXPECT_EQ(v.dissent, 0b001U);
}

TEST(Majority, EnumsAndStructsAndArrays) {
  const std::array<Mode, 3> modes{Mode::run, Mode::fault, Mode::run};
  EXPECT_EQ(voters::majority(modes).value, Mode::run);

  Packet p{7, 1.5F, {1, 2, 3, 4, 5, 6, 7, 8}};
  Packet bad = p;
  bad.payload[3] = 99;
  const std::array<Packet, 3> packets{bad, p, p};
  const auto vp = voters::majority(packets);
  ASSERT_TRUE(vp.decided());
  EXPECT_EQ(vp.value->payload[3], 4);
  EXPECT_EQ(vp.dissent, 0b001U);

  using A = std::array<float, 4>;
  const std::array<A, 3> arrays{A{1, 2, 3, 4}, A{1, 2, 3, 4}, A{1, 2, 3, 5}};
  EXPECT_EQ(voters::majority(arrays).dissent, 0b100U);
  const float nanf = std::numeric_limits<float>::quiet_NaN();
  const std::array<A, 3> with_nan{A{1, 2, nanf, 4}, A{1, 2, nanf, 4}, A{1, 2, 3, 4}};
  EXPECT_EQ(voters::majority(with_nan).outcome, Outcome::no_majority)
      << "an array holding NaN dissents as a whole";
}

TEST(Majority, NonTriviallyCopyableUsesOperatorEquals) {
  const std::vector<std::string> outs{"go", "stop", "go"};
  const auto v = voters::majority(std::span<const std::string>{outs});
  EXPECT_EQ(v.value, "go");
  EXPECT_EQ(v.dissent, 0b010U);
}

TEST(Majority, SpansCompareContentsAndLengths) {
  const std::array<double, 4> a{1, 2, 3, 4};
  const std::array<double, 4> b{1, 2, 3, 4};
  const std::array<double, 3> c{1, 2, 3};
  using S = std::span<const double>;
  const std::array<S, 3> outs{S{a}, S{b}, S{c}};
  const auto v = voters::majority(outs);
  ASSERT_TRUE(v.decided());
  EXPECT_EQ(v.value->size(), 4U);
  EXPECT_EQ(v.dissent, 0b100U);
}

TEST(Majority, EigenFixedAndDynamicShapesDissent) {
  const Eigen::Vector3d x{1, 2, 3};
  const std::array<Eigen::Vector3d, 3> fixed{x, x, Eigen::Vector3d{1, 2, 4}};
  EXPECT_EQ(voters::majority(fixed).dissent, 0b100U);

  const Eigen::MatrixXd m = Eigen::MatrixXd::Constant(2, 3, 1.5);
  const Eigen::MatrixXd wrong_shape = Eigen::MatrixXd::Constant(3, 2, 1.5);
  const std::vector<Eigen::MatrixXd> dyn{wrong_shape, m, m};
  const auto v = voters::majority(std::span<const Eigen::MatrixXd>{dyn});
  ASSERT_TRUE(v.decided());
  EXPECT_EQ(v.value->rows(), 2);
  EXPECT_EQ(v.dissent, 0b001U);
  const std::vector<Eigen::MatrixXd> empty{Eigen::MatrixXd{}, Eigen::MatrixXd{}, m};
  EXPECT_EQ(voters::majority(std::span<const Eigen::MatrixXd>{empty}).dissent, 0b100U);
}

TEST(Majority, VectorAndStaticExtentSpans) {
  const std::vector<int> outs{1, 2, 2};
  EXPECT_EQ(voters::majority(outs).value, 2);
  std::array<int, 3> arr{5, 5, 6};
  EXPECT_EQ(voters::majority(std::span<int, 3>{arr}).value, 5);
  EXPECT_EQ(voters::majority(std::span<const int>{arr}).value, 5);
}

TEST(Majority, AllocatesNothingForFixedSizeTypes) {
  const std::array<double, 3> d{1.0, 1.0, 2.0};
  const std::array<Packet, 5> p{};
  const std::array<Eigen::Matrix3d, 3> e{Eigen::Matrix3d::Identity(), Eigen::Matrix3d::Identity(),
                                         Eigen::Matrix3d::Zero()};
  lockstep::test::AllocationScope scope;
  const auto a = voters::majority(d);
  const auto b = voters::majority(p);
  const auto c = voters::majority(e);
  const auto q = voters::plurality(d);
  EXPECT_EQ(scope.allocations(), 0U);
  EXPECT_TRUE(a.decided() && b.decided() && c.decided() && q.decided());
}

TEST(Majority, IsNoexceptAndPassableByValue) {
  const std::array<int, 3> outs{1, 1, 1};
  static_assert(noexcept(voters::majority(std::span{outs})));
  auto voter = voters::majority;  // a function object, copied like an executor would
  EXPECT_TRUE(voter(std::span<const int>{outs}, VoteOptions{}).decided());
}

TEST(Plurality, LargestUniqueGroupDecides) {
  const std::array<int, 5> outs{1, 2, 2, 3, 4};
  const auto v = voters::plurality(outs);
  EXPECT_EQ(v.outcome, Outcome::masked);
  EXPECT_EQ(v.value, 2);
  EXPECT_EQ(v.agreeing, 2U);
  EXPECT_EQ(v.dissent, 0b11001U);
  EXPECT_FALSE(voters::majority(outs).decided());
}

TEST(Plurality, TiesDecideNothing) {
  const std::array<int, 5> outs{1, 1, 2, 2, 3};
  const auto v = voters::plurality(outs);
  EXPECT_EQ(v.outcome, Outcome::no_majority);
  EXPECT_EQ(v.dissent, 0b11111U);
}

TEST(Plurality, ALoneReplicaNeverDecides) {
  const std::array<int, 3> outs{1, 2, 3};
  EXPECT_FALSE(voters::plurality(outs).decided());
  VoteOptions o;
  o.present = ReplicaMask{0b001U};
  EXPECT_FALSE(voters::plurality(outs, o).decided());
}

TEST(Plurality, UnanimousAndMissing) {
  const std::array<int, 4> outs{3, 3, 3, 3};
  EXPECT_EQ(voters::plurality(outs).outcome, Outcome::unanimous);
  VoteOptions o;
  o.present = ReplicaMask{0b0110U};
  const auto v = voters::plurality(outs, o);
  EXPECT_EQ(v.outcome, Outcome::masked);
  EXPECT_EQ(v.agreeing, 2U);
}

}  // namespace
