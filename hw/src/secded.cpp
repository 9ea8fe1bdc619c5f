#include <lockstep/hw/secded.hpp>

#include <array>
#include <bit>

namespace lockstep::hw {

namespace {

// Column of each of the 64 data bits (see the header for the construction).
constexpr std::array<std::uint8_t, 64> make_data_columns() noexcept {
  std::array<std::uint8_t, 64> cols{};
  std::uint32_t n = 0;
  for (std::uint32_t v = 0; v < 256U; ++v) {
    if (std::popcount(v) == 3) cols[n++] = static_cast<std::uint8_t>(v);
  }
  for (std::uint32_t r = 0; r < 8U; ++r) {
    const std::uint32_t rot = ((0x1FU << r) | (0x1FU >> (8U - r))) & 0xFFU;
    cols[n++] = static_cast<std::uint8_t>(rot);
  }
  return cols;
}
constexpr std::array<std::uint8_t, 64> kDataColumns = make_data_columns();

// kEncode[b][v]: check-bit contribution of data byte b holding value v.
constexpr std::array<std::array<std::uint8_t, 256>, 8> make_encode_table() noexcept {
  std::array<std::array<std::uint8_t, 256>, 8> t{};
  for (std::uint32_t b = 0; b < 8U; ++b) {
    for (std::uint32_t v = 0; v < 256U; ++v) {
      std::uint8_t acc = 0;
      for (std::uint32_t k = 0; k < 8U; ++k) {
        if (((v >> k) & 1U) != 0U) acc = static_cast<std::uint8_t>(acc ^ kDataColumns[b * 8U + k]);
      }
      t[b][v] = acc;
    }
  }
  return t;
}
alignas(64) constexpr std::array<std::array<std::uint8_t, 256>, 8> kEncode = make_encode_table();

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

std::uint8_t Secded::encode(std::uint64_t d) noexcept {
  return static_cast<std::uint8_t>(kEncode[0][d & 0xFFU] ^ kEncode[1][(d >> 8U) & 0xFFU] ^
                                   kEncode[2][(d >> 16U) & 0xFFU] ^ kEncode[3][(d >> 24U) & 0xFFU] ^
                                   kEncode[4][(d >> 32U) & 0xFFU] ^ kEncode[5][(d >> 40U) & 0xFFU] ^
                                   kEncode[6][(d >> 48U) & 0xFFU] ^ kEncode[7][(d >> 56U) & 0xFFU]);
}

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

void Secded::encode_block(std::span<const std::uint64_t> data, std::span<std::uint8_t> check) noexcept {
  const std::size_t n = data.size() < check.size() ? data.size() : check.size();
  for (std::size_t i = 0; i < n; ++i) check[i] = encode(data[i]);
}

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
    for (std::size_t k = i; k < end; ++k) any |= syndrome(data[k], check[k]);
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
