// Requirement, boundary and negative tests of the three PID versions.
#include <lockstep/core/error.hpp>
#include <lockstep/kernels/pid.hpp>

#include "alloc_counter.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

namespace lk = lockstep::kernels;
using lk::Status;

namespace {

// Exact-law reference in long double on the unrounded double inputs.
struct ReferencePid {
  lk::PidConfig c;
  long double integral = 0;
  long double prev_y = 0;
  bool has_prev = false;

  long double step(double r, double y) {
    const long double e = static_cast<long double>(r) - y;
    const long double p = c.kp * e;
    const long double d = has_prev ? -(static_cast<long double>(c.kd) / c.dt) * (y - prev_y) : 0.0L;
    const long double cand = integral + static_cast<long double>(c.ki) * c.dt * e;
    const long double lo = std::min<long double>(integral, c.out_min - p - d);
    const long double hi = std::max<long double>(integral, c.out_max - p - d);
    integral = std::clamp(cand, lo, hi);
    prev_y = y;
    has_prev = true;
    return std::clamp<long double>(p + integral + d, c.out_min, c.out_max);
  }
  lk::PidState state(double u) const {
    return {static_cast<double>(integral), static_cast<double>(prev_y), u, has_prev};
  }
};

lk::PidConfig random_config(std::mt19937_64& rng) {
  std::uniform_real_distribution<double> gain(0.0, 5.0);
  std::uniform_real_distribution<double> lim(0.5, 20.0);
  lk::PidConfig c;
  c.kp = gain(rng);
  c.ki = gain(rng);
  c.kd = 0.05 * gain(rng);
  c.dt = 0.01;
  c.out_max = lim(rng);
  c.out_min = -lim(rng);
  c.input_limit = 100.0;
  return c;
}

}  // namespace

TEST(Pid, KnownAnswerExactlyRepresentable) {
  // kp = 1.5, ki*dt = 0.25, kd/dt = 0.5: every intermediate is a dyadic rational, so all three
  // versions must give these values exactly.
  lk::PidConfig c{.kp = 1.5, .ki = 2.0, .kd = 0.0625, .dt = 0.125, .out_min = -4.0, .out_max = 4.0};
  lk::PidDouble pd(c);
  lk::PidFloat pf(c);
  lk::PidFixed px(c);
  // step 1: e = 0.5, P = 0.75, D = 0, I = 0.125 -> u = 0.875
  // step 2: e = 0.25, P = 0.375, D = -0.5 * 0.25 = -0.125, I = 0.1875 -> u = 0.4375
  for (const auto& [y, expected] : {std::pair{0.5, 0.875}, std::pair{0.75, 0.4375}}) {
    const lk::PidInput in{1.0, y};
    EXPECT_EQ(pd.step(in).u, expected);
    EXPECT_EQ(pf.step(in).u, expected);
    EXPECT_EQ(px.step(in).u, expected);
  }
  EXPECT_EQ(px.state().integral, 0.1875);
}

TEST(Pid, FixedPointIsBitExactGolden) {
  // Regression guard: raw Q16.16 outputs for non-representable gains and inputs. Pure integer
  // arithmetic, so these must be identical on every compiler, flag set and platform.
  lk::PidConfig c{.kp = 0.7, .ki = 1.3, .kd = 0.011, .dt = 0.01, .out_min = -2.0, .out_max = 2.0};
  lk::PidFixed px(c);
  const double ys[] = {0.0, 1.0 / 3.0, 0.41, 0.5, 0.7, 0.9};
  std::array<lk::PidFixed::Q16, 6> raw{};
  for (std::size_t i = 0; i < 6; ++i) {
    Status s = Status::ok;
    raw[i] = px.step_raw(lk::PidFixed::to_q16(1.0), lk::PidFixed::to_q16(ys[i]), s);
    EXPECT_EQ(s, Status::ok);
  }
  // First two by hand: u1 = 0.7 + 0.013 = 0.713 -> 46727; y2 = 1/3 -> 21845 raw,
  // u2 = 0.7 e + 1.1 (0 - y2) + 0.013 (1 + e) = 0.12167 -> 7974.
  const std::array<lk::PidFixed::Q16, 6> golden{46727, 7974, 23461, 18798, 1949, -7141};
  EXPECT_EQ(raw, golden);
}

TEST(Pid, AntiWindupStopsIntegratorAtTheLimit) {
  lk::PidConfig c{.kp = 1.0, .ki = 1.0, .kd = 0.0, .dt = 0.01, .out_min = -1.0, .out_max = 1.0};
  lk::PidDouble pd(c);
  lk::PidFloat pf(c);
  lk::PidFixed px(c);
  for (int k = 0; k < 1000; ++k) {  // error 5 for 10 s: a naive integrator would reach 50
    EXPECT_TRUE(pd.step({5.0, 0.0}).saturated);
    EXPECT_TRUE(pf.step({5.0, 0.0}).saturated);
    EXPECT_TRUE(px.step({5.0, 0.0}).saturated);
  }
  EXPECT_LE(pd.state().integral, 1.0);
  EXPECT_LE(pf.state().integral, 1.0);
  EXPECT_LE(px.state().integral, 1.0 + 1e-9);
  // Error reverses: the output leaves the limit on the very next step (no windup to unwind).
  EXPECT_LT(pd.step({-0.5, 0.0}).u, 1.0);
  EXPECT_LT(pf.step({-0.5, 0.0}).u, 1.0F);
  EXPECT_LT(px.step({-0.5, 0.0}).u, 1.0);
}

