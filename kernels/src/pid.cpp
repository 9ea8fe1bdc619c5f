// The three PID versions. They share only the configuration rules; each step() is written
// separately in its own arithmetic.
#include <lockstep/kernels/pid.hpp>

#include <lockstep/core/error.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace lockstep::kernels {

namespace {

constexpr double kQ16Max = 32767.0;
constexpr double kInputLimitMax = 16383.0;
constexpr double kQ32Scale = 4294967296.0;        // 2^32
constexpr double kQ16Scale = 65536.0;             // 2^16
constexpr double kMagnitudeBudget = 536870912.0;  // 2^29: keeps every Q31.32 sum below 2^62

bool finite(double v) noexcept { return std::isfinite(v); }

double clamp_out(double v, double lo, double hi) noexcept { return std::min(std::max(v, lo), hi); }

// Validates before any member initialiser converts a value (a float cast of 1e300 is UB).
const PidConfig& validated(const PidConfig& c) {
  validate(c);
  return c;
}

}  // namespace

void validate(const PidConfig& c) {
  const auto fail = [](const std::string& why) { raise("PidConfig: " + why); };
  if (!finite(c.kp) || !finite(c.ki) || !finite(c.kd)) fail("gains must be finite");
  if (!finite(c.dt) || !(c.dt > 0.0)) fail("dt must be finite and > 0");
  if (!finite(c.out_min) || !finite(c.out_max) || !(c.out_min < c.out_max)) {
    fail("need finite out_min < out_max");
  }
  if (std::abs(c.out_min) > kQ16Max || std::abs(c.out_max) > kQ16Max)
    fail("|out_min|, |out_max| must be <= 32767");
  if (!finite(c.input_limit) || !(c.input_limit > 0.0) || c.input_limit > kInputLimitMax) {
    fail("input_limit must be in (0, 16383]");
  }
  const double ki_dt = c.ki * c.dt;
  const double kd_dt = c.kd / c.dt;
  if (std::abs(c.kp) > kQ16Max || std::abs(ki_dt) > kQ16Max || !finite(kd_dt) || std::abs(kd_dt) > kQ16Max) {
    fail("|kp|, |ki*dt| and |kd/dt| must be <= 32767");
  }
  const double worst = (std::abs(c.kp) + std::abs(ki_dt) + std::abs(kd_dt)) * 2.0 * c.input_limit;
  if (worst > kMagnitudeBudget) fail("(|kp| + |ki*dt| + |kd/dt|) * 2 * input_limit must be <= 2^29");
}

Tolerance pid_tolerance(const PidConfig& c, std::uint32_t steps_since_sync) {
  validate(c);
  const double y = c.input_limit;
  const double e = 2.0 * y;
  const double u_lim = std::max(std::abs(c.out_min), std::abs(c.out_max));
  const double g = std::abs(c.kp) + 2.0 * std::abs(c.kd) / c.dt + std::abs(c.ki) * c.dt;
  const auto beta_float = [&](double u) { return g * (2.0 * u * y + u * e) + 8.0 * u * (g * e + u_lim); };
  const double beta_fixed = 2.0 * g / (2.0 * kQ16Scale) + 3.0 * (1.0 / kQ32Scale + e / (2.0 * kQ32Scale));
  const double steps = static_cast<double>(std::max<std::uint32_t>(steps_since_sync, 1U));
  const double beta_pair = beta_float(kUnitRoundoffFloat) + beta_fixed;
  return Tolerance::absolute((steps + 2.0) * beta_pair + 1.0 / (2.0 * kQ16Scale));
}

bool agrees(const PidOutput& a, const PidOutput& b, const Tolerance& tolerance) noexcept {
  if (a.status != b.status) return false;
  if (std::isnan(a.u) || std::isnan(b.u)) return false;
  return std::abs(a.u - b.u) <= tolerance.epsilon();
}

// ---------------------------------------------------------------------------------------------
// Version 1: double.

PidDouble::PidDouble(const PidConfig& config)
    : m_config(validated(config)), m_ki_dt(config.ki * config.dt), m_kd_over_dt(config.kd / config.dt) {
  reset();
}

void PidDouble::reset() noexcept {
  m_state = PidState{};
  m_state.prev_output = clamp_out(0.0, m_config.out_min, m_config.out_max);
}

