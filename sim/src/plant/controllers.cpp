// Control laws of the plants from kernels/ (see controllers.hpp, docs/plants.md).

#include "controllers.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include <lockstep/core/error.hpp>
#include <lockstep/kernels/kalman.hpp>
#include <lockstep/kernels/lqr.hpp>

namespace lockstep::sim::plant::detail {
namespace {

/// Zero-order-hold discretisation of dx/dt = A x + B u over `t`: exp([[A, B], [0, 0]] t) by
/// its Taylor series (set-up only; ||A t|| is well below 1 for every plant here, so 30 terms are
/// exact to rounding).
template <int N>
void discretise(const Eigen::Matrix<double, N, N>& ac, const Eigen::Matrix<double, N, 1>& bc, double t,
                Eigen::Matrix<double, N, N>& a, Eigen::Matrix<double, N, 1>& b) {
  using Aug = Eigen::Matrix<double, N + 1, N + 1>;
  Aug m = Aug::Zero();
  m.template topLeftCorner<N, N>() = ac * t;
  m.template topRightCorner<N, 1>() = bc * t;
  Aug e = Aug::Identity();
  Aug term = Aug::Identity();
  for (int k = 1; k <= 30; ++k) {
    term = (term * m / static_cast<double>(k)).eval();
    e += term;
  }
  a = e.template topLeftCorner<N, N>();
  b = e.template topRightCorner<N, 1>();
}

/// The three LQR versions' gains; raises when a version does not report `ok` or two disagree.
template <int N>
std::array<Eigen::Matrix<double, 1, N>, kVersions> lqr_gains(const kernels::LqrInput<N, 1>& in,
                                                             const char* what) {
  std::array<Eigen::Matrix<double, 1, N>, kVersions> k{};
  std::array<kernels::LqrOutput<N, 1>, kVersions> out{};
  for (std::uint32_t v = 0; v < kVersions; ++v) {
    out[v] = kernels::kLqrVersions<N, 1>[v](in);
    if (out[v].status != kernels::Status::ok)
      raise(std::string("plant: the ") + what + " LQR design failed in version " + std::to_string(v) + " (" +
            std::string(kernels::to_string(out[v].status)) + ")");
    k[v] = out[v].k;
  }
  for (std::uint32_t v = 1; v < kVersions; ++v)
    if (!kernels::agrees(out[0], out[v]))
      raise(std::string("plant: the ") + what + " LQR versions 0 and " + std::to_string(v) + " disagree");
  return k;
}

[[nodiscard]] bool finite_within(double v, double range) noexcept { return std::fabs(v) <= range; }

}  // namespace

// ---------------------------------------------------------------------------------------------
// Pendulum

PendulumLqgLaw::PendulumLqgLaw(const CartPole& p) {
  std::array<double, 16> ac_raw{};
  std::array<double, 4> bc_raw{};
  p.linearization(ac_raw, bc_raw);
  // linearization() is row-major.
  const Eigen::Matrix4d ac = Eigen::Map<const Eigen::Matrix<double, 4, 4, Eigen::RowMajor>>(ac_raw.data());
  const Eigen::Vector4d bc = Eigen::Map<const Eigen::Vector4d>(bc_raw.data());
  discretise<4>(ac, bc, p.control_period(), m_a, m_b);
  m_ainv_b = m_a.partialPivLu().solve(m_b);

  kernels::LqrInput<4, 1> lqr;
  lqr.a = m_a;
  lqr.b = m_b;
  lqr.q = Eigen::Vector4d(10.0, 1.0, 100.0, 1.0).asDiagonal();
  lqr.r(0, 0) = 0.1;
  m_k = lqr_gains<4>(lqr, "pendulum");

  // Estimator: white-acceleration process noise (disturbance forces and the linearisation error
  // of a 12 degree envelope) and the nominal sensor noise; P0 covers the start's uncertainty.
  const double t = p.control_period();
  m_q = Eigen::Vector4d(1e-8, 1e-4 * t, 1e-8, 1e-3 * t).asDiagonal();
  m_h(0, 0) = 1.0;
  m_h(1, 2) = 1.0;
  m_r = Eigen::Vector2d(kSigmaPosition * kSigmaPosition, kSigmaAngle * kSigmaAngle).asDiagonal();
  m_p0 = Eigen::Vector4d(1e-4, 1e-2, 1e-3, 1e-2).asDiagonal();
  m_track_range = 4.0 * p.params().track_limit;
  m_angle_range = 3.2;

  // Tolerance: |u_a - u_b| <= |K_a - K_b| |x| + |K| |x_a - x_b| over the sensor ranges (speeds
  // up to 10 m/s and 10 rad/s), with the kernels' documented agreement bounds.
  const Eigen::Vector4d x_range(m_track_range, 10.0, m_angle_range, 10.0);
  const double k_norm = m_k[0].cwiseAbs().maxCoeff();
  const double dk = kernels::lqr_tolerance<4>().epsilon() * k_norm;
  const double dx = kernels::kalman_tolerance<4, 2>().epsilon() * x_range.maxCoeff();
  m_tolerance = Tolerance::absolute(dk * x_range.sum() + m_k[0].cwiseAbs().sum() * dx);
}

ControllerState PendulumLqgLaw::initial_state() const noexcept {
  ControllerState s{};
  std::copy(m_p0.data(), m_p0.data() + 16, s.begin() + 4);
  return s;
}

State PendulumLqgLaw::measure(const State& x, const State& noise, const Input& applied) const noexcept {
  return State{
      x[0] + kSigmaPosition * noise[0], x[2] + kSigmaAngle * noise[1], applied[0], 0.0, 0.0, 0.0, 0.0};
}

Input PendulumLqgLaw::compute(const State& z, ControllerState& s, std::uint32_t version) const noexcept {
  const std::uint32_t v = version % kVersions;
  Eigen::Map<Eigen::Vector4d> x_hat(s.data());
  Eigen::Map<Eigen::Matrix4d> p(s.data() + 4);
  // Predict with the command actually applied over the last period: F (x + A^-1 B u) = A x + B u.
  const double u_prev = std::isfinite(z[2]) ? z[2] : 0.0;
  if (finite_within(z[0], m_track_range) && finite_within(z[1], m_angle_range)) {
    kernels::KalmanInput<4, 2> in;
    in.x = x_hat + m_ainv_b * u_prev;
    in.p = p;
    in.f = m_a;
    in.q = m_q;
    in.h = m_h;
    in.r = m_r;
    in.z = Eigen::Vector2d(z[0], z[1]);
    const kernels::KalmanOutput<4, 2> out = kernels::kKalmanVersions<4, 2>[v](in);
    if (out.status == kernels::Status::ok || out.status == kernels::Status::ill_conditioned) {
      x_hat = out.x;
      p = out.p;
    } else {
      // The estimator refused its own state (corrupted covariance, non-finite estimate):
      // restart it at the measurement, as after power-up.
      x_hat = Eigen::Vector4d(z[0], 0.0, z[1], 0.0);
      p = m_p0;
    }
  } else {
    // A reading outside the sensor's range is rejected: predict only (P is kept; one missed
    // update).
    x_hat = (m_a * x_hat + m_b * u_prev).eval();
  }
  return Input{-(m_k[v] * x_hat)(0, 0), 0.0, 0.0};
}

// ---------------------------------------------------------------------------------------------
// Motor

namespace {
kernels::PidConfig motor_pid_config(const DcMotor& m) {
  kernels::PidConfig c;
  c.kp = 0.2;
  c.ki = 5.0;
  c.kd = 0.0;
  c.dt = m.control_period();
  c.out_max = 8.0 * m.params().resistance;  // +-8 A worth of voltage above the back-EMF
  c.out_min = -c.out_max;
  c.input_limit = 1000.0;
  return c;
}
}  // namespace

MotorPidLaw::MotorPidLaw(const DcMotor& m)
    : m_p(m.params()),
      m_config(motor_pid_config(m)),
      m_double(m_config),
      m_float(m_config),
      m_fixed(m_config) {
  // The kernel's bound for versions that start each step from a common state: the executor
  // gives them one (a version drifting beyond the bound dissents and is resynchronised from a
  // majority replica after the vote), so the bound holds again from the next call. The
  // feed-forward K w adds a float rounding of the largest accepted speed.
  m_tolerance =
      Tolerance::absolute(kernels::pid_tolerance(m_config, 1U).epsilon() +
                          4.0 * kernels::kUnitRoundoffFloat * m_p.torque_constant * m_config.input_limit);
}

State MotorPidLaw::measure(const State& x, const State& noise, const Input& /*applied*/) const noexcept {
  return State{x[0] + kSigmaSpeed * noise[0], 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
}

Input MotorPidLaw::compute(const State& z, ControllerState& s, std::uint32_t version) const noexcept {
  const kernels::PidState st{s[0], s[1], s[2], s[3] != 0.0};
  const kernels::PidInput in{m_p.speed_setpoint, z[0]};
  // A state the version refuses (set_state not ok: a corrupted integrator beyond its range)
  // restarts the PID from rest, like a power-up.
  kernels::PidOutput out{0.0, kernels::Status::out_of_range, false};
  kernels::PidState next{};
  double feed_forward = 0.0;
  // Each call copies the version's prototype (no allocation), so replicas share nothing.
  switch (version % kVersions) {
    case 0U: {
      kernels::PidDouble pid = m_double;
      if (pid.set_state(st) == kernels::Status::ok) out = pid.step(in);
      next = pid.state();
      feed_forward = m_p.torque_constant * (out.status == kernels::Status::ok ? z[0] : next.prev_measurement);
      break;
    }
    case 1U: {
      kernels::PidFloat pid = m_float;
      if (pid.set_state(st) == kernels::Status::ok) out = pid.step(in);
      next = pid.state();
      const double w = out.status == kernels::Status::ok ? z[0] : next.prev_measurement;
      feed_forward = static_cast<double>(static_cast<float>(m_p.torque_constant) * static_cast<float>(w));
      break;
    }
    default: {
      kernels::PidFixed pid = m_fixed;
      if (pid.set_state(st) == kernels::Status::ok) out = pid.step(in);
      next = pid.state();
      const double w = out.status == kernels::Status::ok ? z[0] : next.prev_measurement;
      const double w_q16 = kernels::PidFixed::from_q16(kernels::PidFixed::to_q16(w));
      feed_forward = kernels::PidFixed::from_q16(kernels::PidFixed::to_q16(m_p.torque_constant * w_q16));
      break;
    }
  }
  // A refused step (measurement out of range or non-finite, or a state the version cannot
  // hold) keeps the state and holds the previous command.
  if (out.status != kernels::Status::ok) out.u = next.prev_output;
  s[0] = next.integral;
  s[1] = next.prev_measurement;
  s[2] = next.prev_output;
  s[3] = next.has_prev ? 1.0 : 0.0;
  return Input{feed_forward + out.u, 0.0, 0.0};
}

// ---------------------------------------------------------------------------------------------
// Attitude

AttitudeLqrLaw::AttitudeLqrLaw(const RigidBodyAttitude& a) {
  constexpr double wn = 0.5;  // closed-loop natural frequency [rad/s] and damping of the design
  constexpr double zeta = 0.9;
  double bound = 0.0;
  for (std::size_t axis = 0; axis < 3; ++axis) {
    const double j = a.params().inertia[axis];
    Eigen::Matrix2d ac;
    ac << 0.0, 1.0, 0.0, 0.0;
    const Eigen::Vector2d bc(0.0, 1.0 / j);
    kernels::LqrInput<2, 1> in;
    discretise<2>(ac, bc, a.control_period(), in.a, in.b);
    // Continuous LQR of J theta'' = tau with R = 1 gives kp = sqrt(q1), kd = sqrt(q2 + 2 J kp):
    // q1 = (J wn^2)^2 and q2 = J^2 wn^2 (4 zeta^2 - 2) place the poles at wn, zeta.
    in.q =
        Eigen::Vector2d(std::pow(j * wn * wn, 2.0), j * j * wn * wn * (4.0 * zeta * zeta - 2.0)).asDiagonal();
    in.r(0, 0) = 1.0;
    const auto k = lqr_gains<2>(in, "attitude");
    for (std::uint32_t v = 0; v < kVersions; ++v) m_k[v][axis] = k[v];
    // Tolerance: |K_a - K_b| (|theta| + |w|) over theta <= pi, |w| <= 1 rad/s.
    bound = std::max(bound, kernels::lqr_tolerance<2>().epsilon() * k[0].cwiseAbs().maxCoeff() * (3.2 + 1.0));
  }
  m_tolerance = Tolerance::absolute(bound);
}

State AttitudeLqrLaw::measure(const State& x, const State& noise, const Input& /*applied*/) const noexcept {
  State z = x;
  for (std::size_t i = 0; i < 4; ++i) z[i] += kSigmaQuaternion * noise[i];
  for (std::size_t i = 4; i < 7; ++i) z[i] += kSigmaRate * noise[i];
  return z;
}

Input AttitudeLqrLaw::compute(const State& z, ControllerState& /*s*/, std::uint32_t version) const noexcept {
  const std::uint32_t v = version % kVersions;
  const double sign = z[0] < 0.0 ? -1.0 : 1.0;  // shortest rotation
  Input u{};
  for (std::size_t i = 0; i < 3; ++i) {
    const Eigen::Vector2d xi(2.0 * sign * z[1 + i], z[4 + i]);  // small angles: angle = 2 q_i
    u[i] = -(m_k[v][i] * xi)(0, 0);
  }
  return u;
}

}  // namespace lockstep::sim::plant::detail
