// Requirements tested: the Hsiao (72,64) SEC-DED codec corrects every single-bit error,
// detects every double-bit error, never miscorrects, and its block check agrees with decode.
#include <lockstep/hw/secded.hpp>

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <random>
#include <vector>

namespace {
using lockstep::hw::EccDecode;
using lockstep::hw::EccStatus;
using lockstep::hw::Secded;

struct Codeword {
  std::uint64_t data;
  std::uint8_t check;
};

Codeword flip(Codeword c, std::uint32_t bit) {
  if (bit < 64U) {
    c.data ^= std::uint64_t{1} << bit;
  } else {
    c.check = static_cast<std::uint8_t>(c.check ^ (1U << (bit - 64U)));
  }
  return c;
}

std::vector<std::uint64_t> test_words(std::uint64_t seed, std::size_t n) {
  std::mt19937_64 rng(seed);
  std::vector<std::uint64_t> w = {0U, ~std::uint64_t{0},      0x5555555555555555U, 0xAAAAAAAAAAAAAAAAU,
                                  1U, std::uint64_t{1} << 63U};
  while (w.size() < n) w.push_back(rng());
  return w;
}

TEST(Secded, ColumnsAreDistinctOddWeightAndRowsBalanced) {
  std::vector<int> seen(256, 0);
  std::vector<unsigned> row_weight(8, 0);
  for (std::uint32_t b = 0; b < Secded::kCodewordBits; ++b) {
    const std::uint8_t col = Secded::column(b);
    EXPECT_EQ(std::popcount(static_cast<unsigned>(col)) % 2, 1) << "bit " << b;
    EXPECT_EQ(seen[col]++, 0) << "bit " << b;
    for (std::uint32_t r = 0; r < 8U; ++r) row_weight[r] += (col >> r) & 1U;
  }
  for (const unsigned w : row_weight) EXPECT_EQ(w, 33U) << "balanced rows: 32 data columns + 1 check column";
  EXPECT_EQ(Secded::column(72), 0U);
}

TEST(Secded, EncodeMatchesParityDefinition) {
  for (const std::uint64_t d : test_words(11U, 200)) {
    std::uint8_t expect = 0;
    for (std::uint32_t b = 0; b < 64U; ++b) {
      if (((d >> b) & 1U) != 0U) expect = static_cast<std::uint8_t>(expect ^ Secded::column(b));
    }
    ASSERT_EQ(Secded::encode(d), expect) << std::hex << d;
  }
}

TEST(Secded, CleanWordsDecodeClean) {
  for (const std::uint64_t d : test_words(12U, 500)) {
    const EccDecode r = Secded::decode(d, Secded::encode(d));
    ASSERT_EQ(r.status, EccStatus::clean);
    ASSERT_EQ(r.data, d);
  }
}

TEST(Secded, EverySingleBitErrorIsCorrected) {
  constexpr std::uint64_t kSeed = 20261127U;
  for (const std::uint64_t d : test_words(kSeed, 1000)) {
    const Codeword good{d, Secded::encode(d)};
    for (std::uint32_t b = 0; b < Secded::kCodewordBits; ++b) {
      const Codeword bad = flip(good, b);
      const EccDecode r = Secded::decode(bad.data, bad.check);
      ASSERT_EQ(r.status, EccStatus::corrected)
          << "seed " << kSeed << " word " << std::hex << d << " bit " << b;
      ASSERT_EQ(r.bit, b);
      ASSERT_EQ(r.data, good.data);
      ASSERT_EQ(r.check, good.check);
    }
  }
}

TEST(Secded, EveryDoubleBitErrorIsDetectedNeverMiscorrected) {
  constexpr std::uint64_t kSeed = 424242U;
  std::size_t pairs_per_word = 0;
  for (const std::uint64_t d : test_words(kSeed, 300)) {
    const Codeword good{d, Secded::encode(d)};
    pairs_per_word = 0;
    for (std::uint32_t a = 0; a < Secded::kCodewordBits; ++a) {
      for (std::uint32_t b = a + 1; b < Secded::kCodewordBits; ++b) {
        const Codeword bad = flip(flip(good, a), b);
        const EccDecode r = Secded::decode(bad.data, bad.check);
        ASSERT_EQ(r.status, EccStatus::uncorrectable)
            << "seed " << kSeed << " word " << std::hex << d << std::dec << " bits " << a << "," << b;
        ASSERT_EQ(r.data, bad.data) << "an uncorrectable word must be returned untouched";
        ++pairs_per_word;
      }
    }
  }
  EXPECT_EQ(pairs_per_word, 2556U);
}

TEST(Secded, TripleErrorsAreNeverReportedClean) {
  // Boundary of the code: a triple error may alias a column (miscorrection is inherent to
  // SEC-DED), but it never has syndrome 0 since every column has odd weight.
  constexpr std::uint64_t kSeed = 7U;
  std::mt19937_64 rng(kSeed);
  std::uniform_int_distribution<std::uint32_t> bit(0, Secded::kCodewordBits - 1U);
  for (int i = 0; i < 100000; ++i) {
    const std::uint64_t d = rng();
    std::uint32_t a = bit(rng);
    std::uint32_t b = bit(rng);
    std::uint32_t c = bit(rng);
    if (a == b || b == c || a == c) continue;
    const Codeword bad = flip(flip(flip(Codeword{d, Secded::encode(d)}, a), b), c);
    ASSERT_NE(Secded::decode(bad.data, bad.check).status, EccStatus::clean) << "seed " << kSeed << " i " << i;
  }
}

TEST(Secded, BlockCheckCountsAndLocatesErrors) {
  std::vector<std::uint64_t> data = test_words(99U, 1000);
  std::vector<std::uint8_t> check(data.size());
  Secded::encode_block(data, check);
  auto r = Secded::check_block(data, check);
  EXPECT_EQ(r.clean, 1000U);
  EXPECT_EQ(r.first_bad, SIZE_MAX);
  data[130] ^= 1U << 5U;                        // single
  check[700] ^= 0x03U;                          // double in check bits
  data[999] ^= (std::uint64_t{1} << 63U) | 1U;  // double in data, last word (tail chunk)
  r = Secded::check_block(data, check);
  EXPECT_EQ(r.clean, 997U);
  EXPECT_EQ(r.corrected, 1U);
  EXPECT_EQ(r.uncorrectable, 2U);
  EXPECT_EQ(r.first_bad, 130U);
  // Mismatched spans: only the common prefix is checked.
  r = Secded::check_block(std::span<const std::uint64_t>(data).first(10), check);
  EXPECT_EQ(r.clean, 10U);
}

TEST(Secded, BlockEncodeMatchesWordEncode) {
  // The block loops are compiled for AVX2 and baseline x86-64: both must equal encode().
  constexpr std::uint64_t kSeed = 31337U;
  const std::vector<std::uint64_t> data = test_words(kSeed, 10007);  // odd length: vector tails
  std::vector<std::uint8_t> check(data.size(), 0xA5U);
  Secded::encode_block(data, check);
  for (std::size_t i = 0; i < data.size(); ++i) {
    ASSERT_EQ(check[i], Secded::encode(data[i])) << "seed " << kSeed << " index " << i;
  }
  std::vector<std::uint8_t> short_check(5, 0xA5U);
  Secded::encode_block(data, short_check);  // only as many as fit
  EXPECT_EQ(short_check[4], Secded::encode(data[4]));
}

TEST(Secded, StatusNames) {
  EXPECT_STREQ(lockstep::hw::to_string(EccStatus::clean), "clean");
  EXPECT_STREQ(lockstep::hw::to_string(EccStatus::corrected), "corrected");
  EXPECT_STREQ(lockstep::hw::to_string(EccStatus::uncorrectable), "uncorrectable");
}

}  // namespace
