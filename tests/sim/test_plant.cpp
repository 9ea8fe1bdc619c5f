// Plants: integrator known answers (energy, momentum, analytic solutions), linearisation
// agreement, envelope logic. Closed loop: fault-free runs hold the envelope under every
// executor, scripted faults give the documented outcome per executor, the fault stream is
// shared and deterministic, Monte Carlo is thread-count independent, resumable and shardable.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <numbers>
#include <sstream>
#include <string>

#include "lockstep/core/error.hpp"
#include "lockstep/sim/plant/closed_loop.hpp"
#include "lockstep/sim/plant/plant.hpp"

namespace pl = lockstep::sim::plant;

namespace {
constexpr double kDeg = std::numbers::pi / 180.0;

void advance(const pl::Plant& p, pl::State& x, const pl::Input& u, double seconds) {
  const double h = p.integration_step();
  const auto n = static_cast<int>(std::llround(seconds / h));
  for (int i = 0; i < n; ++i) pl::rk4_step(p, x, u, h);
}
}  // namespace

TEST(CartPole, EnergyIsConservedWithoutForce) {
  const pl::CartPole p;
  pl::State x{0.0, 0.3, 30 * kDeg, -0.5};
  const double e0 = p.energy(x);
  advance(p, x, pl::Input{}, 3.0);  // swings through large angles
  EXPECT_NEAR(p.energy(x), e0, 1e-7 * std::fabs(e0));
}

TEST(CartPole, LinearizationMatchesFiniteDifferences) {
  const pl::CartPole p;
  std::array<double, 16> a{};
  std::array<double, 4> b{};
  p.linearization(a, b);
  const double h = 1e-6;
  for (std::size_t j = 0; j < 4; ++j) {
    pl::State xp{};
    pl::State xm{};
    xp[j] = h;
    xm[j] = -h;
    const auto fp = p.derivative(xp, pl::Input{});
    const auto fm = p.derivative(xm, pl::Input{});
    for (std::size_t i = 0; i < 4; ++i)
      EXPECT_NEAR((fp[i] - fm[i]) / (2 * h), a[i * 4 + j], 1e-6) << i << "," << j;
  }
  const auto fu = p.derivative(pl::State{}, pl::Input{1.0});
  for (std::size_t i = 0; i < 4; ++i) EXPECT_NEAR(fu[i], b[i], 1e-12);
}

TEST(CartPole, SmallAngleFallFollowsTheLinearSolution) {
  // Near upright with F = 0: theta(t) = theta0 cosh(w t), w^2 = (M+m) g / (l M).
  const pl::CartPole p;
  const auto& q = p.params();
  const double w = std::sqrt((q.cart_mass + q.pole_mass) * q.gravity / (q.length * q.cart_mass));
  const double th0 = 1e-6;
  pl::State x{0, 0, th0, 0};
  advance(p, x, pl::Input{}, 1.0);
  EXPECT_NEAR(x[2] / (th0 * std::cosh(w * 1.0)), 1.0, 1e-6);
}

TEST(CartPole, EnvelopeIsTwelveDegreesAndTheTrack) {
  const pl::CartPole p;
  EXPECT_TRUE(p.in_envelope(pl::State{0, 0, 11.9 * kDeg, 0}));
  EXPECT_FALSE(p.in_envelope(pl::State{0, 0, 12.1 * kDeg, 0}));
  EXPECT_FALSE(p.in_envelope(pl::State{0, 0, -12.1 * kDeg, 0}));
  EXPECT_TRUE(p.in_envelope(pl::State{2.39, 0, 0, 0}));
  EXPECT_FALSE(p.in_envelope(pl::State{-2.41, 0, 0, 0}));
  EXPECT_FALSE(p.in_envelope(pl::State{std::numeric_limits<double>::quiet_NaN(), 0, 0, 0}));
  // The actuator clamps commands and rejects NaN.
  EXPECT_EQ(p.saturate(pl::Input{1e300})[0], p.params().force_limit);
  EXPECT_EQ(p.saturate(pl::Input{-std::numeric_limits<double>::infinity()})[0], -p.params().force_limit);
  EXPECT_EQ(p.saturate(pl::Input{std::numeric_limits<double>::quiet_NaN()})[0], 0.0);
}