PidOutput PidDouble::step(const PidInput& in) noexcept {
  PidOutput out;
  out.u = m_state.prev_output;
  if (!finite(in.setpoint) || !finite(in.measurement)) {
    out.status = Status::non_finite;
    return out;
  }
  if (std::abs(in.setpoint) > m_config.input_limit || std::abs(in.measurement) > m_config.input_limit) {
    out.status = Status::out_of_range;
    return out;
  }
  const double e = in.setpoint - in.measurement;
  const double p = m_config.kp * e;
  const double d = m_state.has_prev ? -m_kd_over_dt * (in.measurement - m_state.prev_measurement) : 0.0;
  const double candidate = m_state.integral + m_ki_dt * e;
  const double lo = std::min(m_state.integral, m_config.out_min - p - d);
  const double hi = std::max(m_state.integral, m_config.out_max - p - d);
  m_state.integral = clamp_out(candidate, lo, hi);
  const double u = clamp_out(p + m_state.integral + d, m_config.out_min, m_config.out_max);
  m_state.prev_measurement = in.measurement;
  m_state.prev_output = u;
  m_state.has_prev = true;
  out.u = u;
  out.saturated = u == m_config.out_min || u == m_config.out_max;
  return out;
}

PidState PidDouble::state() const noexcept { return m_state; }

Status PidDouble::set_state(const PidState& s) noexcept {
  if (!finite(s.integral) || !finite(s.prev_measurement) || !finite(s.prev_output)) return Status::non_finite;
  m_state = s;
  return Status::ok;
}

// ---------------------------------------------------------------------------------------------
// Version 2: float.

PidFloat::PidFloat(const PidConfig& config)
    : m_kp(static_cast<float>(validated(config).kp)),
      m_ki_dt(static_cast<float>(config.ki) * static_cast<float>(config.dt)),
      m_kd_over_dt(static_cast<float>(config.kd) / static_cast<float>(config.dt)),
      m_out_min(static_cast<float>(config.out_min)),
      m_out_max(static_cast<float>(config.out_max)),
      m_input_limit(static_cast<float>(config.input_limit)),
      m_prev_output(0.0F) {
  reset();
}

void PidFloat::reset() noexcept {
  m_integral = 0.0F;
  m_prev_measurement = 0.0F;
  m_prev_output = std::min(std::max(0.0F, m_out_min), m_out_max);
  m_has_prev = false;
}

PidOutput PidFloat::step(const PidInput& in) noexcept {
  PidOutput out;
  out.u = static_cast<double>(m_prev_output);
  if (!finite(in.setpoint) || !finite(in.measurement)) {
    out.status = Status::non_finite;
    return out;
  }
  // Range check before narrowing: converting a double beyond the float range is UB.
  const double limit = static_cast<double>(m_input_limit);
  if (std::abs(in.setpoint) > limit || std::abs(in.measurement) > limit) {
    out.status = Status::out_of_range;
    return out;
  }
  const auto r = static_cast<float>(in.setpoint);
  const auto y = static_cast<float>(in.measurement);
  const float e = r - y;
  const float p = m_kp * e;
  const float d = m_has_prev ? -(m_kd_over_dt * (y - m_prev_measurement)) : 0.0F;
  const float candidate = m_integral + m_ki_dt * e;
  const float lo = std::min(m_integral, m_out_min - p - d);
  const float hi = std::max(m_integral, m_out_max - p - d);
  m_integral = std::min(std::max(candidate, lo), hi);
  const float u = std::min(std::max(p + m_integral + d, m_out_min), m_out_max);
  m_prev_measurement = y;
  m_prev_output = u;
  m_has_prev = true;
  out.u = static_cast<double>(u);
  out.saturated = u == m_out_min || u == m_out_max;
  return out;
}

PidState PidFloat::state() const noexcept {
  return PidState{static_cast<double>(m_integral), static_cast<double>(m_prev_measurement),
                  static_cast<double>(m_prev_output), m_has_prev};
}

Status PidFloat::set_state(const PidState& s) noexcept {
  if (!finite(s.integral) || !finite(s.prev_measurement) || !finite(s.prev_output)) return Status::non_finite;
  constexpr double kMax = std::numeric_limits<float>::max();
  if (std::abs(s.integral) > kMax || std::abs(s.prev_measurement) > kMax || std::abs(s.prev_output) > kMax) {
    return Status::out_of_range;
  }
  const auto i = static_cast<float>(s.integral);
  const auto y = static_cast<float>(s.prev_measurement);
  const auto u = static_cast<float>(s.prev_output);
  m_integral = i;
  m_prev_measurement = y;
  m_prev_output = u;
  m_has_prev = s.has_prev;
  return Status::ok;
}

// ---------------------------------------------------------------------------------------------
// Version 3: Q16.16 / Q31.32 fixed point.

