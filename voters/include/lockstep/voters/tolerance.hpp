#pragma once
// How close two floating values must be to count as agreeing.

#include <cstdint>

namespace lockstep {

/// An agreement tolerance: absolute (|a-b| <= eps), relative (|a-b| <= eps * max(|a|,|b|)),
/// or ULP distance (at most n representable values apart).
/// Usage: `Tolerance::absolute(1e-9)`, `Tolerance::relative(1e-12)`, `Tolerance::ulp(4)`.
/// Thread safety: a value. On failure: negative or NaN bounds make nothing agree except
/// bit-identical values (checked by the voters).
class Tolerance {
 public:
  enum class Kind : std::uint8_t { absolute, relative, ulp };

  [[nodiscard]] static constexpr Tolerance absolute(double eps) noexcept {
    return Tolerance{Kind::absolute, eps, 0};
  }
  [[nodiscard]] static constexpr Tolerance relative(double eps) noexcept {
    return Tolerance{Kind::relative, eps, 0};
  }
  [[nodiscard]] static constexpr Tolerance ulp(std::uint64_t n) noexcept {
    return Tolerance{Kind::ulp, 0.0, n};
  }

  [[nodiscard]] constexpr Kind kind() const noexcept { return m_kind; }
  [[nodiscard]] constexpr double epsilon() const noexcept { return m_eps; }
  [[nodiscard]] constexpr std::uint64_t ulps() const noexcept { return m_ulps; }

 private:
  constexpr Tolerance(Kind k, double eps, std::uint64_t ulps) noexcept
      : m_kind(k), m_eps(eps), m_ulps(ulps) {}
  Kind m_kind;
  double m_eps;
  std::uint64_t m_ulps;
};

}  // namespace lockstep