TEST(DcMotor, SteadyStateAndInitialSlopeMatchTheModel) {
  const pl::DcMotor m;
  const auto& q = m.params();
  pl::State x{};
  // At rest, di/dt = V / L exactly.
  EXPECT_DOUBLE_EQ(m.derivative(x, pl::Input{5.0})[1], 5.0 / q.inductance);
  advance(m, x, pl::Input{5.0}, 1.0);  // 25 mechanical time constants
  EXPECT_NEAR(x[0], m.steady_speed(5.0), 1e-6 * m.steady_speed(5.0));
  EXPECT_NEAR(x[1], q.friction * x[0] / q.torque_constant, 1e-6);
  EXPECT_TRUE(m.in_envelope(pl::State{149.0, 9.9}));
  EXPECT_FALSE(m.in_envelope(pl::State{151.0, 0.0}));
  EXPECT_FALSE(m.in_envelope(pl::State{100.0, -10.5}));
}

TEST(RigidBodyAttitude, TorqueFreeMotionConservesEnergyMomentumAndNorm) {
  const pl::RigidBodyAttitude a;
  pl::State x = a.initial_state();
  x[4] = 0.05;
  x[5] = -0.1;
  x[6] = 0.08;  // tumbling about no principal axis
  const double e0 = a.kinetic_energy(x);
  const double h0 = a.momentum_norm(x);
  advance(a, x, pl::Input{}, 60.0);
  EXPECT_NEAR(a.kinetic_energy(x), e0, 1e-9 * e0);
  EXPECT_NEAR(a.momentum_norm(x), h0, 1e-9 * h0);
  EXPECT_NEAR(x[0] * x[0] + x[1] * x[1] + x[2] * x[2] + x[3] * x[3], 1.0, 1e-12);
}

TEST(RigidBodyAttitude, PrincipalAxisSpinRotatesAtTheRate) {
  const pl::RigidBodyAttitude a;
  pl::State x{1, 0, 0, 0, 0, 0, 0.1};
  advance(a, x, pl::Input{}, 5.0);  // 0.5 rad about z
  EXPECT_NEAR(a.tracking_error(x), 0.5, 1e-9);
  EXPECT_NEAR(x[3], std::sin(0.25), 1e-9);
  EXPECT_FALSE(a.in_envelope(pl::State{1, 0, 0, 0, 0.21, 0, 0}));
  EXPECT_TRUE(a.in_envelope(pl::State{std::cos(4.9 * kDeg), std::sin(4.9 * kDeg), 0, 0, 0, 0, 0}));
  EXPECT_FALSE(a.in_envelope(pl::State{std::cos(5.1 * kDeg), std::sin(5.1 * kDeg), 0, 0, 0, 0, 0}));
}

TEST(Plant, ParsesNamesAndRejectsUnknownOnes) {
  EXPECT_EQ(pl::parse_plant("motor"), pl::PlantKind::motor);
  EXPECT_THROW((void)pl::parse_plant("boat"), lockstep::Error);
  EXPECT_EQ(pl::parse_loop_executor("dmr-retry"), pl::LoopExecutor::dmr_retry);
  EXPECT_THROW((void)pl::parse_loop_executor("dmr"), lockstep::Error);
  EXPECT_THROW((void)pl::parse_loop_fault("cosmic"), lockstep::Error);
}

// ---- closed loop ------------------------------------------------------------------------------

namespace {
pl::LoopSpec spec_of(pl::PlantKind plant, pl::LoopExecutor e, double rate = 0.0, double duration = 3.0) {
  pl::LoopSpec s;
  s.plant = plant;
  s.executor = e;
  s.fault_rate = rate;
  s.duration = duration;
  return s;
}
constexpr pl::LoopExecutor kExecutors[] = {pl::LoopExecutor::simplex, pl::LoopExecutor::dmr_retry,
                                           pl::LoopExecutor::tmr, pl::LoopExecutor::nversion};
constexpr pl::PlantKind kPlants[] = {pl::PlantKind::pendulum, pl::PlantKind::motor, pl::PlantKind::attitude};
// Bit 61 of a double is an exponent bit: flipped in the motor's ~5 V command it gives ~1e154 V,
// which the driver clamps to the 24 V rail for one period: enough to trip the 10 A limit.
constexpr std::int32_t kExponentBit = 61;
}  // namespace

