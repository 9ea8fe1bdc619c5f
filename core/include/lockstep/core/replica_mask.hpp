#pragma once
// A set of replica indices (0..kMaxReplicas-1) as a fixed-width bit mask.

#include <bit>
#include <cstdint>

namespace lockstep {

/// Upper bound on replicas in any executor or voter. Fixed so that every per-replica buffer
/// can be a fixed-capacity array.
inline constexpr std::uint32_t kMaxReplicas = 16;

/// Bit i set = replica i is a member. Value type, trivially copyable, all operations constexpr
/// and noexcept.
/// Usage: `ReplicaMask m = ReplicaMask::first(3); m.reset(1); m.count() == 2`.
/// Thread safety: a value; share copies freely. On failure: indices >= kMaxReplicas are ignored.
class ReplicaMask {
 public:
  using Bits = std::uint32_t;

  constexpr ReplicaMask() noexcept = default;
  // Implicit on purpose: `vote.dissent == 0b100` reads naturally in tests and user code.
  constexpr ReplicaMask(Bits bits) noexcept : m_bits(bits & kAllBits) {}  // NOLINT

  /// Replicas 0..n-1.
  [[nodiscard]] static constexpr ReplicaMask first(std::uint32_t n) noexcept {
    return n >= kMaxReplicas ? ReplicaMask{kAllBits} : ReplicaMask{(Bits{1} << n) - 1U};
  }
  /// Every representable replica: intersect with first(n) to get the real set.
  [[nodiscard]] static constexpr ReplicaMask all() noexcept { return ReplicaMask{kAllBits}; }
  [[nodiscard]] static constexpr ReplicaMask single(std::uint32_t i) noexcept {
    return i < kMaxReplicas ? ReplicaMask{Bits{1} << i} : ReplicaMask{};
  }

  [[nodiscard]] constexpr bool test(std::uint32_t i) const noexcept {
    return i < kMaxReplicas && ((m_bits >> i) & 1U) != 0U;
  }
  constexpr ReplicaMask& set(std::uint32_t i) noexcept {
    if (i < kMaxReplicas) { m_bits |= Bits{1} << i; }
    return *this;
  }
  constexpr ReplicaMask& reset(std::uint32_t i) noexcept {
    if (i < kMaxReplicas) { m_bits &= ~(Bits{1} << i); }
    return *this;
  }
  [[nodiscard]] constexpr std::uint32_t count() const noexcept {
    return static_cast<std::uint32_t>(std::popcount(m_bits));
  }
  [[nodiscard]] constexpr bool any() const noexcept { return m_bits != 0U; }
  [[nodiscard]] constexpr bool none() const noexcept { return m_bits == 0U; }
  [[nodiscard]] constexpr Bits bits() const noexcept { return m_bits; }
  /// Lowest member, or kMaxReplicas when empty.
  [[nodiscard]] constexpr std::uint32_t lowest() const noexcept {
    return m_bits == 0U ? kMaxReplicas : static_cast<std::uint32_t>(std::countr_zero(m_bits));
  }

  friend constexpr ReplicaMask operator|(ReplicaMask a, ReplicaMask b) noexcept {
    return ReplicaMask{a.m_bits | b.m_bits};
  }
  friend constexpr ReplicaMask operator&(ReplicaMask a, ReplicaMask b) noexcept {
    return ReplicaMask{a.m_bits & b.m_bits};
  }
  /// Set difference: members of a that are not in b.
  friend constexpr ReplicaMask operator-(ReplicaMask a, ReplicaMask b) noexcept {
    return ReplicaMask{a.m_bits & ~b.m_bits};
  }
  constexpr ReplicaMask& operator|=(ReplicaMask o) noexcept {
    m_bits |= o.m_bits;
    return *this;
  }
  constexpr ReplicaMask& operator&=(ReplicaMask o) noexcept {
    m_bits &= o.m_bits;
    return *this;
  }
  friend constexpr bool operator==(ReplicaMask a, ReplicaMask b) noexcept = default;

 private:
  static constexpr Bits kAllBits = (Bits{1} << kMaxReplicas) - 1U;
  Bits m_bits{0};
};

}  // namespace lockstep
