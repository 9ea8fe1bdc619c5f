#pragma once
// The control laws of the three plants (private header), built from kernels/ (docs/plants.md):
//
//   plant     law (per control call, the replicated computation)         gains (set-up, once)
//   pendulum  Kalman update (kalman_standard | _joseph | _information)    LQR on the ZOH-discretised
//             on z = (cart position, angle), then u = -K x_hat             linearised cart-pole
//   motor     PID speed loop (PidDouble | PidFloat | PidFixed) on the     fixed gains (kp 0.2, ki 5)
//             measured speed, plus back-EMF feed-forward K w
//   attitude  per axis u_i = -K_i (2 sign(q0) q_i, w_i)                   LQR of each axis' double
//                                                                         integrator
//
// Version v in {0, 1, 2} uses the v-th kernel version everywhere: the LQR gain K_v comes from
// kLqrVersions[v] (Riccati / doubling / eigenvector), the estimator from kKalmanVersions[v],
// the PID from {PidDouble, PidFloat, PidFixed}[v]. N-version runs give replica i version i;
// every other executor replicates version 0 (the primary).
//
// The estimator and PID state live in the replica-private ControllerState: a fault in it is a
// replica fault the executor sees (its command dissents) and repairs (the runtime copies a
// majority replica's state over the dissenting one's after the vote).

#include <array>
#include <cstdint>

#include <Eigen/Dense>
#include <lockstep/kernels/pid.hpp>
#include <lockstep/voters/tolerance.hpp>

#include "lockstep/sim/plant/plant.hpp"

namespace lockstep::sim::plant::detail {

/// Replica-private controller memory. Pendulum: x_hat (words 0-3) and the estimate covariance
/// P (words 4-19, column-major); motor: the PID state (integral, previous measurement, previous
/// output, has-previous flag as 0/1); attitude: unused.
using ControllerState = std::array<double, 20>;

inline constexpr std::uint32_t kVersions = 3;

/// A control law u = law(z, state) in three versions, where z is the measurement vector the
/// sensors deliver (Law::measure).
/// Thread safety: immutable after construction; `compute` is reentrant (the PID objects are
/// copied from const prototypes per call). On failure: constructors raise lockstep::Error when
/// a kernel refuses the design (an LQR version not `ok`); `compute` never fails.
class Law {
 public:
  Law() = default;
  Law(const Law&) = delete;
  Law& operator=(const Law&) = delete;
  virtual ~Law() = default;
  [[nodiscard]] virtual Input compute(const State& z, ControllerState& s,
                                      std::uint32_t version) const noexcept = 0;
  /// The state every replica starts with.
  [[nodiscard]] virtual ControllerState initial_state() const noexcept { return ControllerState{}; }
  /// Words of ControllerState in use (0: stateless law).
  [[nodiscard]] virtual std::size_t state_words() const noexcept { return 0; }
  /// Words of z the sensors deliver (the measurement-fault target).
  [[nodiscard]] virtual std::size_t measurement_size() const noexcept = 0;
  /// Builds z from the true state, `noise` (standard normal draws times the noise scale, one
  /// per state word; the law multiplies word i by its sensor's nominal sigma) and the command
  /// applied over the last period (the actuator read-back the estimator predicts with).
  [[nodiscard]] virtual State measure(const State& x, const State& noise,
                                      const Input& applied) const noexcept = 0;
  /// Absolute agreement tolerance of the commands of two versions (N-version vote, and the
  /// SDC judgement of N-version runs), per command component.
  [[nodiscard]] virtual Tolerance version_tolerance() const noexcept = 0;
};

/// Pendulum: LQR state feedback on a Kalman estimate of the cart-pole state.
/// Measured: cart position (nominal sigma 2 mm) and pole angle (nominal sigma 0.1 deg).
class PendulumLqgLaw final : public Law {
 public:
  explicit PendulumLqgLaw(const CartPole& p);
  [[nodiscard]] Input compute(const State& z, ControllerState& s,
                              std::uint32_t version) const noexcept override;
  [[nodiscard]] ControllerState initial_state() const noexcept override;
  [[nodiscard]] std::size_t state_words() const noexcept override { return 20; }
  [[nodiscard]] std::size_t measurement_size() const noexcept override { return 3; }
  [[nodiscard]] State measure(const State& x, const State& noise,
                              const Input& applied) const noexcept override;
  [[nodiscard]] Tolerance version_tolerance() const noexcept override { return m_tolerance; }
  [[nodiscard]] const Eigen::Matrix<double, 1, 4>& gain(std::uint32_t version) const noexcept {
    return m_k[version % kVersions];
  }