TEST(ClosedLoop, FaultFreeRunsHoldTheEnvelopeUnderEveryExecutor) {
  for (const auto plant : kPlants) {
    for (const auto e : kExecutors) {
      const auto r = pl::run_loop(spec_of(plant, e, 0.0, plant == pl::PlantKind::motor ? 0.5 : 5.0));
      EXPECT_TRUE(r.envelope_held) << pl::to_string(plant) << "/" << pl::to_string(e) << " left at "
                                   << r.violation_time;
      EXPECT_EQ(
          r.counts.sdc + r.counts.detected + r.counts.masked + r.counts.recovered + r.counts.faults_injected,
          0U);
      EXPECT_GT(r.counts.calls, 0U);
    }
  }
  // The controllers converge: the pendulum's angle error becomes small.
  auto s = spec_of(pl::PlantKind::pendulum, pl::LoopExecutor::tmr, 0.0, 8.0);
  s.record_trace = true;
  const auto r = pl::run_loop(s);
  ASSERT_FALSE(r.trace.empty());
  EXPECT_LT(std::fabs(r.trace.back().x[2]), 0.1 * kDeg);
  EXPECT_LT(std::fabs(r.trace.back().x[0]), 0.05);
}

TEST(ClosedLoop, ScriptedExponentFlipIsSdcInSimplexAndHandledByRedundancy) {
  // One output fault in replica 0 at t = 1 s: simplex delivers it (SDC: the motor's
  // current trips), TMR/N-version mask it, DMR-with-retry recovers it.
  auto base = spec_of(pl::PlantKind::motor, pl::LoopExecutor::simplex, 0.0, 1.5);
  base.scripted = {pl::ScriptedFault{1.0, 0, kExponentBit}};
  base.executor = pl::LoopExecutor::simplex;
  const auto simplex = pl::run_loop(base);
  EXPECT_EQ(simplex.counts.sdc, 1U);
  EXPECT_EQ(simplex.counts.faults_injected, 1U);
  EXPECT_FALSE(simplex.envelope_held);
  EXPECT_NEAR(simplex.violation_time, 1.0, 2e-3);
  ASSERT_EQ(simplex.fault_times.size(), 1U);
  EXPECT_NEAR(simplex.fault_times[0], 1.0, 1e-9);

  base.executor = pl::LoopExecutor::tmr;
  const auto tmr = pl::run_loop(base);
  EXPECT_EQ(tmr.counts.sdc, 0U);
  EXPECT_EQ(tmr.counts.masked, 1U);
  EXPECT_TRUE(tmr.envelope_held);

  base.executor = pl::LoopExecutor::nversion;
  const auto nv = pl::run_loop(base);
  EXPECT_EQ(nv.counts.sdc, 0U);
  EXPECT_EQ(nv.counts.masked, 1U);
  EXPECT_TRUE(nv.envelope_held);

  base.executor = pl::LoopExecutor::dmr_retry;
  const auto dmr = pl::run_loop(base);
  EXPECT_EQ(dmr.counts.sdc, 0U);
  EXPECT_EQ(dmr.counts.recovered, 1U);
  EXPECT_EQ(dmr.counts.executions, dmr.counts.calls * 2U + 1U);
  EXPECT_TRUE(dmr.envelope_held);
}

TEST(ClosedLoop, TwoFaultsInOneCallAreDetectedByTmrAndTheCommandIsHeld) {
  auto s = spec_of(pl::PlantKind::pendulum, pl::LoopExecutor::tmr, 0.0, 2.0);
  s.scripted = {pl::ScriptedFault{0.5, 0, 10}, pl::ScriptedFault{0.5, 1, 20}};
  const auto r = pl::run_loop(s);
  EXPECT_EQ(r.counts.detected, 1U);
  EXPECT_EQ(r.counts.sdc, 0U);
  EXPECT_NEAR(r.safe_time, 0.01, 1e-12);
  EXPECT_TRUE(r.envelope_held);
}

