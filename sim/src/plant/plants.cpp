// The three plants' equations of motion, envelopes and the RK4 integrator (docs/plants.md).

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "lockstep/core/error.hpp"
#include "lockstep/sim/plant/plant.hpp"

namespace lockstep::sim::plant {
namespace {

constexpr double kDegToRad = std::numbers::pi / 180.0;

[[nodiscard]] double clamp_finite(double v, double limit) noexcept {
  if (std::isnan(v)) return 0.0;
  return std::clamp(v, -limit, limit);
}

[[nodiscard]] bool all_finite(const State& x, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i)
    if (!std::isfinite(x[i])) return false;
  return true;
}

}  // namespace

std::string_view to_string(PlantKind k) noexcept {
  switch (k) {
    case PlantKind::pendulum:
      return "pendulum";
    case PlantKind::motor:
      return "motor";
    case PlantKind::attitude:
      return "attitude";
  }
  return "?";
}

PlantKind parse_plant(std::string_view name) {
  for (PlantKind k : {PlantKind::pendulum, PlantKind::motor, PlantKind::attitude})
    if (to_string(k) == name) return k;
  raise("unknown --plant '" + std::string(name) + "' (valid: pendulum, motor, attitude)");
}

// ---- CartPole -------------------------------------------------------------------------------

State CartPole::derivative(const State& x, const Input& u) const noexcept {
  const double big_m = m_p.cart_mass;
  const double m = m_p.pole_mass;
  const double l = m_p.length;
  const double g = m_p.gravity;
  const double f = u[0];
  const double s = std::sin(x[2]);
  const double c = std::cos(x[2]);
  const double w2 = x[3] * x[3];
  const double d = big_m + m * s * s;
  State dx{};
  dx[0] = x[1];
  dx[1] = (f + m * l * w2 * s - m * g * s * c) / d;
  dx[2] = x[3];
  dx[3] = (-f * c - m * l * w2 * s * c + (big_m + m) * g * s) / (l * d);
  return dx;
}

Input CartPole::saturate(const Input& u) const noexcept {
  return Input{clamp_finite(u[0], m_p.force_limit), 0.0, 0.0};
}

bool CartPole::in_envelope(const State& x) const noexcept {
  return all_finite(x, 4) && std::fabs(x[2]) <= m_p.angle_limit_deg * kDegToRad &&
         std::fabs(x[0]) <= m_p.track_limit;
}

State CartPole::initial_state() const noexcept {
  State x{};
  x[2] = m_p.initial_angle_deg * kDegToRad;
  return x;
}

double CartPole::energy(const State& x) const noexcept {
  const double big_m = m_p.cart_mass;
  const double m = m_p.pole_mass;
  const double l = m_p.length;
  const double c = std::cos(x[2]);
  return 0.5 * (big_m + m) * x[1] * x[1] + m * l * c * x[1] * x[3] + 0.5 * m * l * l * x[3] * x[3] +
         m * m_p.gravity * l * c;
}

void CartPole::linearization(std::array<double, 16>& a, std::array<double, 4>& b) const noexcept {
  const double big_m = m_p.cart_mass;
  const double m = m_p.pole_mass;
  const double l = m_p.length;
  const double g = m_p.gravity;
  a = {0, 1, 0,
       0,  //
       0, 0, -m * g / big_m,
       0, 0, 0,
       0, 1,  //
       0, 0, (big_m + m) * g / (l * big_m),
       0};
  b = {0, 1 / big_m, 0, -1 / (l * big_m)};
}

// ---- DcMotor --------------------------------------------------------------------------------

State DcMotor::derivative(const State& x, const Input& u) const noexcept {
  State dx{};
  dx[0] = (m_p.torque_constant * x[1] - m_p.friction * x[0]) / m_p.inertia;
  dx[1] = (u[0] - m_p.resistance * x[1] - m_p.torque_constant * x[0]) / m_p.inductance;
  return dx;
}

Input DcMotor::saturate(const Input& u) const noexcept {
  return Input{clamp_finite(u[0], m_p.voltage_limit), 0.0, 0.0};
}

bool DcMotor::in_envelope(const State& x) const noexcept {
  return all_finite(x, 2) && std::fabs(x[0]) <= m_p.speed_limit && std::fabs(x[1]) <= m_p.current_limit;
}

double DcMotor::steady_speed(double volts) const noexcept {
  const double k = m_p.torque_constant;
  return k * volts / (m_p.friction * m_p.resistance + k * k);
}

// ---- RigidBodyAttitude ----------------------------------------------------------------------