namespace {

using Q16 = PidFixed::Q16;

// Saturating round-to-nearest of v * scale into [lo, hi]; NaN -> 0.
std::int64_t to_fixed(double v, double scale, double lo, double hi) noexcept {
  if (std::isnan(v)) return 0;
  const double x = std::min(std::max(v * scale, lo), hi);
  return static_cast<std::int64_t>(std::llround(x));
}

constexpr double kQ32Limit = 2305843009213693952.0;  // 2^61

std::int64_t to_q32(double v) noexcept { return to_fixed(v, kQ32Scale, -kQ32Limit, kQ32Limit); }

// (Q16.16 a) * (Q31.32 k) -> Q31.32, rounded to nearest, without a 128-bit intermediate:
// k = k_hi * 2^16 + k_lo with 0 <= k_lo < 2^16, so a*k / 2^16 = a*k_hi + (a*k_lo) / 2^16.
// |a| < 2^31 and |k_hi| < 2^31 keep a*k_hi below 2^62.
std::int64_t mul_q16_q32(std::int64_t a, std::int64_t k) noexcept {
  const std::int64_t k_hi = k >> 16;  // arithmetic shift (C++20)
  const std::int64_t k_lo = k & 0xFFFF;
  return a * k_hi + ((a * k_lo + 0x8000) >> 16);
}

std::int64_t clamp64(std::int64_t v, std::int64_t lo, std::int64_t hi) noexcept {
  return std::min(std::max(v, lo), hi);
}

Q16 q32_to_q16(std::int64_t v) noexcept {
  const std::int64_t r = (v + 0x8000) >> 16;
  return static_cast<Q16>(clamp64(r, std::numeric_limits<Q16>::min(), std::numeric_limits<Q16>::max()));
}

}  // namespace

PidFixed::Q16 PidFixed::to_q16(double v) noexcept {
  return static_cast<Q16>(to_fixed(v, kQ16Scale, static_cast<double>(std::numeric_limits<Q16>::min()),
                                   static_cast<double>(std::numeric_limits<Q16>::max())));
}

double PidFixed::from_q16(Q16 v) noexcept { return static_cast<double>(v) / kQ16Scale; }

PidFixed::PidFixed(const PidConfig& config)
    : m_kp(to_q32(validated(config).kp)),
      m_ki_dt(to_q32(config.ki * config.dt)),
      m_kd_over_dt(to_q32(config.kd / config.dt)),
      m_out_min(to_q32(config.out_min)),
      m_out_max(to_q32(config.out_max)),
      m_input_limit(to_q16(config.input_limit)),
      m_prev_output(0) {
  reset();
}

void PidFixed::reset() noexcept {
  m_integral = 0;
  m_prev_measurement = 0;
  m_prev_output = q32_to_q16(clamp64(0, m_out_min, m_out_max));
  m_has_prev = false;
}

PidFixed::Q16 PidFixed::step_raw(Q16 setpoint, Q16 measurement, Status& status) noexcept {
  const std::int64_t r = setpoint;
  const std::int64_t y = measurement;
  if (r > m_input_limit || r < -m_input_limit || y > m_input_limit || y < -m_input_limit) {
    status = Status::out_of_range;
    return m_prev_output;
  }
  const std::int64_t e = r - y;
  const std::int64_t p = mul_q16_q32(e, m_kp);
  const std::int64_t d = m_has_prev ? -mul_q16_q32(y - m_prev_measurement, m_kd_over_dt) : 0;
  const std::int64_t candidate = m_integral + mul_q16_q32(e, m_ki_dt);
  const std::int64_t lo = std::min(m_integral, m_out_min - p - d);
  const std::int64_t hi = std::max(m_integral, m_out_max - p - d);
  m_integral = clamp64(candidate, lo, hi);
  const std::int64_t u = clamp64(p + m_integral + d, m_out_min, m_out_max);
  m_prev_measurement = measurement;
  m_prev_output = q32_to_q16(u);
  m_has_prev = true;
  status = Status::ok;
  return m_prev_output;
}

PidOutput PidFixed::step(const PidInput& in) noexcept {
  PidOutput out;
  if (!finite(in.setpoint) || !finite(in.measurement)) {
    out.u = from_q16(m_prev_output);
    out.status = Status::non_finite;
    return out;
  }
  const Q16 u = step_raw(to_q16(in.setpoint), to_q16(in.measurement), out.status);
  out.u = from_q16(u);
  const std::int64_t u32 = static_cast<std::int64_t>(u) * 65536;
  out.saturated = out.status == Status::ok && (u32 <= m_out_min + 0x8000 || u32 >= m_out_max - 0x8000);
  return out;
}

PidState PidFixed::state() const noexcept {
  return PidState{static_cast<double>(m_integral) / kQ32Scale, from_q16(m_prev_measurement),
                  from_q16(m_prev_output), m_has_prev};
}

Status PidFixed::set_state(const PidState& s) noexcept {
  if (!finite(s.integral) || !finite(s.prev_measurement) || !finite(s.prev_output)) return Status::non_finite;
  if (std::abs(s.integral) * kQ32Scale > kQ32Limit || std::abs(s.prev_measurement) > kQ16Max * 2.0 ||
      std::abs(s.prev_output) > kQ16Max * 2.0) {
    return Status::out_of_range;
  }
  m_integral = to_q32(s.integral);
  m_prev_measurement = to_q16(s.prev_measurement);
  m_prev_output = to_q16(s.prev_output);
  m_has_prev = s.has_prev;
  return Status::ok;
}

}  // namespace lockstep::kernels