TEST(ClosedLoop, LateReplicaIsADeadlineMissThatTmrMasks) {
  auto s = spec_of(pl::PlantKind::attitude, pl::LoopExecutor::tmr, 0.0, 2.0);
  s.fault = pl::LoopFault::delay;
  s.scripted = {pl::ScriptedFault{1.0, 2, -1}};
  const auto r = pl::run_loop(s);
  EXPECT_EQ(r.counts.deadline_misses, 1U);
  EXPECT_EQ(r.counts.masked, 1U);
  EXPECT_EQ(r.counts.sdc, 0U);
  s.executor = pl::LoopExecutor::simplex;
  s.scripted = {pl::ScriptedFault{1.0, 0, -1}};
  const auto simplex = pl::run_loop(s);
  EXPECT_EQ(simplex.counts.deadline_misses, 1U);
  EXPECT_EQ(simplex.counts.detected, 1U);  // nothing on time: the last command is held
}

TEST(ClosedLoop, SameSeedSameFaultStreamForEveryExecutor) {
  auto s = spec_of(pl::PlantKind::pendulum, pl::LoopExecutor::tmr, 0.02, 3.0);
  s.seed = 99;
  const auto a = pl::run_loop(s);
  const auto b = pl::run_loop(s);
  EXPECT_EQ(a.fault_times, b.fault_times);
  EXPECT_EQ(a.ise, b.ise);
  EXPECT_GT(a.counts.faults_injected, 0U);
  s.executor = pl::LoopExecutor::nversion;
  const auto nv = pl::run_loop(s);
  EXPECT_EQ(nv.fault_times, a.fault_times);  // both have replicas 0..2: identical stream
  s.executor = pl::LoopExecutor::simplex;
  const auto simplex = pl::run_loop(s);
  for (const double t : simplex.fault_times) {  // simplex sees replica 0's part of that stream
    if (!simplex.envelope_held && t > simplex.violation_time) break;
    EXPECT_NE(std::find(a.fault_times.begin(), a.fault_times.end(), t), a.fault_times.end()) << t;
  }
}

TEST(ClosedLoop, StuckBitIsMaskedByTmrButStopsDmrWithRetry) {
  // Replica 0's command has bit 63 (the sign) stuck at 1 for 50 calls from t = 1 s.
  auto s = spec_of(pl::PlantKind::pendulum, pl::LoopExecutor::tmr, 0.0, 3.0);
  s.fault = pl::LoopFault::stuck_at;
  s.scripted = {pl::ScriptedFault{1.0, 0, 63}};
  const auto tmr = pl::run_loop(s);
  EXPECT_TRUE(tmr.envelope_held);
  EXPECT_EQ(tmr.counts.sdc, 0U);
  EXPECT_GT(tmr.counts.masked, 0U);
  EXPECT_GT(tmr.counts.faulty_calls, 10U);
  // DMR with retry: the retry masks the first disagreements, then the alpha count excludes a
  // replica, one is left, the executor stops deciding (fail-stop), and the held command cannot
  // balance an unstable plant.
  s.executor = pl::LoopExecutor::dmr_retry;
  const auto dmr = pl::run_loop(s);
  EXPECT_EQ(dmr.counts.sdc, 0U);
  EXPECT_GT(dmr.counts.recovered, 0U);
  EXPECT_GT(dmr.counts.detected, 0U);
  EXPECT_FALSE(dmr.envelope_held);
  s.executor = pl::LoopExecutor::simplex;
  const auto simplex = pl::run_loop(s);
  EXPECT_GT(simplex.counts.sdc, 0U);
}

TEST(ClosedLoop, FaultFreeRunsHoldTheEnvelopeWithNoisySensorsUnderEveryExecutor) {
  // Noise on for every plant (the pendulum's default; 3x nominal for the motor and attitude):
  // the estimator / PID / LQR still hold every envelope, and N-version's diverse kernels agree.
  for (const auto plant : kPlants) {
    for (const auto e : kExecutors) {
      auto s = spec_of(plant, e, 0.0, plant == pl::PlantKind::motor ? 0.5 : 5.0);
      s.sensor_noise = plant == pl::PlantKind::pendulum ? 1.0 : 3.0;
      s.seed = 7;
      const auto r = pl::run_loop(s);
      EXPECT_TRUE(r.envelope_held) << pl::to_string(plant) << "/" << pl::to_string(e) << " left at "
                                   << r.violation_time << " (seed 7)";
      EXPECT_EQ(r.counts.sdc + r.counts.masked + r.counts.detected, 0U)
          << pl::to_string(plant) << "/" << pl::to_string(e);
    }
  }
}

