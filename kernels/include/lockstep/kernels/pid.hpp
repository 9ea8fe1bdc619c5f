#pragma once
// Discrete PID controller with output limits and anti-windup, in three independently written
// numeric versions: PidDouble (IEEE double), PidFloat (IEEE float throughout) and PidFixed
// (Q16.16 inputs/outputs, Q31.32 integer arithmetic; bit-exact on every platform).
//
// The control law all three implement (k = step, T = dt):
//   e_k   = r_k - y_k
//   P_k   = kp * e_k
//   D_k   = -(kd / T) * (y_k - y_{k-1})          (0 on the first step: derivative on measurement)
//   I'    = I_{k-1} + (ki * T) * e_k
//   I_k   = clamp(I', min(I_{k-1}, u_min - P_k - D_k), max(I_{k-1}, u_max - P_k - D_k))
//   u_k   = clamp(P_k + I_k + D_k, u_min, u_max)
// The integrator clamp is the anti-windup: the integral may grow only until the output reaches
// a limit, and never further. Unlike "stop integrating when saturated", this rule is continuous
// (1-Lipschitz) in every input, so rounding differences between versions stay bounded.
//
// Out-of-range (|r| or |y| > input_limit) or non-finite inputs: the step is refused, the state
// is unchanged, and the previous output is held (status out_of_range / non_finite).

#include <lockstep/kernels/status.hpp>

#include <array>
#include <cstdint>

namespace lockstep::kernels {

/// PID configuration. Validated by every version's constructor (the same rules for all, so a
/// configuration valid for one version is valid for all): finite values, dt > 0,
/// out_min < out_max, |out_min|,|out_max| <= 32767, 0 < input_limit <= 16383, and
/// |kp|, |ki*dt|, |kd/dt| <= 32767 (the Q16.16 ranges).
struct PidConfig {
  double kp = 1.0;
  double ki = 0.0;
  double kd = 0.0;
  double dt = 0.01;             ///< sample period in seconds
  double out_min = -1.0;        ///< output lower limit
  double out_max = 1.0;         ///< output upper limit
  double input_limit = 1000.0;  ///< largest |setpoint| and |measurement| accepted
};

/// One sample: the setpoint r and the measurement y.
struct PidInput {
  double setpoint = 0.0;
  double measurement = 0.0;
};

/// One controller output.
struct PidOutput {
  double u = 0.0;
  Status status = Status::ok;
  bool saturated = false;  ///< u sits on a limit
};

/// Controller state in a version-neutral form, so a runtime can re-align the versions' states
/// after a vote (state voting) and keep their rounding differences from accumulating.
struct PidState {
  double integral = 0.0;
  double prev_measurement = 0.0;
  double prev_output = 0.0;
  bool has_prev = false;
};

/// Absolute agreement tolerance of the outputs of any two versions after `steps_since_sync`
/// steps from a common state (1 = states re-aligned before every step).
/// Derivation (docs/kernels.md): with Y = input_limit, E = 2Y, U = max|limit| and
/// G = |kp| + 2|kd|/dt + |ki|dt, one step of a version deviates from exact arithmetic by
/// beta_v = G (2 q_v + u_v E) + 8 u_v (G E + U) (float/double, q_v = u_v Y input rounding) or
/// beta_fixed = 2 G 2^-17 + 3 (2^-32 + 2^-33 E) (Q16.16 inputs, Q31.32 products). The update law
/// is 1-Lipschitz in P, I, D, so the integrator deviation grows by at most beta per step and
/// eps(k) = (k + 2) (beta_float + beta_fixed) + 2^-17 (the fixed output rounding).
/// Throws lockstep::Error for an invalid configuration.
[[nodiscard]] Tolerance pid_tolerance(const PidConfig& config, std::uint32_t steps_since_sync = 1);

/// True when two outputs agree: same status and saturation, |u_a - u_b| <= tolerance.epsilon().
[[nodiscard]] bool agrees(const PidOutput& a, const PidOutput& b, const Tolerance& tolerance) noexcept;

/// Throws lockstep::Error naming the first rule `config` breaks (see PidConfig).
void validate(const PidConfig& config);

/// Version 1: double precision.
/// Usage:
///   lockstep::kernels::PidDouble pid({.kp = 2.0, .ki = 1.0, .kd = 0.1, .dt = 0.01});
///   const auto out = pid.step({.setpoint = 1.0, .measurement = y});
/// Thread safety: one object per thread; `step` mutates the state.
/// On failure: the constructor throws lockstep::Error for an invalid config; `step` never
/// throws and reports out-of-range / non-finite inputs in the status (output held).
class PidDouble {
 public:
  explicit PidDouble(const PidConfig& config);
  [[nodiscard]] PidOutput step(const PidInput& in) noexcept;
  [[nodiscard]] PidState state() const noexcept;
  /// Adopts `s` (e.g. the voted state). Refused, state unchanged: non-finite fields (non_finite),
  /// values beyond the version's number range (out_of_range; float and fixed only).
  [[nodiscard]] Status set_state(const PidState& s) noexcept;
  void reset() noexcept;

