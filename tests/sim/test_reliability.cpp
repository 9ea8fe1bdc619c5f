// Reliability models: closed forms against hand-computed numbers, the Markov solutions against
// the textbook formulas, Monte Carlo inside its interval for fixed seeds, and the CLI contract.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "lockstep/core/error.hpp"
#include "lockstep/sim/reliability/reliability.hpp"

namespace rel = lockstep::sim::reliability;

namespace {

rel::ModelSpec spec(rel::Model m, rel::Metric metric, double lambda, double time, double mu = 0.0,
                    double rv = 1.0, std::uint32_t n = 0) {
  rel::ModelSpec s;
  s.model = m;
  s.metric = metric;
  s.lambda = lambda;
  s.time = time;
  s.mu = mu;
  s.voter_reliability = rv;
  s.n = n != 0U ? n : rel::units(rel::ModelSpec{.model = m, .n = 3});
  return s;
}

}  // namespace

TEST(ReliabilityAnalytic, MOfNMatchesHandComputedSums) {
  // TMR: 3R^2 - 2R^3 at R = 0.9 -> 0.972.
  EXPECT_NEAR(rel::m_of_n(2, 3, 0.9), 0.972, 1e-12);
  // 5MR: R^5 + 5R^4(1-R) + 10R^3(1-R)^2 at R = 0.9 -> 0.59049 + 0.32805 + 0.0729 = 0.99144.
  EXPECT_NEAR(rel::m_of_n(3, 5, 0.9), 0.99144, 1e-12);
  EXPECT_NEAR(rel::m_of_n(1, 1, 0.37), 0.37, 1e-15);
  EXPECT_NEAR(rel::m_of_n(0, 4, 0.2), 1.0, 1e-12);
  EXPECT_NEAR(rel::m_of_n(4, 4, 0.5), 0.0625, 1e-15);
}

TEST(ReliabilityAnalytic, ClosedFormsWithoutRepair) {
  const double lambda = 1e-3;
  const double t = 500.0;
  const double r = std::exp(-0.5);
  EXPECT_NEAR(rel::analytic(spec(rel::Model::simplex, rel::Metric::reliability, lambda, t)), r, 1e-14);
  EXPECT_NEAR(rel::analytic(spec(rel::Model::dmr, rel::Metric::reliability, lambda, t)), r * r, 1e-14);
  EXPECT_NEAR(rel::analytic(spec(rel::Model::tmr, rel::Metric::reliability, lambda, t)),
              3 * r * r - 2 * r * r * r, 1e-14);
  // TMR with an imperfect voter: Rv (3R^2 - 2R^3).
  EXPECT_NEAR(rel::analytic(spec(rel::Model::tmr, rel::Metric::reliability, lambda, t, 0.0, 0.99)),
              0.99 * (3 * r * r - 2 * r * r * r), 1e-14);
  // MTTF: simplex 1/lambda, DMR 1/(2 lambda), TMR 5/(6 lambda), 5MR (1/3+1/4+1/5)/lambda.
  EXPECT_NEAR(rel::analytic(spec(rel::Model::simplex, rel::Metric::mttf, lambda, t)), 1000.0, 1e-9);
  EXPECT_NEAR(rel::analytic(spec(rel::Model::dmr, rel::Metric::mttf, lambda, t)), 500.0, 1e-9);
  EXPECT_NEAR(rel::analytic(spec(rel::Model::tmr, rel::Metric::mttf, lambda, t)), 5000.0 / 6.0, 1e-9);
  EXPECT_NEAR(rel::analytic(spec(rel::Model::nmr, rel::Metric::mttf, lambda, t, 0.0, 1.0, 5)),
              (1.0 / 3 + 1.0 / 4 + 1.0 / 5) * 1000.0, 1e-9);
  // TMR's famous crossover: below simplex once lambda t > ln 2.
  const double cross = std::log(2.0) / lambda;
  EXPECT_NEAR(rel::analytic(spec(rel::Model::tmr, rel::Metric::reliability, lambda, cross)),
              rel::analytic(spec(rel::Model::simplex, rel::Metric::reliability, lambda, cross)), 1e-12);
}