TEST(ClosedLoop, NVersionRunsTheDiverseKernelVersions) {
  // Replica i runs kernel version i. Replica 0 (version 0, also TMR's) fails for the first
  // 30 calls until the health ladder excludes it, so versions 1 and 2 (doubling/eigenvector LQR with
  // Joseph/information-form Kalman; float/Q16.16 PID) decide: the delivered commands are not bit-identical to
  // TMR's, the trajectory differs in the last digits only, and every such command is within the versions'
  // tolerance of the fault-free reference (no SDC).
  for (const auto plant : kPlants) {
    auto s = spec_of(plant, pl::LoopExecutor::tmr, 0.0, plant == pl::PlantKind::motor ? 0.3 : 3.0);
    s.sensor_noise = 0.0;
    s.fault = pl::LoopFault::exception;
    const double period = plant == pl::PlantKind::pendulum ? 1e-2
                          : plant == pl::PlantKind::motor  ? 1e-3
                                                           : 5e-2;
    for (int k = 0; k < 30; ++k) s.scripted.push_back(pl::ScriptedFault{k * period, 0, -1});
    const auto tmr = pl::run_loop(s);
    s.executor = pl::LoopExecutor::nversion;
    const auto nv = pl::run_loop(s);
    EXPECT_TRUE(nv.envelope_held) << pl::to_string(plant);
    EXPECT_EQ(nv.counts.sdc, 0U) << pl::to_string(plant);
    EXPECT_GT(nv.counts.masked, 0U) << pl::to_string(plant);
    EXPECT_EQ(nv.counts.excluded, 1U) << pl::to_string(plant);  // the health ladder drops replica 0
    EXPECT_NEAR(nv.ise, tmr.ise, 1e-3 * tmr.ise) << pl::to_string(plant);
    EXPECT_NE(nv.ise, tmr.ise) << pl::to_string(plant);
  }
}

TEST(ClosedLoop, SensorNoiseIsSeededAndLeavesTheFaultStreamAlone) {
  auto s = spec_of(pl::PlantKind::pendulum, pl::LoopExecutor::tmr, 0.02, 2.0);
  s.seed = 11;
  const auto a = pl::run_loop(s);
  const auto b = pl::run_loop(s);
  EXPECT_EQ(a.ise, b.ise);
  s.sensor_noise = 0.0;
  const auto quiet = pl::run_loop(s);
  EXPECT_NE(quiet.ise, a.ise);
  EXPECT_EQ(quiet.fault_times, a.fault_times);  // noise draws come from their own stream
  s.sensor_noise = 1.0;
  s.seed = 12;
  const auto other = pl::run_loop(s);
  EXPECT_NE(other.ise, a.ise);
}

TEST(ClosedLoop, EstimatorStateFaultIsMaskedAndResyncedByRedundancy) {
  // Bit 62 (exponent) of x_hat[2], the angle estimate, in replica 0 at t = 1 s: the command
  // saturates and the estimate stays wrong for many periods. Simplex delivers it; TMR and
  // N-version outvote replica 0 and copy a majority replica's estimator state over its own
  // (one masked call, not one per period); DMR-with-retry recovers it.
  auto s = spec_of(pl::PlantKind::pendulum, pl::LoopExecutor::simplex, 0.0, 3.0);
  s.fault = pl::LoopFault::bitflip_state;
  s.scripted = {pl::ScriptedFault{1.0, 0, 2 * 64 + 62}};
  const auto simplex = pl::run_loop(s);
  EXPECT_GT(simplex.counts.sdc, 1U);
  EXPECT_FALSE(simplex.envelope_held);
  for (const auto e : {pl::LoopExecutor::tmr, pl::LoopExecutor::nversion}) {
    s.executor = e;
    const auto r = pl::run_loop(s);
    EXPECT_TRUE(r.envelope_held) << pl::to_string(e);
    EXPECT_EQ(r.counts.sdc, 0U) << pl::to_string(e);
    EXPECT_EQ(r.counts.masked, 1U) << pl::to_string(e);  // resynced after the first dissent
  }
  s.executor = pl::LoopExecutor::dmr_retry;
  const auto dmr = pl::run_loop(s);
  EXPECT_TRUE(dmr.envelope_held);
  EXPECT_EQ(dmr.counts.sdc, 0U);
  EXPECT_EQ(dmr.counts.recovered, 1U);
}