TEST(Pid, VersionsMatchReferenceWithStateSync) {
  std::mt19937_64 rng(lk::test::kSeed + 10);
  double worst_ratio = 0.0;
  for (int trial = 0; trial < 50; ++trial) {
    SCOPED_TRACE(lk::test::seed_trace(lk::test::kSeed + 10, trial));
    const lk::PidConfig c = random_config(rng);
    const double eps = lk::pid_tolerance(c, 1).epsilon();
    lk::PidDouble pd(c);
    lk::PidFloat pf(c);
    lk::PidFixed px(c);
    ReferencePid ref{c};
    std::uniform_real_distribution<double> in(-100.0, 100.0);
    double u_ref = 0.0;
    for (int k = 0; k < 200; ++k) {
      const lk::PidState s = ref.state(u_ref);
      if (k > 0) {
        ASSERT_EQ(pd.set_state(s), Status::ok);
        ASSERT_EQ(pf.set_state(s), Status::ok);
        ASSERT_EQ(px.set_state(s), Status::ok);
      }
      const lk::PidInput x{in(rng)*0.1, in(rng)*0.1};
      u_ref = static_cast<double>(ref.step(x.setpoint, x.measurement));
      const lk::PidOutput o[3] = {pd.step(x), pf.step(x), px.step(x)};
      for (const auto& out : o) {
        ASSERT_EQ(out.status, Status::ok);
        EXPECT_LE(std::abs(out.u - u_ref), eps) << "k=" << k;
        worst_ratio = std::max(worst_ratio, std::abs(out.u - u_ref) / eps);
      }
      EXPECT_TRUE(lk::agrees(o[0], o[1], lk::pid_tolerance(c)));
      EXPECT_TRUE(lk::agrees(o[0], o[2], lk::pid_tolerance(c)));
      EXPECT_TRUE(lk::agrees(o[1], o[2], lk::pid_tolerance(c)));
    }
  }
  RecordProperty("worst_error_over_tolerance", std::to_string(worst_ratio));
}

TEST(Pid, VersionsStayWithinGrowingToleranceWithoutSync) {
  std::mt19937_64 rng(lk::test::kSeed + 11);
  for (int trial = 0; trial < 20; ++trial) {
    SCOPED_TRACE(lk::test::seed_trace(lk::test::kSeed + 11, trial));
    const lk::PidConfig c = random_config(rng);
    lk::PidDouble pd(c);
    lk::PidFloat pf(c);
    lk::PidFixed px(c);
    std::uniform_real_distribution<double> in(-5.0, 5.0);
    double y = 0.0;
    for (std::uint32_t k = 1; k <= 500; ++k) {
      const lk::PidInput x{in(rng), y};
      const auto a = pd.step(x);
      const auto b = pf.step(x);
      const auto f = px.step(x);
      const auto tol = lk::pid_tolerance(c, k);
      EXPECT_TRUE(lk::agrees(a, b, tol)) << "k=" << k << " " << a.u << " vs " << b.u;
      EXPECT_TRUE(lk::agrees(a, f, tol)) << "k=" << k << " " << a.u << " vs " << f.u;
      EXPECT_TRUE(lk::agrees(b, f, tol)) << "k=" << k;
      y += 0.05 * (a.u - 0.2 * y);  // a crude first-order plant closes the loop
    }
  }
}

TEST(Pid, ToleranceGrowsWithStepsSinceSync) {
  const lk::PidConfig c{};
  EXPECT_LT(lk::pid_tolerance(c, 1).epsilon(), lk::pid_tolerance(c, 100).epsilon());
  EXPECT_EQ(lk::pid_tolerance(c, 0).epsilon(), lk::pid_tolerance(c, 1).epsilon());
  EXPECT_EQ(lk::pid_tolerance(c).kind(), lockstep::Tolerance::Kind::absolute);
}