 private:
  PidConfig m_config;
  double m_ki_dt;
  double m_kd_over_dt;
  PidState m_state;
};

/// Version 2: single precision throughout (gains, state and arithmetic in float).
/// Thread safety / On failure: as PidDouble.
class PidFloat {
 public:
  explicit PidFloat(const PidConfig& config);
  [[nodiscard]] PidOutput step(const PidInput& in) noexcept;
  [[nodiscard]] PidState state() const noexcept;
  [[nodiscard]] Status set_state(const PidState& s) noexcept;
  void reset() noexcept;

 private:
  float m_kp;
  float m_ki_dt;
  float m_kd_over_dt;
  float m_out_min;
  float m_out_max;
  float m_input_limit;
  float m_integral = 0.0F;
  float m_prev_measurement = 0.0F;
  float m_prev_output;
  bool m_has_prev = false;
};

/// Version 3: fixed point. Inputs are rounded to Q16.16 (int32, resolution 2^-16 ~ 1.5e-5),
/// gains are held in Q31.32 (int64), products and the integrator in Q31.32 (int64), the output
/// is rounded to Q16.16. Pure integer arithmetic: the raw outputs are bit-identical on every
/// platform and compiler, which makes this version the simulator's reproducible reference.
/// Thread safety / On failure: as PidDouble.
class PidFixed {
 public:
  /// A Q16.16 value: raw / 65536.
  using Q16 = std::int32_t;
  explicit PidFixed(const PidConfig& config);
  [[nodiscard]] PidOutput step(const PidInput& in) noexcept;
  /// The raw interface: setpoint and measurement already in Q16.16; returns u in Q16.16.
  /// Inputs beyond +-input_limit give out_of_range and the held output.
  [[nodiscard]] Q16 step_raw(Q16 setpoint, Q16 measurement, Status& status) noexcept;
  [[nodiscard]] PidState state() const noexcept;
  [[nodiscard]] Status set_state(const PidState& s) noexcept;
  void reset() noexcept;

  /// Round-to-nearest conversion to Q16.16 with saturation to the int32 range (NaN -> 0).
  [[nodiscard]] static Q16 to_q16(double v) noexcept;
  [[nodiscard]] static double from_q16(Q16 v) noexcept;

 private:
  std::int64_t m_kp;  // all Q31.32
  std::int64_t m_ki_dt;
  std::int64_t m_kd_over_dt;
  std::int64_t m_out_min;
  std::int64_t m_out_max;
  Q16 m_input_limit;
  std::int64_t m_integral = 0;
  Q16 m_prev_measurement = 0;
  Q16 m_prev_output;
  bool m_has_prev = false;
};

}  // namespace lockstep::kernels
