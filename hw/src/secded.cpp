#include <lockstep/hw/secded.hpp>

#include <array>
#include <bit>

namespace lockstep::hw {

namespace {

// F_j: the byte term of the columns of data byte j (see the header). Four complementary
// pairs of weight-4 words of the extended Hamming [8,4,4] code: even weight, pairwise
// distance >= 4, and every check bit covered by exactly four of them (balanced rows).
constexpr std::uint64_t kByteTerms = 0x3CC3AA55CC33F00FULL;  // byte j = F_j

constexpr std::array<std::uint8_t, 64> make_data_columns() noexcept {
  std::array<std::uint8_t, 64> cols{};
  for (std::uint32_t j = 0; j < 8U; ++j) {
    const auto f = static_cast<std::uint32_t>((kByteTerms >> (8U * j)) & 0xFFU);
    for (std::uint32_t k = 0; k < 8U; ++k) cols[8U * j + k] = static_cast<std::uint8_t>(f ^ (1U << k));
  }
  return cols;
}
constexpr std::array<std::uint8_t, 64> kDataColumns = make_data_columns();

// check = M * d over GF(2) with column(8j+k) = F_j ^ e_k, computed without tables:
//   fold8(d)                    = XOR of the 8 bytes = the e_k terms (lane parities)
//   byte j of c = F_j if byte j of d has odd parity  -> fold8(c) = the F_j terms
// and fold8 is linear, so check = fold8(d ^ c). Branch-free, no loads: vectorises.
constexpr std::uint8_t encode_word(std::uint64_t d) noexcept {
  std::uint64_t p = d ^ (d >> 4U);
  p ^= p >> 2U;
  p ^= p >> 1U;
  p &= 0x0101010101010101ULL;                            // bit 8j = parity of byte j
  const std::uint64_t c = ((p << 8U) - p) & kByteTerms;  // byte j = 0xFF * parity, then F_j
  std::uint64_t e = d ^ c;
  e ^= e >> 32U;
  e ^= e >> 16U;
  e ^= e >> 8U;
  return static_cast<std::uint8_t>(e);
}

// The fast encoder equals the definition: XOR of the columns of the set data bits.
constexpr bool encoder_matches_columns() noexcept {
  for (std::uint32_t b = 0; b < 64U; ++b) {
    if (encode_word(std::uint64_t{1} << b) != kDataColumns[b]) return false;
  }
  return encode_word(0) == 0U;
}
static_assert(encoder_matches_columns(), "encode_word must implement the parity-check matrix");

// kSyndrome[s]: codeword bit + 1 whose column equals s, 0 when s is no column.
constexpr std::array<std::uint8_t, 256> make_syndrome_table() noexcept {
  std::array<std::uint8_t, 256> t{};
  for (std::uint32_t j = 0; j < 64U; ++j) t[kDataColumns[j]] = static_cast<std::uint8_t>(j + 1U);
  for (std::uint32_t i = 0; i < 8U; ++i) t[1U << i] = static_cast<std::uint8_t>(64U + i + 1U);
  return t;
}
constexpr std::array<std::uint8_t, 256> kSyndrome = make_syndrome_table();

// Compile-time proof of the code's defining properties.
constexpr bool columns_distinct_and_odd() noexcept {
  std::array<bool, 256> seen{};
  for (std::uint32_t i = 0; i < 8U; ++i) seen[1U << i] = true;
  for (const std::uint8_t c : kDataColumns) {
    if (seen[c] || std::popcount(static_cast<unsigned>(c)) % 2 == 0) return false;
    seen[c] = true;
  }
  return true;
}
static_assert(columns_distinct_and_odd(), "Hsiao code needs 72 distinct odd-weight columns");

// Weight >= 3 for every data column: a single data-bit error never looks like a check-bit one.
constexpr bool data_columns_heavy() noexcept {
  for (const std::uint8_t c : kDataColumns) {
    if (std::popcount(static_cast<unsigned>(c)) < 3) return false;
  }
  return true;
}
static_assert(data_columns_heavy(), "data columns must have weight >= 3");

}  // namespace

const char* to_string(EccStatus s) noexcept {
  switch (s) {
    case EccStatus::clean:
      return "clean";
    case EccStatus::corrected:
      return "corrected";
    case EccStatus::uncorrectable:
      return "uncorrectable";
  }
  return "unknown";
}

std::uint8_t Secded::encode(std::uint64_t d) noexcept { return encode_word(d); }

std::uint8_t Secded::column(std::uint32_t bit) noexcept {
  if (bit < 64U) return kDataColumns[bit];
  if (bit < 72U) return static_cast<std::uint8_t>(1U << (bit - 64U));
  return 0;
}

EccDecode Secded::decode(std::uint64_t data, std::uint8_t check) noexcept {
  EccDecode r{data, check, EccStatus::clean, 0};
  const std::uint8_t s = syndrome(data, check);
  if (s == 0U) return r;
  const std::uint8_t pos = kSyndrome[s];
  if (pos == 0U) {
    r.status = EccStatus::uncorrectable;
    return r;
  }
  const auto bit = static_cast<std::uint8_t>(pos - 1U);
  if (bit < 64U) {
    r.data = data ^ (std::uint64_t{1} << bit);
  } else {
    r.check = static_cast<std::uint8_t>(check ^ (1U << (bit - 64U)));
  }
  r.status = EccStatus::corrected;
  r.bit = bit;
  return r;
}

// Block loops are compiled twice (AVX2 and baseline x86-64) and picked at load time
// (GCC target_clones + ifunc); elsewhere they are plain loops. Not under sanitizers: the
// ifunc resolver runs during relocation, before the sanitizer runtime is initialised, and an
// instrumented resolver crashes there (seen with TSan).
#if defined(__x86_64__) && defined(__linux__) && !defined(__clang__) && !defined(__SANITIZE_THREAD__) && \
    !defined(__SANITIZE_ADDRESS__)
#define LOCKSTEP_HW_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define LOCKSTEP_HW_CLONES
#endif

LOCKSTEP_HW_CLONES
void Secded::encode_block(std::span<const std::uint64_t> data, std::span<std::uint8_t> check) noexcept {
  const std::size_t n = data.size() < check.size() ? data.size() : check.size();
  for (std::size_t i = 0; i < n; ++i) check[i] = encode_word(data[i]);
}

LOCKSTEP_HW_CLONES
EccBlockCheck Secded::check_block(std::span<const std::uint64_t> data,
                                  std::span<const std::uint8_t> check) noexcept {
  EccBlockCheck r;
  const std::size_t n = data.size() < check.size() ? data.size() : check.size();
  constexpr std::size_t kChunk = 64;
  std::size_t i = 0;
  while (i < n) {
    const std::size_t end = (n - i) < kChunk ? n : i + kChunk;
    // Clean fast path: OR all syndromes of the chunk; only a dirty chunk is classified.
    std::uint32_t any = 0;
    for (std::size_t k = i; k < end; ++k) any |= static_cast<std::uint32_t>(encode_word(data[k]) ^ check[k]);
    if (any == 0U) {
      r.clean += end - i;
    } else {
      for (std::size_t k = i; k < end; ++k) {
        const std::uint8_t s = syndrome(data[k], check[k]);
        if (s == 0U) {
          ++r.clean;
          continue;
        }
        if (r.first_bad == SIZE_MAX) r.first_bad = k;
        if (kSyndrome[s] != 0U) {
          ++r.corrected;
        } else {
          ++r.uncorrectable;
        }
      }
    }
    i = end;
  }
  return r;
}

}  // namespace lockstep::hw