TEST(Pid, OutOfRangeAndNonFiniteInputsHoldOutputAndState) {
  lk::PidConfig c{
      .kp = 1.0, .ki = 1.0, .kd = 0.1, .dt = 0.01, .out_min = -5, .out_max = 5, .input_limit = 10};
  lk::PidDouble pd(c);
  lk::PidFloat pf(c);
  lk::PidFixed px(c);
  const double held[3] = {pd.step({1.0, 0.0}).u, pf.step({1.0, 0.0}).u, px.step({1.0, 0.0}).u};
  const lk::PidState before[3] = {pd.state(), pf.state(), px.state()};
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (const lk::PidInput bad : {lk::PidInput{nan, 0.0}, lk::PidInput{0.0, inf}}) {
    const lk::PidOutput o[3] = {pd.step(bad), pf.step(bad), px.step(bad)};
    for (int v = 0; v < 3; ++v) {
      EXPECT_EQ(o[v].status, Status::non_finite);
      EXPECT_EQ(o[v].u, held[v]);
    }
  }
  for (const lk::PidInput bad : {lk::PidInput{10.5, 0.0}, lk::PidInput{0.0, -1e300}}) {
    const lk::PidOutput o[3] = {pd.step(bad), pf.step(bad), px.step(bad)};
    for (int v = 0; v < 3; ++v) {
      EXPECT_EQ(o[v].status, Status::out_of_range);
      EXPECT_EQ(o[v].u, held[v]);
    }
  }
  EXPECT_EQ(pd.state().integral, before[0].integral);
  EXPECT_EQ(pf.state().integral, before[1].integral);
  EXPECT_EQ(px.state().integral, before[2].integral);
  Status s = Status::ok;
  EXPECT_EQ(px.step_raw(lk::PidFixed::to_q16(11.0), 0, s), lk::PidFixed::to_q16(held[2]));
  EXPECT_EQ(s, Status::out_of_range);
}

TEST(Pid, InvalidConfigurationsThrow) {
  const auto bad = [](auto mutate) {
    lk::PidConfig c;
    mutate(c);
    EXPECT_THROW(lk::validate(c), lockstep::Error);
    EXPECT_THROW(lk::PidDouble{c}, lockstep::Error);
    EXPECT_THROW(lk::PidFloat{c}, lockstep::Error);
    EXPECT_THROW(lk::PidFixed{c}, lockstep::Error);
    EXPECT_THROW((void)lk::pid_tolerance(c), lockstep::Error);
  };
  bad([](lk::PidConfig& c) { c.kp = std::numeric_limits<double>::quiet_NaN(); });
  bad([](lk::PidConfig& c) { c.kp = 1e300; });  // must throw, not overflow a float cast
  bad([](lk::PidConfig& c) { c.dt = 0.0; });
  bad([](lk::PidConfig& c) { c.dt = -0.01; });
  bad([](lk::PidConfig& c) { c.out_min = c.out_max; });
  bad([](lk::PidConfig& c) { c.out_max = 40000.0; });
  bad([](lk::PidConfig& c) { c.input_limit = 20000.0; });
  bad([](lk::PidConfig& c) { c.input_limit = 0.0; });
  bad([](lk::PidConfig& c) { c.kd = 1000.0; });  // kd/dt = 1e5 > 32767
  bad([](lk::PidConfig& c) {
    c.kp = 30000.0;  // fits alone, but 30000 * 2 * 16000 > 2^29
    c.input_limit = 16000.0;
  });
  EXPECT_NO_THROW(lk::validate(lk::PidConfig{}));
}

TEST(Pid, SetStateRoundTripsAndRefusesNonFinite) {
  const lk::PidConfig c{.kp = 1.0, .ki = 2.0, .kd = 0.0, .dt = 0.01, .out_min = -3.0, .out_max = 3.0};
  lk::PidDouble pd(c);
  lk::PidFloat pf(c);
  lk::PidFixed px(c);
  const lk::PidState s{0.5, 0.25, 1.0, true};
  EXPECT_EQ(pd.set_state(s), Status::ok);
  EXPECT_EQ(pf.set_state(s), Status::ok);
  EXPECT_EQ(px.set_state(s), Status::ok);
  for (const auto& got : {pd.state(), pf.state(), px.state()}) {
    EXPECT_EQ(got.integral, 0.5);
    EXPECT_EQ(got.prev_measurement, 0.25);
    EXPECT_EQ(got.prev_output, 1.0);
    EXPECT_TRUE(got.has_prev);
  }
  const lk::PidState bad{std::numeric_limits<double>::infinity(), 0.0, 0.0, true};
  const lk::PidState huge{1e300, 0.0, 0.0, true};  // beyond float and Q31.32 range
  EXPECT_EQ(pf.set_state(huge), Status::out_of_range);
  EXPECT_EQ(px.set_state(huge), Status::out_of_range);
  EXPECT_EQ(pd.set_state(bad), Status::non_finite);
  EXPECT_EQ(pf.set_state(bad), Status::non_finite);
  EXPECT_EQ(px.set_state(bad), Status::non_finite);
  EXPECT_EQ(pd.state().integral, 0.5);
  pd.reset();
  EXPECT_EQ(pd.state().integral, 0.0);
  EXPECT_FALSE(pd.state().has_prev);
}

TEST(Pid, StepAllocatesNothing) {
  const lk::PidConfig c{.kp = 1.0, .ki = 2.0, .kd = 0.01, .dt = 0.01, .out_min = -3.0, .out_max = 3.0};
  lk::PidDouble pd(c);
  lk::PidFloat pf(c);
  lk::PidFixed px(c);
  double sink = 0.0;
  lockstep::test::AllocationScope scope;
  for (int k = 0; k < 100; ++k) {
    const lk::PidInput in{1.0, 0.01 * k};
    sink += pd.step(in).u + pf.step(in).u + px.step(in).u;
  }
  EXPECT_EQ(scope.allocations(), 0U);
  EXPECT_TRUE(std::isfinite(sink));
}
