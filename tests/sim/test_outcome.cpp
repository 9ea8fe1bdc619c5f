// Requirements: the trial classification rule (docs/sim.md "Outcomes"), on synthetic
// observations of golden vs faulty calls.
#include <gtest/gtest.h>

#include <lockstep/sim/outcome.hpp>

namespace ls = lockstep::sim;
using ls::TrialOutcome;

namespace {
ls::CallObservation obs(bool changed, bool decided, bool correct, bool recovered = false,
                        bool timed_out = false) {
  ls::CallObservation o;
  o.any_replica_changed = changed;
  o.decided = decided;
  o.delivered_correct = correct;
  o.signalled = !decided || recovered;
  o.recovered = recovered;
  o.timed_out = timed_out;
  return o;
}
}  // namespace

TEST(Classify, NothingChangedIsBenign) {
  EXPECT_EQ(ls::classify(obs(false, true, true)), TrialOutcome::benign);
}

TEST(Classify, WrongReplicaCorrectDeliveryIsMasked) {
  EXPECT_EQ(ls::classify(obs(true, true, true)), TrialOutcome::masked);
}

TEST(Classify, NoDecisionIsDetected) {
  EXPECT_EQ(ls::classify(obs(true, false, false)), TrialOutcome::detected);
}

TEST(Classify, RetryThatDeliversCorrectlyIsRecovered) {
  EXPECT_EQ(ls::classify(obs(true, true, true, true)), TrialOutcome::recovered);
}

TEST(Classify, WrongDeliveryIsSdcEvenAfterARetry) {
  EXPECT_EQ(ls::classify(obs(true, true, false)), TrialOutcome::sdc);
  EXPECT_EQ(ls::classify(obs(true, true, false, true)), TrialOutcome::sdc);
  EXPECT_EQ(ls::classify(obs(false, true, false)), TrialOutcome::sdc) << "wrong is wrong, however it came";
}

TEST(Classify, NoResultInTimeIsTimeout) {
  EXPECT_EQ(ls::classify(obs(true, false, false, false, true)), TrialOutcome::timeout);
  EXPECT_EQ(ls::classify(obs(true, true, true, false, true)), TrialOutcome::timeout)
      << "a correct value after the deadline bound is still a timeout";
}

TEST(Outcome, NamesRoundTripAndValuesAreStable) {
  for (const TrialOutcome o : ls::kAllOutcomes) EXPECT_EQ(ls::parse_outcome(ls::to_string(o)), o);
  EXPECT_FALSE(ls::parse_outcome("lost").has_value());
  EXPECT_EQ(static_cast<int>(TrialOutcome::sdc), 4) << "stored in databases: never renumber";
  EXPECT_EQ(static_cast<int>(TrialOutcome::timeout), 5);
}

TEST(OutcomeCounts, AddsAndTotals) {
  ls::OutcomeCounts c;
  c.add(TrialOutcome::masked, 3);
  c.add(TrialOutcome::sdc);
  EXPECT_EQ(c[TrialOutcome::masked], 3U);
  EXPECT_EQ(c.total(), 4U);
}