  static constexpr double kSigmaPosition = 2e-3;                ///< [m]
  static constexpr double kSigmaAngle = 1.7453292519943295e-3;  ///< 0.1 deg [rad]

 private:
  std::array<Eigen::Matrix<double, 1, 4>, kVersions> m_k{};
  Eigen::Matrix4d m_a = Eigen::Matrix4d::Identity();
  Eigen::Vector4d m_b = Eigen::Vector4d::Zero();
  Eigen::Vector4d m_ainv_b = Eigen::Vector4d::Zero();  ///< A^-1 B: folds the input into the predict
  Eigen::Matrix4d m_q = Eigen::Matrix4d::Identity();
  Eigen::Matrix<double, 2, 4> m_h = Eigen::Matrix<double, 2, 4>::Zero();
  Eigen::Matrix2d m_r = Eigen::Matrix2d::Identity();
  Eigen::Matrix4d m_p0 = Eigen::Matrix4d::Identity();
  double m_track_range = 10.0;  ///< sensor ranges: readings beyond them are rejected
  double m_angle_range = 3.2;
  Tolerance m_tolerance = Tolerance::absolute(0.0);
};

/// Motor: PID speed loop from kernels/ plus back-EMF feed-forward: V = K w_meas + PID(w_ref,
/// w_meas), the PID output limited to +-8 R volts so the armature current stays near or below 8 A.
/// Measured: speed (nominal sigma 0.2 rad/s).
class MotorPidLaw final : public Law {
 public:
  explicit MotorPidLaw(const DcMotor& m);
  [[nodiscard]] Input compute(const State& z, ControllerState& s,
                              std::uint32_t version) const noexcept override;
  [[nodiscard]] std::size_t state_words() const noexcept override { return 1; }  // the integrator
  [[nodiscard]] std::size_t measurement_size() const noexcept override { return 1; }
  [[nodiscard]] State measure(const State& x, const State& noise,
                              const Input& applied) const noexcept override;
  [[nodiscard]] Tolerance version_tolerance() const noexcept override { return m_tolerance; }
  [[nodiscard]] const kernels::PidConfig& config() const noexcept { return m_config; }

  static constexpr double kSigmaSpeed = 0.2;  ///< [rad/s]

 private:
  DcMotor::Params m_p{};
  kernels::PidConfig m_config{};
  kernels::PidDouble m_double;
  kernels::PidFloat m_float;
  kernels::PidFixed m_fixed;
  Tolerance m_tolerance = Tolerance::absolute(0.0);
};

/// Attitude: per-axis LQR on (rotation angle 2 sign(q0) q_i, body rate w_i).
/// Measured: the quaternion (nominal sigma 1e-4 per component) and rates (1e-4 rad/s).
class AttitudeLqrLaw final : public Law {
 public:
  explicit AttitudeLqrLaw(const RigidBodyAttitude& a);
  [[nodiscard]] Input compute(const State& z, ControllerState& s,
                              std::uint32_t version) const noexcept override;
  [[nodiscard]] std::size_t measurement_size() const noexcept override { return 7; }
  [[nodiscard]] State measure(const State& x, const State& noise,
                              const Input& applied) const noexcept override;
  [[nodiscard]] Tolerance version_tolerance() const noexcept override { return m_tolerance; }
  [[nodiscard]] const Eigen::Matrix<double, 1, 2>& gain(std::uint32_t version,
                                                        std::size_t axis) const noexcept {
    return m_k[version % kVersions][axis % 3U];
  }

  static constexpr double kSigmaQuaternion = 1e-4;
  static constexpr double kSigmaRate = 1e-4;  ///< [rad/s]

 private:
  std::array<std::array<Eigen::Matrix<double, 1, 2>, 3>, kVersions> m_k{};
  Tolerance m_tolerance = Tolerance::absolute(0.0);
};

}  // namespace lockstep::sim::plant::detail