TEST(ClosedLoop, OutOfRangeMeasurementIsRejectedByTheEstimator) {
  // Bit 62 of the angle reading: ~1e300 rad. The estimator rejects the reading (predict only),
  // so even simplex keeps the pendulum up, though its state no longer matches the reference.
  auto s = spec_of(pl::PlantKind::pendulum, pl::LoopExecutor::simplex, 0.0, 3.0);
  s.fault = pl::LoopFault::bitflip_input;
  s.scripted = {pl::ScriptedFault{1.0, 0, 64 + 62}};
  const auto simplex = pl::run_loop(s);
  EXPECT_TRUE(simplex.envelope_held);
  s.executor = pl::LoopExecutor::tmr;
  const auto tmr = pl::run_loop(s);
  EXPECT_TRUE(tmr.envelope_held);
  EXPECT_EQ(tmr.counts.sdc, 0U);
  EXPECT_EQ(tmr.counts.masked, 1U);
}

TEST(ClosedLoop, RejectsBadSpecs) {
  auto s = spec_of(pl::PlantKind::pendulum, pl::LoopExecutor::tmr);
  s.fault_rate = 1.5;
  EXPECT_THROW((void)pl::run_loop(s), lockstep::Error);
  s.fault_rate = 0.0;
  s.duration = 0.0;
  EXPECT_THROW((void)pl::run_loop(s), lockstep::Error);
  s.duration = 1.0;
  s.fault = pl::LoopFault::bitflip_state;  // the attitude LQR has no state
  s.plant = pl::PlantKind::attitude;
  EXPECT_THROW((void)pl::run_loop(s), lockstep::Error);
  s.plant = pl::PlantKind::pendulum;  // the pendulum's estimator has
  EXPECT_NO_THROW((void)pl::run_loop(s));
  s.sensor_noise = -0.5;
  EXPECT_THROW((void)pl::run_loop(s), lockstep::Error);
  s.sensor_noise = 101.0;
  EXPECT_THROW((void)pl::run_loop(s), lockstep::Error);
  s.sensor_noise = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW((void)pl::run_loop(s), lockstep::Error);
  s.sensor_noise = -1.0;
  s.fault = pl::LoopFault::bitflip_output;
  s.scripted = {pl::ScriptedFault{0.1, 3, -1}};
  EXPECT_THROW((void)pl::run_loop(s), lockstep::Error);
  EXPECT_THROW((void)pl::run_monte_carlo(spec_of(pl::PlantKind::pendulum, pl::LoopExecutor::tmr), 0),
               lockstep::Error);
}

TEST(ClosedLoopMonteCarlo, ResultsDoNotDependOnThreadCount) {
  const auto s = spec_of(pl::PlantKind::motor, pl::LoopExecutor::simplex, 2e-3, 0.3);
  const auto one = pl::run_monte_carlo(s, 24, pl::MonteCarloOptions{.threads = 1});
  const auto four = pl::run_monte_carlo(s, 24, pl::MonteCarloOptions{.threads = 4});
  EXPECT_EQ(one.violations, four.violations);
  EXPECT_EQ(one.counts.sdc, four.counts.sdc);
  EXPECT_EQ(one.mean_ise, four.mean_ise);
  // The noisy pendulum with its estimator under N-version: also thread-count independent.
  auto p = spec_of(pl::PlantKind::pendulum, pl::LoopExecutor::nversion, 5e-3, 1.0);
  p.fault = pl::LoopFault::bitflip_state;
  const auto p1 = pl::run_monte_carlo(p, 8, pl::MonteCarloOptions{.threads = 1});
  const auto p3 = pl::run_monte_carlo(p, 8, pl::MonteCarloOptions{.threads = 3});
  EXPECT_EQ(p1.mean_ise, p3.mean_ise);
  EXPECT_EQ(p1.counts.masked, p3.counts.masked);
  EXPECT_EQ(p1.violations, p3.violations);
  EXPECT_GT(one.counts.sdc, 0U);
  EXPECT_GT(one.violations, 0U) << "simplex motor with exponent-capable flips should trip sometimes";
  EXPECT_LE(one.ci_lo, one.p_violation);
  EXPECT_GE(one.ci_hi, one.p_violation);
}

