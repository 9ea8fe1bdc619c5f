#pragma once
// The control laws of the three plants (private header), each written three ways for
// N-version runs. Version 0 is the reference; versions 1 and 2 compute the same law with a
// different evaluation order / precision, as independently written implementations would, so
// they agree within a tolerance but not bit for bit.
//
// Until kernels/ provides LQR/PID kernels in several versions these are the plant's own laws;
// swapping them for kernels/ ones only changes make_law() below.

#include <array>
#include <cstdint>

#include "lockstep/sim/plant/plant.hpp"

namespace lockstep::sim::plant::detail {

/// Replica-private controller memory (the motor PI's integrator; unused by the others).
using ControllerState = std::array<double, 2>;

inline constexpr std::uint32_t kVersions = 3;

/// A control law u = law(x, state) with three versions.
/// Thread safety: immutable after construction; `compute` is reentrant.
class Law {
 public:
  Law() = default;
  Law(const Law&) = delete;
  Law& operator=(const Law&) = delete;
  virtual ~Law() = default;
  [[nodiscard]] virtual Input compute(const State& x, ControllerState& s,
                                      std::uint32_t version) const noexcept = 0;
  [[nodiscard]] virtual bool stateful() const noexcept { return false; }
};

/// Discrete LQR for the cart-pole linearised at upright (gain from the discrete Riccati
/// equation, zero-order hold at the control period).
class PendulumLqr final : public Law {
 public:
  explicit PendulumLqr(const CartPole& p);
  [[nodiscard]] Input compute(const State& x, ControllerState& s,
                              std::uint32_t version) const noexcept override;
  [[nodiscard]] const std::array<double, 4>& gain() const noexcept { return m_k; }

 private:
  std::array<double, 4> m_k{};
};

/// PI speed controller with a software current limit (the command keeps |i| below 8 A by
/// bounding V to K w +- 8 R) and conditional-integration anti-windup.
class MotorPi final : public Law {
 public:
  explicit MotorPi(const DcMotor& m);
  [[nodiscard]] Input compute(const State& x, ControllerState& s,
                              std::uint32_t version) const noexcept override;
  [[nodiscard]] bool stateful() const noexcept override { return true; }

 private:
  DcMotor::Params m_p{};
  double m_kp = 0.2;
  double m_ki = 5.0;
  double m_period = 1e-3;
  double m_current_margin = 8.0;
};

/// Quaternion PD attitude controller: tau = -Kp sign(q0) q_vec - Kd w, per axis gains from a
/// 0.5 rad/s, damping 0.9 design.
class AttitudePd final : public Law {
 public:
  explicit AttitudePd(const RigidBodyAttitude& a);
  [[nodiscard]] Input compute(const State& x, ControllerState& s,
                              std::uint32_t version) const noexcept override;

 private:
  std::array<double, 3> m_kp{};
  std::array<double, 3> m_kd{};
};

}  // namespace lockstep::sim::plant::detail
