#pragma once
// The bit-exact campaign kernel: CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) update of
// a running checksum over a 32-byte message, in three independently written versions. Stateful
// (the running CRC is the replica's state) so that state faults have something to hit.

#include <array>
#include <cstdint>

namespace lockstep::sim {

/// One call's input: a message block.
struct CrcInput {
  std::array<std::uint8_t, 32> message{};
};
/// A replica's state: the running CRC register (pre-inverted form, as in zlib's crc32()).
struct CrcState {
  std::uint32_t crc{0};
};

namespace detail {
inline constexpr std::array<std::uint32_t, 256> make_crc_table() noexcept {
  std::array<std::uint32_t, 256> t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1U) != 0U ? 0xEDB88320U ^ (c >> 1U) : c >> 1U;
    t[i] = c;
  }
  return t;
}
inline constexpr std::array<std::uint32_t, 256> kCrcTable = make_crc_table();
}  // namespace detail

/// Version 1: bit at a time (the polynomial division itself).
[[nodiscard]] inline std::uint32_t crc_update_bitwise(CrcState& s, const CrcInput& in) noexcept {
  std::uint32_t c = ~s.crc;
  for (const std::uint8_t byte : in.message) {
    c ^= byte;
    for (int k = 0; k < 8; ++k) c = (c >> 1U) ^ (0xEDB88320U & (0U - (c & 1U)));
  }
  s.crc = ~c;
  return s.crc;
}

/// Version 2: byte at a time with a 256-entry table (Sarwate).
[[nodiscard]] inline std::uint32_t crc_update_table(CrcState& s, const CrcInput& in) noexcept {
  std::uint32_t c = ~s.crc;
  for (const std::uint8_t byte : in.message) c = detail::kCrcTable[(c ^ byte) & 0xFFU] ^ (c >> 8U);
  s.crc = ~c;
  return s.crc;
}

/// Version 3: nibble at a time with a 16-entry table (a different table and loop structure).
[[nodiscard]] inline std::uint32_t crc_update_nibble(CrcState& s, const CrcInput& in) noexcept {
  constexpr std::array<std::uint32_t, 16> kNibble = [] {
    std::array<std::uint32_t, 16> t{};
    for (std::uint32_t i = 0; i < 16; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 4; ++k) c = (c & 1U) != 0U ? 0xEDB88320U ^ (c >> 1U) : c >> 1U;
      t[i] = c;
    }
    return t;
  }();
  std::uint32_t c = ~s.crc;
  for (const std::uint8_t byte : in.message) {
    c = kNibble[(c ^ byte) & 0x0FU] ^ (c >> 4U);
    c = kNibble[(c ^ (static_cast<std::uint32_t>(byte) >> 4U)) & 0x0FU] ^ (c >> 4U);
  }
  s.crc = ~c;
  return s.crc;
}

}  // namespace lockstep::sim