TEST(ClosedLoopMonteCarlo, StoreResumesAndShardsAddUp) {
  namespace fs = std::filesystem;
  const std::string dir = ::testing::TempDir() + "plant_store_" + std::to_string(::getpid());
  fs::create_directories(dir);
  const auto s = spec_of(pl::PlantKind::motor, pl::LoopExecutor::simplex, 2e-3, 0.3);
  const auto whole = pl::run_monte_carlo(s, 20, pl::MonteCarloOptions{.threads = 2});

  const std::string db = dir + "/whole.db";
  fs::remove(db);
  const auto first = pl::run_monte_carlo(s, 20, pl::MonteCarloOptions{.threads = 2, .db_path = db});
  EXPECT_EQ(first.resumed, 0U);
  EXPECT_EQ(first.violations, whole.violations);
  const auto again = pl::run_monte_carlo(s, 20, pl::MonteCarloOptions{.threads = 2, .db_path = db});
  EXPECT_EQ(again.resumed, 20U);
  EXPECT_EQ(again.runs, 20U);
  EXPECT_EQ(again.violations, whole.violations);
  EXPECT_EQ(again.counts.sdc, whole.counts.sdc);

  // A store of other parameters is refused.
  auto other = s;
  other.fault_rate = 3e-3;
  EXPECT_THROW((void)pl::run_monte_carlo(other, 20, pl::MonteCarloOptions{.db_path = db}), lockstep::Error);

  std::uint64_t v = 0;
  std::uint64_t runs = 0;
  for (std::uint32_t i = 1; i <= 2; ++i) {
    const auto part =
        pl::run_monte_carlo(s, 20,
                            pl::MonteCarloOptions{.threads = 1,
                                                  .db_path = dir + "/s" + std::to_string(i) + ".db",
                                                  .shard_index = i,
                                                  .shard_count = 2});
    v += part.violations;
    runs += part.runs;
  }
  EXPECT_EQ(runs, 20U);
  EXPECT_EQ(v, whole.violations);
  fs::remove_all(dir);
}

// ---- CLI ------------------------------------------------------------------------------------

namespace {
int plant_cli(const std::string& args, const std::string& log) {
  const std::string cmd = std::string(LOCKSTEP_SIM_EXE) + " plant " + args + " >" + log + " 2>&1";
  const int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}
std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

TEST(PlantCli, JsonAndTraceHoldTheRun) {
  const std::string json = ::testing::TempDir() + "plant_cli.json";
  const std::string csv = ::testing::TempDir() + "plant_cli.csv";
  const std::string log = ::testing::TempDir() + "plant_cli.log";
  ASSERT_EQ(
      plant_cli(
          "--plant pendulum --executor tmr --fault bitflip-output --fault-rate 0.01 --duration 2 --runs 8 "
          "--seed 5 --threads 2 --json " +
              json + " --trace " + csv,
          log),
      0)
      << read_all(log);
  const auto j = nlohmann::json::parse(read_all(json));
  EXPECT_EQ(j.at("runs").get<int>(), 8);
  EXPECT_EQ(j.at("executor").get<std::string>(), "tmr");
  EXPECT_EQ(j.at("counts").at("sdc").get<int>(), 0);
  EXPECT_GT(j.at("counts").at("masked").get<int>(), 0);
  EXPECT_EQ(j.at("p_violation").at("ci95").size(), 2U);
  std::ifstream in(csv);
  std::string header;
  std::getline(in, header);
  EXPECT_EQ(header.rfind("time,x0,x1,x2,x3,u0,faults,status,sdc", 0), 0U) << header;
  int lines = 0;
  std::string line;
  while (std::getline(in, line)) ++lines;
  EXPECT_EQ(lines, 201);  // 200 control periods + the final state
}

TEST(PlantCli, BadInputExitsTwoWithOneLine) {
  const std::string log = ::testing::TempDir() + "plant_cli_bad.log";
  for (const std::string args :
       {"--plant boat", "--executor dmr", "--fault-rate 2", "--runs 0", "--duration -1", "--fault-at 0.5:7",
        "--fault-at x", "--shard 3/2 --runs 4", "--bogus", "--plant attitude --fault bitflip-state"}) {
    EXPECT_EQ(plant_cli(args, log), 2) << args;
    const std::string text = read_all(log);
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << args << ": " << text;
  }
}
