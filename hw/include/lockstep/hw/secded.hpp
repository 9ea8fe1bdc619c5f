#pragma once
// SEC-DED error-correcting code for 64-bit words: a Hsiao (72,64) code (odd-weight columns).
// Corrects any single-bit error in the 72-bit codeword (64 data + 8 check bits) and detects
// any double-bit error. This is the code most ECC DRAM controllers implement in hardware;
// here it protects long-lived critical state in ordinary (non-ECC) RAM.
//
// Parity-check matrix H (8 rows x 72 columns), columns chosen for fast software encoding:
//   check bit i                      -> unit column e_i                (weight 1)
//   data bit 8j+k (byte j, bit k)    -> F_j XOR e_k                    (weight 3 or 5)
// where F_0..F_7 are 4 complementary pairs of weight-4 words of the extended Hamming [8,4,4]
// code (0x0F,0xF0,0x33,0xCC,0x55,0xAA,0xC3,0x3C). Every column has odd weight and all 72 are
// distinct (F_j even with pairwise distance >= 4), which is Hsiao's condition for SEC-DED: a
// double error gives an even, non-zero syndrome, never a column, so it cannot be miscorrected.
// Rows are balanced (33 ones each). Unlike Hsiao's minimum-weight matrix (56 weight-3 + 8
// weight-5 columns), this one makes encode a branch-free, table-free computation (byte
// parities + XOR fold) that compilers vectorise; the error-control properties are the same.

#include <cstddef>
#include <cstdint>
#include <span>

namespace lockstep::hw {

/// How a codeword decoded.
enum class EccStatus : std::uint8_t {
  clean,          ///< syndrome 0: data and check bits as written
  corrected,      ///< one bit was flipped; `bit` says which; the returned data is correct
  uncorrectable,  ///< two (or an odd number >= 3 that does not alias a column) bits flipped
};

[[nodiscard]] const char* to_string(EccStatus s) noexcept;

/// Result of decoding one codeword.
struct EccDecode {
  std::uint64_t data{0};  ///< corrected data (as stored when uncorrectable)
  std::uint8_t check{0};  ///< corrected check bits
  EccStatus status{EccStatus::clean};
  /// The corrected bit when status == corrected: 0..63 a data bit, 64..71 check bit (bit-64).
  std::uint8_t bit{0};
};

/// Summary of checking a block of codewords (see Secded::check_block).
struct EccBlockCheck {
  std::size_t clean{0};
  std::size_t corrected{0};
  std::size_t uncorrectable{0};
  std::size_t first_bad{SIZE_MAX};  ///< index of the first non-clean word, SIZE_MAX if none
};

/// The Hsiao (72,64) codec. Stateless; tables are constexpr.
/// Usage:
///   const std::uint8_t c = hw::Secded::encode(x);
///   const hw::EccDecode d = hw::Secded::decode(x_read, c_read);
///   if (d.status == hw::EccStatus::uncorrectable) { /* report, resync */ }
/// Thread safety: pure functions, any thread. On failure: never fails; errors are data.
class Secded {
 public:
  static constexpr std::uint32_t kDataBits = 64;
  static constexpr std::uint32_t kCheckBits = 8;
  static constexpr std::uint32_t kCodewordBits = 72;

  /// The 8 check bits of `data` (branch-free parity arithmetic, no tables).
  [[nodiscard]] static std::uint8_t encode(std::uint64_t data) noexcept;
  /// Syndrome = recomputed check bits XOR stored check bits; 0 means clean.
  [[nodiscard]] static std::uint8_t syndrome(std::uint64_t data, std::uint8_t check) noexcept {
    return static_cast<std::uint8_t>(encode(data) ^ check);
  }
  /// Classifies and (when possible) corrects one codeword.
  [[nodiscard]] static EccDecode decode(std::uint64_t data, std::uint8_t check) noexcept;
  /// H-matrix column of codeword bit `bit` (0..63 data, 64..71 check); 0 when out of range.
  [[nodiscard]] static std::uint8_t column(std::uint32_t bit) noexcept;

  /// Encodes `data` into `check` (check.size() must be >= data.size(); extra is untouched).
  static void encode_block(std::span<const std::uint64_t> data, std::span<std::uint8_t> check) noexcept;
  /// Checks a block without modifying it; counts words by status (clean path is the fast path).
  [[nodiscard]] static EccBlockCheck check_block(std::span<const std::uint64_t> data,
                                                 std::span<const std::uint8_t> check) noexcept;
};

}  // namespace lockstep::hw
