#pragma once
// Physical plants for closed-loop fault-injection studies, integrated in simulated time with a
// fixed-step classical Runge-Kutta (RK4) scheme. Each plant states its safety envelope: the
// region of state space the controlled system must never leave (docs/plants.md).
//
//   plant         state x                          input u          envelope
//   pendulum      [x, x', theta, theta']           cart force F [N] |theta| <= 12 deg, |x| <= 2.4 m
//   motor         [omega, i]                       voltage V [V]    |omega| <= 150 rad/s, |i| <= 10 A
//   attitude      [q0, q1, q2, q3, wx, wy, wz]     torque [N m]     pointing error <= 10 deg, |w| <= 0.2
//   rad/s
//
// Usage:
//   lockstep::sim::plant::CartPole p;
//   auto x = p.initial_state();
//   lockstep::sim::plant::Input u{1.0};
//   for (int k = 0; k < 1000; ++k) lockstep::sim::plant::rk4_step(p, x, u, 1e-3);
//   bool ok = p.in_envelope(x);

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>

namespace lockstep::sim::plant {

inline constexpr std::size_t kMaxState = 7;
inline constexpr std::size_t kMaxInput = 3;
using State = std::array<double, kMaxState>;  ///< unused tail entries stay 0
using Input = std::array<double, kMaxInput>;

enum class PlantKind : std::uint8_t { pendulum, motor, attitude };
[[nodiscard]] std::string_view to_string(PlantKind k) noexcept;
/// Raises lockstep::Error listing the valid names.
[[nodiscard]] PlantKind parse_plant(std::string_view name);

/// A continuous-time plant dx/dt = f(x, u) with a safety envelope.
/// Thread safety: immutable after construction; `derivative` and the envelope checks may run
/// on many threads at once. On failure: never fails; non-finite states are outside every envelope.
class Plant {
 public:
  Plant() = default;
  Plant(const Plant&) = delete;
  Plant& operator=(const Plant&) = delete;
  virtual ~Plant() = default;

  [[nodiscard]] virtual PlantKind kind() const noexcept = 0;
  [[nodiscard]] virtual std::size_t state_size() const noexcept = 0;
  [[nodiscard]] virtual std::size_t input_size() const noexcept = 0;
  /// dx/dt at (x, u). `u` must already respect the actuator limits.
  [[nodiscard]] virtual State derivative(const State& x, const Input& u) const noexcept = 0;
  /// Clamps a command to the actuator's physical range (NaN components become 0: the actuator
  /// driver rejects a non-number and outputs nothing).
  [[nodiscard]] virtual Input saturate(const Input& u) const noexcept = 0;
  /// True while the state is inside the documented safety envelope.
  [[nodiscard]] virtual bool in_envelope(const State& x) const noexcept = 0;
  /// The controlled error whose square is integrated into the ISE figure (pendulum: angle in
  /// rad; motor: speed error in rad/s; attitude: pointing error in rad).
  [[nodiscard]] virtual double tracking_error(const State& x) const noexcept = 0;
  /// Start of every run (a perturbed operating point, so the controller has work to do).
  [[nodiscard]] virtual State initial_state() const noexcept = 0;
  /// Post-step projection (the attitude plant renormalises its quaternion). Default: none.
  virtual void normalize(State& /*x*/) const noexcept {}
  /// Largest RK4 step the plant is integrated with.
  [[nodiscard]] virtual double integration_step() const noexcept = 0;
  /// Control period the plant's controller runs at.
  [[nodiscard]] virtual double control_period() const noexcept = 0;
};

/// Nonlinear inverted pendulum on a cart (point mass on a massless rod, frictionless), angle
/// from upright, positive = mass to the right of the pivot. Parameters and envelope after the
/// classic cart-pole benchmark (Barto, Sutton & Anderson, IEEE SMC 1983): 12 degrees, 2.4 m.
class CartPole final : public Plant {
 public:
  struct Params {
    double cart_mass = 1.0;     ///< M [kg]
    double pole_mass = 0.1;     ///< m [kg]
    double length = 0.25;       ///< l [m], pivot to mass
    double gravity = 9.81;      ///< g [m/s^2]
    double force_limit = 40.0;  ///< |F| <= limit [N]
    double angle_limit_deg = 12.0;
    double track_limit = 2.4;  ///< |x| <= limit [m]
    double initial_angle_deg = 3.0;
  };
  CartPole() = default;
  explicit CartPole(const Params& p) : m_p(p) {}
  [[nodiscard]] const Params& params() const noexcept { return m_p; }

  [[nodiscard]] PlantKind kind() const noexcept override { return PlantKind::pendulum; }
  [[nodiscard]] std::size_t state_size() const noexcept override { return 4; }
  [[nodiscard]] std::size_t input_size() const noexcept override { return 1; }
  [[nodiscard]] State derivative(const State& x, const Input& u) const noexcept override;
  [[nodiscard]] Input saturate(const Input& u) const noexcept override;
  [[nodiscard]] bool in_envelope(const State& x) const noexcept override;
  [[nodiscard]] double tracking_error(const State& x) const noexcept override { return x[2]; }
  [[nodiscard]] State initial_state() const noexcept override;
  [[nodiscard]] double integration_step() const noexcept override { return 1e-3; }
  [[nodiscard]] double control_period() const noexcept override { return 1e-2; }
  /// Total mechanical energy (conserved when F = 0): checks the integrator.
  [[nodiscard]] double energy(const State& x) const noexcept;
  /// The linearisation at the upright equilibrium: dx/dt = A x + B F (row-major 4x4, 4x1).
  void linearization(std::array<double, 16>& a, std::array<double, 4>& b) const noexcept;