TEST(ReliabilityAnalytic, TmrWithRepairMatchesMarkovFormulas) {
  const double lambda = 1e-3;
  const double mu = 0.1;
  // MTTF (5 lambda + mu) / (6 lambda^2) = 0.105 / 6e-6 = 17500.
  EXPECT_NEAR(rel::analytic(spec(rel::Model::tmr, rel::Metric::mttf, lambda, 1.0, mu)), 17500.0, 1e-6);
  // R(t) = (s1 e^{s2 t} - s2 e^{s1 t}) / (s1 - s2), s1,2 roots of s^2 + (5l+mu) s + 6l^2.
  const double b = 5 * lambda + mu;
  const double disc = std::sqrt(b * b - 24 * lambda * lambda);
  const double s1 = (-b + disc) / 2;
  const double s2 = (-b - disc) / 2;
  for (const double t : {10.0, 1000.0, 20000.0}) {
    const double expected = (s1 * std::exp(s2 * t) - s2 * std::exp(s1 * t)) / (s1 - s2);
    EXPECT_NEAR(rel::analytic(spec(rel::Model::tmr, rel::Metric::reliability, lambda, t, mu)), expected,
                1e-10)
        << "t=" << t;
  }
  // mu -> 0 reduces to the non-repairable value.
  EXPECT_NEAR(rel::analytic(spec(rel::Model::tmr, rel::Metric::reliability, lambda, 700.0, 1e-12)),
              rel::analytic(spec(rel::Model::tmr, rel::Metric::reliability, lambda, 700.0)), 1e-9);
}

TEST(ReliabilityAnalytic, SteadyStateAvailability) {
  // Simplex: mu / (lambda + mu).
  EXPECT_NEAR(rel::analytic(spec(rel::Model::simplex, rel::Metric::availability, 0.01, 100.0, 0.5)),
              0.5 / 0.51, 1e-14);
  // TMR, one crew: pi_k ~ (mu/lambda)^k / k!; with rho = 50: up = pi_2 + pi_3.
  const double rho = 50.0;
  const double w0 = 1;
  const double w1 = rho;
  const double w2 = rho * rho / 2;
  const double w3 = rho * rho * rho / 6;
  EXPECT_NEAR(rel::analytic(spec(rel::Model::tmr, rel::Metric::availability, 0.01, 100.0, 0.5)),
              (w2 + w3) / (w0 + w1 + w2 + w3), 1e-14);
}

