// Control laws of the plants, in three versions each (see controllers.hpp).

#include "controllers.hpp"

#include <algorithm>
#include <cmath>

namespace lockstep::sim::plant::detail {
namespace {

using Mat4 = std::array<std::array<double, 4>, 4>;

// Three evaluations of -(k . x): forward sum, reversed fused multiply-add, long double.
[[nodiscard]] double neg_dot(const double* k, const double* x, std::size_t n,
                             std::uint32_t version) noexcept {
  if (version == 1U) {
    double s = 0.0;
    for (std::size_t i = n; i-- > 0;) s = std::fma(k[i], x[i], s);
    return -s;
  }
  if (version == 2U) {
    long double s = 0.0L;
    for (std::size_t i = 0; i < n; ++i) s += static_cast<long double>(k[i]) * static_cast<long double>(x[i]);
    return static_cast<double>(-s);
  }
  double s = 0.0;
  for (std::size_t i = 0; i < n; ++i) s += k[i] * x[i];
  return -s;
}

}  // namespace

PendulumLqr::PendulumLqr(const CartPole& p) {
  std::array<double, 16> ac{};
  std::array<double, 4> bc{};
  p.linearization(ac, bc);
  const double t = p.control_period();
  // Zero-order-hold discretisation: exp([[A, B], [0, 0]] t) by its Taylor series (||A t|| is
  // about 0.06, so 30 terms are exact to rounding).
  std::array<std::array<double, 5>, 5> m{};
  for (std::size_t i = 0; i < 4; ++i) {
    for (std::size_t j = 0; j < 4; ++j) m[i][j] = ac[i * 4 + j] * t;
    m[i][4] = bc[i] * t;
  }
  std::array<std::array<double, 5>, 5> e{};
  std::array<std::array<double, 5>, 5> term{};
  for (std::size_t i = 0; i < 5; ++i) e[i][i] = term[i][i] = 1.0;
  for (int k = 1; k <= 30; ++k) {
    std::array<std::array<double, 5>, 5> next{};
    for (std::size_t i = 0; i < 5; ++i)
      for (std::size_t j = 0; j < 5; ++j) {
        double s = 0.0;
        for (std::size_t l = 0; l < 5; ++l) s += term[i][l] * m[l][j];
        next[i][j] = s / static_cast<double>(k);
      }
    term = next;
    for (std::size_t i = 0; i < 5; ++i)
      for (std::size_t j = 0; j < 5; ++j) e[i][j] += term[i][j];
  }
  Mat4 a{};
  std::array<double, 4> b{};
  for (std::size_t i = 0; i < 4; ++i) {
    for (std::size_t j = 0; j < 4; ++j) a[i][j] = e[i][j];
    b[i] = e[i][4];
  }
  // Discrete Riccati iteration P <- Q + A'PA - A'PB (R + B'PB)^-1 B'PA (scalar input).
  const std::array<double, 4> q{10.0, 1.0, 100.0, 1.0};
  const double r = 0.1;
  Mat4 pm{};
  for (std::size_t i = 0; i < 4; ++i) pm[i][i] = q[i];
  for (int it = 0; it < 5000; ++it) {
    std::array<double, 4> pb{};  // P B
    for (std::size_t i = 0; i < 4; ++i)
      for (std::size_t j = 0; j < 4; ++j) pb[i] += pm[i][j] * b[j];
    double bpb = r;
    for (std::size_t i = 0; i < 4; ++i) bpb += b[i] * pb[i];
    std::array<double, 4> bpa{};  // B'PA
    for (std::size_t j = 0; j < 4; ++j)
      for (std::size_t i = 0; i < 4; ++i) bpa[j] += pb[i] * a[i][j];
    Mat4 pa{};  // P A
    for (std::size_t i = 0; i < 4; ++i)
      for (std::size_t j = 0; j < 4; ++j)
        for (std::size_t l = 0; l < 4; ++l) pa[i][j] += pm[i][l] * a[l][j];
    Mat4 next{};
    double change = 0.0;
    double size = 0.0;
    for (std::size_t i = 0; i < 4; ++i)
      for (std::size_t j = 0; j < 4; ++j) {
        double s = i == j ? q[i] : 0.0;
        for (std::size_t l = 0; l < 4; ++l) s += a[l][i] * pa[l][j];
        s -= bpa[i] * bpa[j] / bpb;
        next[i][j] = s;
        change = std::max(change, std::fabs(s - pm[i][j]));
        size = std::max(size, std::fabs(s));
      }
    // Symmetrise (rounding otherwise feeds the unstable mode and the iteration drifts away
    // from the fixed point after converging) and stop at a relative fixed point.
    for (std::size_t i = 0; i < 4; ++i)
      for (std::size_t j = 0; j < i; ++j) next[i][j] = next[j][i] = 0.5 * (next[i][j] + next[j][i]);
    pm = next;
    for (std::size_t j = 0; j < 4; ++j) m_k[j] = bpa[j] / bpb;
    if (change <= 1e-12 * size) break;
  }
}

Input PendulumLqr::compute(const State& x, ControllerState& /*s*/, std::uint32_t version) const noexcept {
  return Input{neg_dot(m_k.data(), x.data(), 4, version), 0.0, 0.0};
}

MotorPi::MotorPi(const DcMotor& m) : m_p(m.params()), m_period(m.control_period()) {}

Input MotorPi::compute(const State& x, ControllerState& s, std::uint32_t version) const noexcept {
  const double w = x[0];
  const double e = m_p.speed_setpoint - w;
  const double lo = m_p.torque_constant * w - m_current_margin * m_p.resistance;
  const double hi = m_p.torque_constant * w + m_current_margin * m_p.resistance;
  double integ = 0.0;
  double v = 0.0;
  if (version == 1U) {
    integ = std::fma(m_ki * m_period, e, s[0]);
    v = std::fma(m_kp, e, integ);
  } else if (version == 2U) {
    const long double li = static_cast<long double>(s[0]) + static_cast<long double>(m_ki) *
                                                                static_cast<long double>(e) *
                                                                static_cast<long double>(m_period);
    integ = static_cast<double>(li);
    v = static_cast<double>(static_cast<long double>(m_kp) * static_cast<long double>(e) + li);
  } else {
    integ = s[0] + m_ki * e * m_period;
    v = m_kp * e + integ;
  }
  const double limited = std::clamp(v, std::max(lo, -m_p.voltage_limit), std::min(hi, m_p.voltage_limit));
  if (limited == v) s[0] = integ;  // conditional integration: no wind-up while limited
  return Input{limited, 0.0, 0.0};
}

AttitudePd::AttitudePd(const RigidBodyAttitude& a) {
  constexpr double wn = 0.5;
  constexpr double zeta = 0.9;
  for (std::size_t i = 0; i < 3; ++i) {
    const double j = a.params().inertia[i];
    m_kp[i] = 2.0 * j * wn * wn;  // small angles: rotation angle = 2 |q_vec|
    m_kd[i] = 2.0 * zeta * wn * j;
  }
}

Input AttitudePd::compute(const State& x, ControllerState& /*s*/, std::uint32_t version) const noexcept {
  const double sign = x[0] < 0.0 ? -1.0 : 1.0;  // shortest rotation
  Input u{};
  for (std::size_t i = 0; i < 3; ++i) {
    const std::array<double, 2> k{m_kp[i] * sign, m_kd[i]};
    const std::array<double, 2> v{x[1 + i], x[4 + i]};
    u[i] = neg_dot(k.data(), v.data(), 2, version);
  }
  return u;
}

}  // namespace lockstep::sim::plant::detail