 private:
  Params m_p{};
};

/// Permanent-magnet DC motor, speed loop: J w' = K i - b w, L i' = V - R i - K w.
class DcMotor final : public Plant {
 public:
  struct Params {
    double inertia = 1e-4;          ///< J [kg m^2]
    double friction = 1e-5;         ///< b [N m s]
    double torque_constant = 0.05;  ///< K [N m/A] = back-emf constant [V s]
    double resistance = 1.0;        ///< R [ohm]
    double inductance = 1e-3;       ///< L [H]
    double voltage_limit = 24.0;    ///< |V| <= limit [V]
    double speed_setpoint = 100.0;  ///< [rad/s]
    double speed_limit = 150.0;     ///< overspeed trip [rad/s]
    double current_limit = 10.0;    ///< overcurrent trip [A]
  };
  DcMotor() = default;
  explicit DcMotor(const Params& p) : m_p(p) {}
  [[nodiscard]] const Params& params() const noexcept { return m_p; }

  [[nodiscard]] PlantKind kind() const noexcept override { return PlantKind::motor; }
  [[nodiscard]] std::size_t state_size() const noexcept override { return 2; }
  [[nodiscard]] std::size_t input_size() const noexcept override { return 1; }
  [[nodiscard]] State derivative(const State& x, const Input& u) const noexcept override;
  [[nodiscard]] Input saturate(const Input& u) const noexcept override;
  [[nodiscard]] bool in_envelope(const State& x) const noexcept override;
  [[nodiscard]] double tracking_error(const State& x) const noexcept override {
    return x[0] - m_p.speed_setpoint;
  }
  /// Starts at rest: the run is a speed step from 0 to the set-point.
  [[nodiscard]] State initial_state() const noexcept override { return State{}; }
  [[nodiscard]] double integration_step() const noexcept override { return 1e-4; }
  [[nodiscard]] double control_period() const noexcept override { return 1e-3; }
  /// Steady-state speed for a constant voltage: K V / (b R + K^2).
  [[nodiscard]] double steady_speed(double volts) const noexcept;

 private:
  Params m_p{};
};

/// Rigid body in space: Euler's equations J w' = tau - w x (J w) and quaternion kinematics
/// q' = 1/2 q (x) (0, w), scalar first, body rates in the body frame. The target attitude is
/// the identity; the pointing error is 2 acos(|q0|).
class RigidBodyAttitude final : public Plant {
 public:
  struct Params {
    std::array<double, 3> inertia{10.0, 15.0, 20.0};  ///< principal moments [kg m^2]
    double torque_limit = 0.5;                        ///< per axis [N m]
    double error_limit_deg = 10.0;                    ///< pointing envelope
    double rate_limit = 0.2;                          ///< |w| envelope [rad/s]
    double initial_error_deg = 5.0;                   ///< about the axis (1, 1, 1)/sqrt(3)
  };
  RigidBodyAttitude() = default;
  explicit RigidBodyAttitude(const Params& p) : m_p(p) {}
  [[nodiscard]] const Params& params() const noexcept { return m_p; }

  [[nodiscard]] PlantKind kind() const noexcept override { return PlantKind::attitude; }
  [[nodiscard]] std::size_t state_size() const noexcept override { return 7; }
  [[nodiscard]] std::size_t input_size() const noexcept override { return 3; }
  [[nodiscard]] State derivative(const State& x, const Input& u) const noexcept override;
  [[nodiscard]] Input saturate(const Input& u) const noexcept override;
  [[nodiscard]] bool in_envelope(const State& x) const noexcept override;
  [[nodiscard]] double tracking_error(const State& x) const noexcept override;
  [[nodiscard]] State initial_state() const noexcept override;
  void normalize(State& x) const noexcept override;
  [[nodiscard]] double integration_step() const noexcept override { return 1e-2; }
  [[nodiscard]] double control_period() const noexcept override { return 5e-2; }
  /// Rotational kinetic energy 1/2 w^T J w and the inertial-frame angular momentum magnitude
  /// (both conserved when tau = 0).
  [[nodiscard]] double kinetic_energy(const State& x) const noexcept;
  [[nodiscard]] double momentum_norm(const State& x) const noexcept;

 private:
  Params m_p{};
};

/// One classical RK4 step of length `dt` with `u` held constant (zero-order hold), followed by
/// the plant's projection. noexcept, no allocation.
void rk4_step(const Plant& p, State& x, const Input& u, double dt) noexcept;

/// Integrates over `duration` with steps of at most p.integration_step(); returns false as soon
/// as the envelope is left (x then holds the first state outside).
bool integrate(const Plant& p, State& x, const Input& u, double duration) noexcept;

/// A plant of the given kind with default parameters.
[[nodiscard]] std::unique_ptr<Plant> make_plant(PlantKind k);

}  // namespace lockstep::sim::plant