State RigidBodyAttitude::derivative(const State& x, const Input& u) const noexcept {
  const double q0 = x[0];
  const double q1 = x[1];
  const double q2 = x[2];
  const double q3 = x[3];
  const double wx = x[4];
  const double wy = x[5];
  const double wz = x[6];
  const auto& j = m_p.inertia;
  State dx{};
  dx[0] = -0.5 * (q1 * wx + q2 * wy + q3 * wz);
  dx[1] = 0.5 * (q0 * wx + q2 * wz - q3 * wy);
  dx[2] = 0.5 * (q0 * wy + q3 * wx - q1 * wz);
  dx[3] = 0.5 * (q0 * wz + q1 * wy - q2 * wx);
  // J w' = tau - w x (J w)
  dx[4] = (u[0] - (wy * j[2] * wz - wz * j[1] * wy)) / j[0];
  dx[5] = (u[1] - (wz * j[0] * wx - wx * j[2] * wz)) / j[1];
  dx[6] = (u[2] - (wx * j[1] * wy - wy * j[0] * wx)) / j[2];
  return dx;
}

Input RigidBodyAttitude::saturate(const Input& u) const noexcept {
  return Input{clamp_finite(u[0], m_p.torque_limit), clamp_finite(u[1], m_p.torque_limit),
               clamp_finite(u[2], m_p.torque_limit)};
}

double RigidBodyAttitude::tracking_error(const State& x) const noexcept {
  const double q0 = std::fabs(x[0]);
  const double qv = std::sqrt(x[1] * x[1] + x[2] * x[2] + x[3] * x[3]);
  return 2.0 * std::atan2(qv, q0);  // = 2 acos(|q0|) for a unit quaternion, better conditioned
}

bool RigidBodyAttitude::in_envelope(const State& x) const noexcept {
  if (!all_finite(x, 7)) return false;
  const double rate = std::sqrt(x[4] * x[4] + x[5] * x[5] + x[6] * x[6]);
  return tracking_error(x) <= m_p.error_limit_deg * kDegToRad && rate <= m_p.rate_limit;
}

State RigidBodyAttitude::initial_state() const noexcept {
  const double half = 0.5 * m_p.initial_error_deg * kDegToRad;
  const double s = std::sin(half) / std::sqrt(3.0);
  return State{std::cos(half), s, s, s, 0.0, 0.0, 0.0};
}

void RigidBodyAttitude::normalize(State& x) const noexcept {
  const double n = std::sqrt(x[0] * x[0] + x[1] * x[1] + x[2] * x[2] + x[3] * x[3]);
  if (n > 0.0 && std::isfinite(n)) {
    for (std::size_t i = 0; i < 4; ++i) x[i] /= n;
  }
}

double RigidBodyAttitude::kinetic_energy(const State& x) const noexcept {
  const auto& j = m_p.inertia;
  return 0.5 * (j[0] * x[4] * x[4] + j[1] * x[5] * x[5] + j[2] * x[6] * x[6]);
}

double RigidBodyAttitude::momentum_norm(const State& x) const noexcept {
  const auto& j = m_p.inertia;
  const double hx = j[0] * x[4];
  const double hy = j[1] * x[5];
  const double hz = j[2] * x[6];
  return std::sqrt(hx * hx + hy * hy + hz * hz);
}

// ---- integration ----------------------------------------------------------------------------

void rk4_step(const Plant& p, State& x, const Input& u, double dt) noexcept {
  const std::size_t n = p.state_size();
  const State k1 = p.derivative(x, u);
  State tmp = x;
  for (std::size_t i = 0; i < n; ++i) tmp[i] = x[i] + 0.5 * dt * k1[i];
  const State k2 = p.derivative(tmp, u);
  for (std::size_t i = 0; i < n; ++i) tmp[i] = x[i] + 0.5 * dt * k2[i];
  const State k3 = p.derivative(tmp, u);
  for (std::size_t i = 0; i < n; ++i) tmp[i] = x[i] + dt * k3[i];
  const State k4 = p.derivative(tmp, u);
  for (std::size_t i = 0; i < n; ++i) x[i] += dt / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
  p.normalize(x);
}

bool integrate(const Plant& p, State& x, const Input& u, double duration) noexcept {
  const double h = p.integration_step();
  const auto steps = static_cast<std::int64_t>(std::ceil(duration / h - 1e-9));
  if (steps <= 0) return p.in_envelope(x);
  const double dt = duration / static_cast<double>(steps);
  for (std::int64_t s = 0; s < steps; ++s) {
    rk4_step(p, x, u, dt);
    if (!p.in_envelope(x)) return false;
  }
  return true;
}

std::unique_ptr<Plant> make_plant(PlantKind k) {
  switch (k) {
    case PlantKind::pendulum:
      return std::make_unique<CartPole>();
    case PlantKind::motor:
      return std::make_unique<DcMotor>();
    case PlantKind::attitude:
      return std::make_unique<RigidBodyAttitude>();
  }
  raise("make_plant: unknown plant kind");
}

}  // namespace lockstep::sim::plant