TEST(ReliabilityAnalytic, RejectsBadSpecsWithClearErrors) {
  EXPECT_THROW((void)rel::analytic(spec(rel::Model::tmr, rel::Metric::reliability, 0.0, 1.0)),
               lockstep::Error);
  EXPECT_THROW((void)rel::analytic(spec(rel::Model::tmr, rel::Metric::reliability, 1e-3, -1.0)),
               lockstep::Error);
  EXPECT_THROW((void)rel::analytic(spec(rel::Model::tmr, rel::Metric::reliability, 1e-3, 1.0, 0.0, 1.5)),
               lockstep::Error);
  EXPECT_THROW((void)rel::analytic(spec(rel::Model::tmr, rel::Metric::availability, 1e-3, 1.0)),
               lockstep::Error);
  EXPECT_THROW((void)rel::analytic(spec(rel::Model::nmr, rel::Metric::reliability, 1e-3, 1.0, 0.0, 1.0, 17)),
               lockstep::Error);
  auto bad_n = spec(rel::Model::tmr, rel::Metric::reliability, 1e-3, 1.0);
  bad_n.n = 5;
  try {
    (void)rel::analytic(bad_n);
    FAIL() << "no error";
  } catch (const lockstep::Error& e) {
    EXPECT_NE(std::string(e.what()).find("--n 5"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)rel::parse_model("quad"), lockstep::Error);
  EXPECT_THROW((void)rel::parse_metric("mtbf"), lockstep::Error);
  EXPECT_THROW((void)rel::simulate(spec(rel::Model::tmr, rel::Metric::reliability, 1e-3, 1.0), 0, 1),
               lockstep::Error);
}

TEST(ReliabilityAnalytic, WilsonIntervalKnownValues) {
  const auto e = rel::wilson(0, 100000);
  EXPECT_EQ(e.lo, 0.0);
  EXPECT_NEAR(e.hi, 3.84e-5, 1e-6);
  const auto h = rel::wilson(50, 100);
  EXPECT_NEAR(h.lo, 0.4038, 1e-4);
  EXPECT_NEAR(h.hi, 0.5962, 1e-4);
}

// Monte Carlo agrees with the analytic value (inside the 95% interval) for fixed seeds, for
// every model x metric family. A failure prints the seed so it can be replayed with the CLI.
// A 95% interval misses about 1 time in 20 by construction; these seeds were run once and
// kept (the estimates are bit-for-bit reproducible), and CoverageIsAboutNinetyFivePercent below
// checks that misses happen at the advertised rate and no more.
TEST(ReliabilityMonteCarlo, IntervalsContainAnalyticValues) {
  struct Case {
    rel::ModelSpec s;
    std::uint64_t trials;
  };
  const Case cases[] = {
      {spec(rel::Model::simplex, rel::Metric::reliability, 1e-3, 500.0), 40000},
      {spec(rel::Model::dmr, rel::Metric::reliability, 1e-3, 500.0), 40000},
      {spec(rel::Model::tmr, rel::Metric::reliability, 1e-3, 500.0), 40000},
      {spec(rel::Model::tmr, rel::Metric::reliability, 1e-3, 500.0, 0.0, 0.95), 40000},
      {spec(rel::Model::nmr, rel::Metric::reliability, 1e-3, 900.0, 0.0, 1.0, 5), 40000},
      {spec(rel::Model::tmr, rel::Metric::reliability, 1e-3, 5000.0, 0.01), 20000},
      {spec(rel::Model::simplex, rel::Metric::mttf, 1e-3, 1.0), 40000},
      {spec(rel::Model::tmr, rel::Metric::mttf, 1e-3, 1.0), 40000},
      {spec(rel::Model::nmr, rel::Metric::mttf, 2e-3, 1.0, 0.0, 0.9, 7), 40000},
      {spec(rel::Model::tmr, rel::Metric::mttf, 1e-3, 1.0, 0.02), 20000},
      {spec(rel::Model::simplex, rel::Metric::availability, 0.01, 200.0, 0.2), 20000},
      {spec(rel::Model::tmr, rel::Metric::availability, 0.05, 200.0, 0.1), 20000},
  };
  for (const std::uint64_t seed : {2ULL, 4ULL}) {
    for (const auto& c : cases) {
      const double a = rel::analytic(c.s);
      const auto e = rel::simulate(c.s, c.trials, seed);
      EXPECT_TRUE(e.contains(a)) << rel::to_string(c.s.model) << " n=" << c.s.n << " "
                                 << rel::to_string(c.s.metric) << " mu=" << c.s.mu << " seed=" << seed
                                 << ": analytic " << a << " not in [" << e.lo << ", " << e.hi << "]";
      EXPECT_LT(e.hi - e.lo, 0.1 * std::max(a, 0.05)) << "interval too wide to mean anything";
    }
  }
}

TEST(ReliabilityMonteCarlo, CoverageIsAboutNinetyFivePercent) {
  // 300 independent seeds of a small experiment: the fraction of intervals that contain the
  // analytic value must be near 0.95 (binomial sd ~ 0.013), for a proportion and for a mean.
  const auto r = spec(rel::Model::tmr, rel::Metric::reliability, 1e-3, 700.0);
  const auto m = spec(rel::Model::tmr, rel::Metric::mttf, 1e-3, 1.0);
  int hit_r = 0;
  int hit_m = 0;
  const int seeds = 300;
  for (int s = 0; s < seeds; ++s) {
    hit_r += rel::simulate(r, 1000, 1000U + static_cast<std::uint64_t>(s)).contains(rel::analytic(r)) ? 1 : 0;
    hit_m += rel::simulate(m, 1000, 5000U + static_cast<std::uint64_t>(s)).contains(rel::analytic(m)) ? 1 : 0;
  }
  EXPECT_GT(hit_r, 0.90 * seeds);
  EXPECT_LT(hit_r, 0.99 * seeds);
  EXPECT_GT(hit_m, 0.90 * seeds);
  EXPECT_LT(hit_m, 0.99 * seeds);
}

TEST(ReliabilityMonteCarlo, ResultDoesNotDependOnThreadCount) {
  const auto s = spec(rel::Model::tmr, rel::Metric::mttf, 1e-3, 1.0, 0.01);
  const auto one = rel::simulate(s, 5000, 42, 1);
  const auto four = rel::simulate(s, 5000, 42, 4);
  EXPECT_EQ(one.value, four.value);
  EXPECT_EQ(one.lo, four.lo);
  const auto other = rel::simulate(s, 5000, 43, 1);
  EXPECT_NE(one.value, other.value);
}

// The CLI: JSON exactly as documented, --check passes on agreement and fails on a planted
// disagreement, bad input exits 2 with one line.
namespace {
int run_cli(const std::string& args, const std::string& out_file = {}) {
  std::string cmd = std::string(LOCKSTEP_SIM_EXE) + " reliability " + args;
  if (!out_file.empty()) cmd += " >" + out_file + " 2>&1";
  const int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}
std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

TEST(ReliabilityCli, WritesJsonAndPassesCheck) {
  const std::string json = ::testing::TempDir() + "rel_cli.json";
  const std::string log = ::testing::TempDir() + "rel_cli.log";
  ASSERT_EQ(run_cli("--model tmr --lambda 1e-3 --time 500 --metric reliability --trials 20000 --seed 3 "
                    "--check --json " +
                        json,
                    log),
            0)
      << slurp(log);
  const auto j = nlohmann::json::parse(slurp(json));
  ASSERT_EQ(j.size(), 2U);
  const double r = std::exp(-0.5);
  EXPECT_NEAR(j.at("analytic").get<double>(), 3 * r * r - 2 * r * r * r, 1e-12);
  ASSERT_EQ(j.at("simulated").size(), 2U);
  const double lo = j.at("simulated").at("ci95").at(0).get<double>();
  const double hi = j.at("simulated").at("ci95").at(1).get<double>();
  const double v = j.at("simulated").at("value").get<double>();
  EXPECT_LE(lo, v);
  EXPECT_LE(v, hi);
  EXPECT_NE(slurp(log).find("analytic"), std::string::npos);
}

TEST(ReliabilityCli, CheckFailsLoudlyWhenIntervalMisses) {
  // 20 trials of a 0.6-reliable system give 95% intervals that miss for some seeds (2 and 23 of
  // seeds 1..24, deterministic): --check must turn each miss into exit 1 with CHECK FAILED.
  const std::string log = ::testing::TempDir() + "rel_cli_miss.log";
  int failures = 0;
  for (int seed = 1; seed <= 24; ++seed) {
    const int rc = run_cli(
        "--model tmr --lambda 1e-3 --time 500 --trials 20 --check --seed " + std::to_string(seed), log);
    ASSERT_TRUE(rc == 0 || rc == 1) << rc;
    if (rc == 1) {
      ++failures;
      EXPECT_NE(slurp(log).find("CHECK FAILED"), std::string::npos);
    }
  }
  EXPECT_GT(failures, 0) << "no seed out of 24 missed with 20 trials: the check cannot be exercised";
  EXPECT_LT(failures, 8);
}

TEST(ReliabilityCli, BadInputExitsTwoWithOneLine) {
  const std::string log = ::testing::TempDir() + "rel_cli_bad.log";
  for (const std::string args :
       {"--model quad --lambda 1", "--model tmr --lambda -1", "--model tmr --lambda 1e-3 --trials 0",
        "--model tmr --lambda 1e-3 --metric availability", "--model tmr --n 5 --lambda 1e-3", "--model tmr",
        "--model tmr --lambda abc", "--model tmr --lambda 1e-3 --bogus 1"}) {
    EXPECT_EQ(run_cli(args, log), 2) << args;
    const std::string text = slurp(log);
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << args << ": " << text;
  }
}
