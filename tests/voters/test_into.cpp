// Element-wise buffer votes: fast 3-way paths against the generic path, dissent accounting.
#include <lockstep/voters.hpp>

#include <gtest/gtest.h>

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <span>
#include <vector>

#include "alloc_counter.hpp"

namespace {

using lockstep::NonFinite;
using lockstep::Outcome;
using lockstep::ReplicaMask;
using lockstep::Tolerance;
using lockstep::VoteOptions;
using lockstep::VoteReport;
namespace voters = lockstep::voters;
using Span = std::span<const double>;

struct Three {
  std::vector<double> a, b, c, out;
  explicit Three(std::size_t n) : a(n), b(n), c(n), out(n, -1.0) {
    for (std::size_t k = 0; k < n; ++k) { a[k] = b[k] = c[k] = static_cast<double>(k) * 0.5; }
  }
  [[nodiscard]] std::array<Span, 3> in() const { return {Span{a}, Span{b}, Span{c}}; }
};

TEST(MajorityInto, UnanimousCopiesTheArray) {
  Three t{1000};
  const auto in = t.in();
  const VoteReport r = voters::majority_into(std::span{in}, std::span{t.out});
  EXPECT_EQ(r.outcome, Outcome::unanimous);
  EXPECT_EQ(r.dissent, 0U);
  EXPECT_EQ(r.agreeing, 3U);
  EXPECT_EQ(t.out, t.a);
}

TEST(MajorityInto, ScatteredFaultsInDifferentReplicasAreAllMasked) {
  Three t{1000};
  t.a[10] = 99.0;
  t.b[500] = -1.0;
  t.c[999] = 7.0;
  const auto in = t.in();
  const VoteReport r = voters::majority_into(std::span{in}, std::span{t.out});
  EXPECT_EQ(r.outcome, Outcome::masked);
  EXPECT_EQ(r.dissent, 0b111U);
  EXPECT_EQ(r.agreeing, 0U) << "every replica was outvoted somewhere";
  EXPECT_EQ(t.out[10], 5.0);
  EXPECT_EQ(t.out[500], 250.0);
  EXPECT_EQ(t.out[999], 499.5);
}

TEST(MajorityInto, OneElementWithoutMajorityFailsTheVote) {
  Three t{100};
  t.a[42] = 1.0;
  t.b[42] = 2.0;
  t.c[42] = 3.0;
  const auto in = t.in();
  const VoteReport r = voters::majority_into(std::span{in}, std::span{t.out});
  EXPECT_EQ(r.outcome, Outcome::no_majority);
  EXPECT_EQ(r.dissent, 0b111U);
}

TEST(MajorityInto, NonFiniteElementsDissent) {
  Three t{10};
  t.a[3] = std::numeric_limits<double>::quiet_NaN();
  t.b[3] = t.a[3];
  const auto in = t.in();
  EXPECT_EQ(voters::majority_into(std::span{in}, std::span{t.out}).outcome, Outcome::no_majority);
  VoteOptions o;
  o.non_finite = NonFinite::compare;
  const VoteReport r = voters::majority_into(std::span{in}, std::span{t.out}, o);
  EXPECT_EQ(r.dissent, 0b100U);
  EXPECT_TRUE(std::isnan(t.out[3]));
  t.b[3] = 1.5;
  t.c[3] = std::numeric_limits<double>::infinity();
  const VoteReport inf = voters::majority_into(std::span{in}, std::span{t.out});
  EXPECT_EQ(inf.outcome, Outcome::no_majority);
}

TEST(MajorityInto, MissingAndWrongLengthReplicas) {
  Three t{50};
  t.c.resize(49);
  const auto in = t.in();
  const VoteReport r = voters::majority_into(std::span{in}, std::span{t.out});
  EXPECT_EQ(r.outcome, Outcome::masked);
  EXPECT_EQ(r.dissent, 0b100U) << "a replica of the wrong length dissents";
  EXPECT_EQ(t.out[49], 24.5);
  VoteOptions o;
  o.present = ReplicaMask{0b011U};
  const VoteReport m = voters::majority_into(std::span{in}, std::span{t.out}, o);
  EXPECT_EQ(m.outcome, Outcome::masked);
  EXPECT_EQ(m.dissent, 0U);
  o.present = ReplicaMask{0b001U};
  EXPECT_EQ(voters::majority_into(std::span{in}, std::span{t.out}, o).outcome, Outcome::no_majority);
}

TEST(MajorityInto, OutOfRangeReplicaCounts) {
  std::vector<double> x(4, 1.0);
  std::vector<double> out(4);
  const std::array<Span, 1> one{Span{x}};
  EXPECT_EQ(voters::majority_into(std::span{one}, std::span{out}).outcome, Outcome::no_majority);
  const std::vector<Span> many(17, Span{x});
  const auto r = voters::majority_into(std::span<const Span>{many}, std::span{out});
  EXPECT_EQ(r.outcome, Outcome::no_majority);
  EXPECT_EQ(r.dissent, ReplicaMask::all());
}

TEST(MajorityInto, FiveReplicasGenericPathAndIntegers) {
  std::array<std::vector<std::int32_t>, 5> reps;
  for (auto& r : reps) { r.assign(64, 7); }
  reps[0][3] = 1;
  reps[4][3] = 2;
  reps[2][60] = 9;
  std::vector<std::int32_t> out(64);
  std::array<std::span<const std::int32_t>, 5> in{};
  for (std::size_t i = 0; i < 5; ++i) { in[i] = reps[i]; }
  const auto r = voters::majority_into(std::span{in}, std::span{out});
  EXPECT_EQ(r.outcome, Outcome::masked);
  EXPECT_EQ(r.dissent, 0b10101U);
  EXPECT_EQ(r.agreeing, 2U);
  EXPECT_EQ(out[3], 7);
  EXPECT_EQ(out[60], 7);
}

TEST(InexactMajorityInto, ToleranceFastPathMatchesScalarVoterElementByElement) {
  // Random triples near each other; compare every element with inexact_majority on the triple.
  const std::uint32_t seed = 20261127;
  std::mt19937 rng{seed};
  std::uniform_real_distribution<double> base{-10.0, 10.0};
  std::uniform_int_distribution<int> shape{0, 7};
  const std::size_t n = 4096;
  std::vector<double> a(n), b(n), c(n), out(n);
  for (std::size_t k = 0; k < n; ++k) {
    const double x = base(rng);
    const int s = shape(rng);
    // Offsets 0, 0.5 or 1.5 apart: produces every agreement pattern, incl. non-transitive chains.
    a[k] = x + ((s & 1) != 0 ? 0.6 : 0.0);
    b[k] = x + ((s & 2) != 0 ? 1.2 : 0.0);
    c[k] = x + ((s & 4) != 0 ? -0.6 : 0.0);
  }
  const Tolerance tol = Tolerance::absolute(1.0);
  ReplicaMask expected_dissent{};
  bool all_decided = true;
  for (std::size_t k = 0; k < n; ++k) {
    const std::array<double, 3> triple{a[k], b[k], c[k]};
    const auto v = voters::inexact_majority(triple, tol);
    all_decided = all_decided && v.decided();
    if (v.decided()) { expected_dissent |= v.dissent; }
  }
  const std::array<Span, 3> in{Span{a}, Span{b}, Span{c}};
  const auto r = voters::inexact_majority_into(std::span{in}, std::span{out}, tol);
  ASSERT_EQ(r.decided(), all_decided) << "seed=" << seed;
  // Now only the decidable elements: compare values one by one.
  std::vector<double> a2, b2, c2;
  for (std::size_t k = 0; k < n; ++k) {
    const std::array<double, 3> triple{a[k], b[k], c[k]};
    if (voters::inexact_majority(triple, tol).decided()) {
      a2.push_back(a[k]);
      b2.push_back(b[k]);
      c2.push_back(c[k]);
    }
  }
  std::vector<double> out2(a2.size());
  const std::array<Span, 3> in2{Span{a2}, Span{b2}, Span{c2}};
  const auto r2 = voters::inexact_majority_into(std::span{in2}, std::span{out2}, tol);
  ASSERT_TRUE(r2.decided()) << "seed=" << seed;
  EXPECT_EQ(r2.dissent, expected_dissent) << "seed=" << seed;
  // Same through the generic path (a present mask that is all of them, but via relative=off).
  VoteOptions keep;
  keep.non_finite = NonFinite::compare;  // disables the fast path
  std::vector<double> out3(a2.size());
  const auto r3 = voters::inexact_majority_into(std::span{in2}, std::span{out3}, tol, keep);
  EXPECT_EQ(r3.dissent, r2.dissent);
  for (std::size_t k = 0; k < a2.size(); ++k) {
    const std::array<double, 3> triple{a2[k], b2[k], c2[k]};
    ASSERT_EQ(out2[k], *voters::inexact_majority(triple, tol).value) << "k=" << k << " seed=" << seed;
    ASSERT_EQ(out3[k], out2[k]) << "k=" << k << " seed=" << seed;
  }
}

TEST(MajorityInto, FastPathMatchesGenericPath) {
  const std::uint32_t seed = 7;
  std::mt19937 rng{seed};
  std::uniform_int_distribution<int> pick{0, 9};
  const std::size_t n = 2048;
  std::vector<double> a(n), b(n), c(n), out(n), out_generic(n);
  for (std::size_t k = 0; k < n; ++k) {
    a[k] = b[k] = c[k] = static_cast<double>(k);
    const int p = pick(rng);
    if (p == 0) { a[k] = -1.0; }
    if (p == 1) { b[k] = -1.0; }
    if (p == 2) { c[k] = -0.0 * static_cast<double>(k) - 5.0; }
  }
  const std::array<Span, 3> in{Span{a}, Span{b}, Span{c}};
  const auto fast = voters::majority_into(std::span{in}, std::span{out});
  // Four slots with the fourth missing and a quorum of the present three force the generic path
  // with the same decision rule.
  const std::array<Span, 4> four{Span{a}, Span{b}, Span{c}, Span{a}};
  VoteOptions o;
  o.present = ReplicaMask{0b0111U};
  o.quorum = lockstep::Quorum::of_present;
  const auto generic = voters::majority_into(std::span{four}, std::span{out_generic}, o);
  EXPECT_EQ(fast.dissent, generic.dissent) << "seed=" << seed;
  EXPECT_EQ(fast.outcome, Outcome::masked) << "seed=" << seed;
  EXPECT_EQ(generic.outcome, Outcome::masked) << "seed=" << seed;
  EXPECT_EQ(out, out_generic) << "seed=" << seed;
  for (std::size_t k = 0; k < n; ++k) { ASSERT_EQ(out[k], static_cast<double>(k)) << "k=" << k; }
}

TEST(InexactMajorityInto, RelativeToleranceAndFloats) {
  std::vector<float> a{1.0F, 100.0F, 5.0F};
  std::vector<float> b{1.0F, 100.001F, 5.0F};
  std::vector<float> c{2.0F, 100.0F, 5.0F};
  std::vector<float> out(3);
  const std::array<std::span<const float>, 3> in{a, b, c};
  const auto r = voters::inexact_majority_into(std::span{in}, std::span{out}, Tolerance::relative(1e-4));
  EXPECT_EQ(r.outcome, Outcome::masked);
  EXPECT_EQ(r.dissent, 0b100U);
  EXPECT_EQ(out[0], 1.0F);
  const auto f = voters::inexact_majority_into(std::span{in}, std::span{out}, Tolerance::absolute(0.01));
  EXPECT_EQ(f.dissent, 0b100U);
  EXPECT_EQ(out[1], 100.0F);
}

TEST(MajorityInto, FastPathKeepsBitwiseRulesForZerosAndInfinities) {
  // Elements far from block 0, so that only these cases send their block to the precise kernel.
  Three t{10000};
  for (std::size_t k = 0; k < t.a.size(); ++k) { t.a[k] = t.b[k] = t.c[k] = 1.0 + static_cast<double>(k); }
  t.a[5000] = -0.0;
  t.b[5000] = -0.0;
  t.c[5000] = 0.0;
  const auto in = t.in();
  const VoteReport r = voters::majority_into(std::span{in}, std::span{t.out});
  EXPECT_EQ(r.dissent, 0b100U) << "+0 and -0 differ bitwise";
  EXPECT_TRUE(std::signbit(t.out[5000]));
  t.c[5000] = -0.0;
  t.a[9000] = std::numeric_limits<double>::infinity();
  t.b[9000] = t.a[9000];
  const VoteReport inf = voters::majority_into(std::span{in}, std::span{t.out});
  EXPECT_EQ(inf.outcome, Outcome::no_majority) << "two equal infinities are not a majority";
  t.c[9000] = t.a[9000];
  VoteOptions o;
  o.non_finite = NonFinite::compare;
  const VoteReport cmp = voters::majority_into(std::span{in}, std::span{t.out}, o);
  EXPECT_EQ(cmp.outcome, Outcome::unanimous);
  EXPECT_TRUE(std::isinf(t.out[9000]));
}

TEST(InexactMajorityInto, FastPathHandlesChainsAndInfiniteTolerance) {
  Three t{10000};
  t.a[7000] += 1.0;  // 1.0 from b and c: still one group of three
  t.a[8000] = 0.0;
  t.b[8000] = 1.0;
  t.c[8000] = 2.0;  // chain: centre b
  const auto in = t.in();
  const VoteReport r =
      voters::inexact_majority_into(std::span{in}, std::span{t.out}, Tolerance::absolute(1.0));
  EXPECT_EQ(r.outcome, Outcome::unanimous);
  EXPECT_EQ(t.out[8000], 1.0) << "the chain is centred on its middle";
  const VoteReport inf = voters::inexact_majority_into(
      std::span{in}, std::span{t.out}, Tolerance::absolute(std::numeric_limits<double>::infinity()));
  EXPECT_EQ(inf.outcome, Outcome::unanimous);
  t.c[9000] = std::numeric_limits<double>::infinity();
  const VoteReport big = voters::inexact_majority_into(
      std::span{in}, std::span{t.out}, Tolerance::absolute(std::numeric_limits<double>::infinity()));
  EXPECT_EQ(big.dissent, 0b100U) << "an infinite tolerance still does not admit an infinite value";
}

// ---- screened 3-way kernels against the generic path ---------------------------------------------

/// How one block of a differential test is filled.
enum class BlockFill : int { clean, sparse, persistent, special, chain };

/// Three replicas of n elements, block by block in a random fill, reproducible from the seed.
template <class E>
struct RandomTriple {
  std::vector<E> a, b, c;
  RandomTriple(std::size_t n, std::uint32_t seed, E eps) : a(n), b(n), c(n) {
    std::mt19937 rng{seed};
    std::uniform_int_distribution<int> fill_pick{0, 4};
    std::uniform_int_distribution<int> replica{0, 2};
    std::uniform_int_distribution<int> special_pick{0, 5};
    std::uniform_real_distribution<double> value{-1000.0, 1000.0};
    const std::size_t block = voters::detail::kBlock3;
    const std::array<E, 6> specials{E{0},
                                    -E{0},
                                    std::numeric_limits<E>::infinity(),
                                    -std::numeric_limits<E>::infinity(),
                                    std::numeric_limits<E>::quiet_NaN(),
                                    std::numeric_limits<E>::denorm_min()};
    for (std::size_t base = 0; base < n; base += block) {
      const auto fill = static_cast<BlockFill>(fill_pick(rng));
      const std::size_t end = base + block < n ? base + block : n;
      const int bad = replica(rng);
      for (std::size_t k = base; k < end; ++k) {
        const auto x = static_cast<E>(value(rng));
        std::array<E, 3> t{x, x, x};
        if (eps > E{0}) { t[2] = x + eps / E{2}; }  // agree within tolerance, not bitwise
        if (fill == BlockFill::persistent) { t[static_cast<std::size_t>(bad)] = x + E{1} + E{4} * eps; }
        if (fill == BlockFill::sparse && rng() % 512U == 0U) { t[static_cast<std::size_t>(bad)] = -x - E{3}; }
        if (fill == BlockFill::special && rng() % 256U == 0U) {
          const E s = specials[static_cast<std::size_t>(special_pick(rng))];
          // Sometimes one replica, sometimes two or three hold the special value.
          const auto m = rng() % 3U;
          for (std::size_t i = 0; i <= m; ++i) { t[(static_cast<std::size_t>(bad) + i) % 3U] = s; }
        }
        if (fill == BlockFill::chain && eps > E{0} && rng() % 128U == 0U) {
          // a ~ b ~ c but not a ~ c: the group is centred on b.
          t = {x, x + eps * E{0.75}, x + eps * E{1.5}};
        }
        a[k] = t[0];
        b[k] = t[1];
        c[k] = t[2];
      }
    }
  }
};

/// Votes the triple through the 3-way fast path and through the generic path (a fourth, missing
/// replica and a quorum of the present ones: the same rule) and expects the same report and, when
/// decided, bit-identical outputs.
template <class E, class VoteFn>
void expect_fast_equals_generic(const RandomTriple<E>& t, VoteFn vote, std::uint32_t seed) {
  using S = std::span<const E>;
  const std::size_t n = t.a.size();
  std::vector<E> fast_out(n), generic_out(n);
  const std::array<S, 3> three{S{t.a}, S{t.b}, S{t.c}};
  const std::array<S, 4> four{S{t.a}, S{t.b}, S{t.c}, S{t.a}};
  VoteOptions o;
  o.present = ReplicaMask{0b0111U};
  o.quorum = lockstep::Quorum::of_present;
  const VoteReport fast = vote(std::span<const S>{three}, std::span<E>{fast_out}, VoteOptions{});
  const VoteReport generic = vote(std::span<const S>{four}, std::span<E>{generic_out}, o);
  ASSERT_EQ(fast.outcome == Outcome::no_majority, generic.outcome == Outcome::no_majority) << "seed=" << seed;
  ASSERT_EQ(fast.dissent, generic.dissent) << "seed=" << seed;
  ASSERT_EQ(fast.agreeing, generic.agreeing) << "seed=" << seed;
  if (fast.outcome == Outcome::no_majority) { return; }
  for (std::size_t k = 0; k < n; ++k) {
    ASSERT_EQ(std::bit_cast<voters::detail::BitsOf<E>>(fast_out[k]),
              std::bit_cast<voters::detail::BitsOf<E>>(generic_out[k]))
        << "k=" << k << " seed=" << seed;
  }
}

/// The fast path against the generic one: the exact vote for eps == 0, else the tolerance vote
/// with an absolute bound of eps.
template <class E>
void expect_fast_path_matches(const RandomTriple<E>& t, E eps, std::uint32_t seed) {
  if (eps == E{0}) {
    expect_fast_equals_generic(
        t, [](auto in, auto out, VoteOptions o) { return voters::majority_into(in, out, o); }, seed);
  } else {
    const Tolerance tol = Tolerance::absolute(static_cast<double>(eps));
    expect_fast_equals_generic(
        t, [tol](auto in, auto out, VoteOptions o) { return voters::inexact_majority_into(in, out, tol, o); },
        seed);
  }
}

template <class E>
void screened_differential(E eps) {
  for (std::uint32_t seed = 1; seed <= 40; ++seed) {
    // Lengths around block multiples, a short tail and a single element.
    const std::size_t n =
        seed % 4U == 0U ? std::size_t{1} : voters::detail::kBlock3 * (1U + seed % 5U) + seed % 3U * 37U;
    const RandomTriple<E> t{n, seed, eps};
    expect_fast_path_matches(t, eps, seed);
    if (::testing::Test::HasFatalFailure()) { return; }
  }
}

TEST(MajorityInto, ScreenedKernelMatchesGenericPathDouble) { screened_differential<double>(0.0); }
TEST(MajorityInto, ScreenedKernelMatchesGenericPathFloat) { screened_differential<float>(0.0F); }
TEST(InexactMajorityInto, ScreenedKernelMatchesGenericPathDouble) { screened_differential<double>(0.25); }
TEST(InexactMajorityInto, ScreenedKernelMatchesGenericPathFloat) { screened_differential<float>(0.25F); }

/// One replica wrong at every element of a multi-block buffer (a permanently faulty replica): the
/// tolerance vote's middle tier decides every block, the exact vote its precise kernel. Each
/// replica in turn, exact and tolerance, both element types, through both paths.
template <class E>
void faulty_replica_differential() {
  for (std::uint32_t seed = 101; seed <= 106; ++seed) {
    const std::size_t n = voters::detail::kBlock3 * 3U + seed * 11U;
    const auto bad = static_cast<std::size_t>(seed % 3U);
    const E eps = seed < 104 ? E{0} : E{0.25};
    RandomTriple<E> t{n, seed, eps};  // fills are random; overwritten below
    std::mt19937 rng{seed};
    std::uniform_real_distribution<double> value{-1000.0, 1000.0};
    for (std::size_t k = 0; k < n; ++k) {
      const auto x = static_cast<E>(value(rng));
      std::array<E, 3> v{x, x, eps > E{0} ? x + eps / E{2} : x};
      v[bad] = x + E{1} + E{4} * eps;  // far from both others
      t.a[k] = v[0];
      t.b[k] = v[1];
      t.c[k] = v[2];
    }
    expect_fast_path_matches(t, eps, seed);
    if (::testing::Test::HasFatalFailure()) { return; }
    // And the report itself: the faulty replica alone dissents.
    using S = std::span<const E>;
    const std::array<S, 3> in{S{t.a}, S{t.b}, S{t.c}};
    std::vector<E> out(n);
    const VoteReport r = eps == E{0}
                             ? voters::majority_into(std::span{in}, std::span{out})
                             : voters::inexact_majority_into(std::span{in}, std::span{out},
                                                             Tolerance::absolute(static_cast<double>(eps)));
    EXPECT_EQ(r.outcome, Outcome::masked) << "seed=" << seed;
    EXPECT_EQ(r.dissent, ReplicaMask::single(static_cast<std::uint32_t>(bad))) << "seed=" << seed;
    EXPECT_EQ(r.agreeing, 2U) << "seed=" << seed;
  }
}

TEST(MajorityInto, FaultyReplicaEverywhereMatchesGenericPathDouble) { faulty_replica_differential<double>(); }
TEST(MajorityInto, FaultyReplicaEverywhereMatchesGenericPathFloat) { faulty_replica_differential<float>(); }

/// Tolerance buffers whose elements mix every agreement pattern of three replicas: all agree, a
/// within eps of both others while b and c are not, exactly one pair (each of the three), chains
/// centred on b and on c, and (in some seeds) no agreeing pair. Blocks are either all one pattern
/// kind or a per-element mix with a given share of chains, so the middle tier both decides whole
/// blocks and declines blocks after writing part of them.
template <class E>
void mixed_pattern_differential() {
  const E eps{0.25};
  const Tolerance tol = Tolerance::absolute(static_cast<double>(eps));
  for (std::uint32_t seed = 201; seed <= 230; ++seed) {
    const std::size_t n = voters::detail::kBlock3 * (2U + seed % 4U) + seed % 5U * 29U;
    RandomTriple<E> t{n, seed, eps};  // overwritten below
    std::mt19937 rng{seed};
    std::uniform_real_distribution<double> value{-1000.0, 1000.0};
    std::uniform_int_distribution<int> pattern{0, 6};
    std::uniform_int_distribution<int> block_kind{0, 3};
    const bool allow_none = seed % 10U == 0U;
    for (std::size_t base = 0; base < n; base += voters::detail::kBlock3) {
      const int kind = block_kind(rng);  // 0: one-pair patterns only, 1: + rare chains, 2: all, 3: all agree
      const std::size_t end = base + voters::detail::kBlock3 < n ? base + voters::detail::kBlock3 : n;
      for (std::size_t k = base; k < end; ++k) {
        const auto x = static_cast<E>(value(rng));
        const E far = E{1} + E{4} * eps;
        int p = kind == 3 ? 0 : pattern(rng);
        if (kind == 0 && p >= 5) { p = 1 + p % 4; }
        if (kind == 1 && p >= 5 && rng() % 64U != 0U) { p = 1 + p % 4; }
        std::array<E, 3> v{x, x, x + eps / E{2}};
        switch (p) {
          case 1:
            v = {x, x - eps * E{0.75}, x + eps * E{0.75}};
            break;  // a~b, a~c, not b~c
          case 2:
            v[0] = x + far;
            break;  // only b~c
          case 3:
            v[1] = x + far;
            break;  // only a~c
          case 4:
            v[2] = x + far;
            break;  // only a~b
          case 5:
            v = {x, x + eps * E{0.75}, x + eps * E{1.5}};
            break;  // chain centred on b
          case 6:
            v = {x, x + eps * E{1.5}, x + eps * E{0.75}};
            break;  // chain centred on c
          default:
            break;  // all agree
        }
        if (allow_none && rng() % 4096U == 0U) { v = {x, x + far, x + far + far}; }  // no pair
        t.a[k] = v[0];
        t.b[k] = v[1];
        t.c[k] = v[2];
      }
    }
    expect_fast_equals_generic(
        t, [tol](auto in, auto out, VoteOptions o) { return voters::inexact_majority_into(in, out, tol, o); },
        seed);
    if (::testing::Test::HasFatalFailure()) { return; }
  }
}

TEST(InexactMajorityInto, MixedAgreementPatternsMatchGenericPathDouble) {
  mixed_pattern_differential<double>();
}
TEST(InexactMajorityInto, MixedAgreementPatternsMatchGenericPathFloat) {
  mixed_pattern_differential<float>();
}

TEST(MajorityInto, IdenticalNonFiniteReplicasStillDissent) {
  // Bitwise identical in all three replicas, so only the screen's finiteness test catches them.
  for (const double s : {std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
                         std::numeric_limits<double>::quiet_NaN()}) {
    Three t{5000};
    t.a[4100] = t.b[4100] = t.c[4100] = s;
    const auto in = t.in();
    const VoteReport r = voters::majority_into(std::span{in}, std::span{t.out});
    EXPECT_EQ(r.outcome, Outcome::no_majority) << s;
    EXPECT_EQ(r.dissent, 0b111U) << s;
    VoteOptions o;
    o.non_finite = NonFinite::compare;
    const VoteReport cmp = voters::majority_into(std::span{in}, std::span{t.out}, o);
    EXPECT_EQ(cmp.outcome, Outcome::unanimous) << s;
  }
}

TEST(MajorityInto, DissentBeforeAndAfterCleanBlocksIsReported) {
  // Replica 0 wrong in the first block only, replica 2 in the last one only: both are reported
  // although the blocks between them are unanimous (the screen is resumed after a clean block).
  Three t{5 * voters::detail::kBlock3};
  for (std::size_t k = 0; k < voters::detail::kBlock3; ++k) { t.a[k] = -1.0; }
  t.c[t.c.size() - 1] = -2.0;
  const auto in = t.in();
  const VoteReport r = voters::majority_into(std::span{in}, std::span{t.out});
  EXPECT_EQ(r.outcome, Outcome::masked);
  EXPECT_EQ(r.dissent, 0b101U);
  EXPECT_EQ(r.agreeing, 1U);
  for (std::size_t k = 0; k < t.out.size(); ++k) { ASSERT_EQ(t.out[k], static_cast<double>(k) * 0.5) << k; }
  const VoteReport tr =
      voters::inexact_majority_into(std::span{in}, std::span{t.out}, Tolerance::absolute(0.1));
  EXPECT_EQ(tr.dissent, 0b101U);
  for (std::size_t k = 0; k < t.out.size(); ++k) { ASSERT_EQ(t.out[k], static_cast<double>(k) * 0.5) << k; }
}

TEST(MajorityInto, EmptyBuffersAreUnanimous) {
  std::vector<double> none;
  const std::array<Span, 3> in{Span{none}, Span{none}, Span{none}};
  EXPECT_EQ(voters::majority_into(std::span{in}, std::span{none}).outcome, Outcome::unanimous);
  EXPECT_EQ(voters::inexact_majority_into(std::span{in}, std::span{none}, Tolerance::absolute(1.0)).outcome,
            Outcome::unanimous);
}

TEST(MajorityInto, AllocatesNothing) {
  Three t{256};
  t.b[7] = 3.0;
  const auto in = t.in();
  std::array<Span, 4> four{Span{t.a}, Span{t.b}, Span{t.c}, Span{t.a}};
  lockstep::test::AllocationScope scope;
  const auto r1 = voters::majority_into(std::span{in}, std::span{t.out});
  const auto r2 = voters::inexact_majority_into(std::span{in}, std::span{t.out}, Tolerance::absolute(1e-9));
  const auto r3 = voters::majority_into(std::span<const Span>{four}, std::span{t.out});
  const auto r4 =
      voters::inexact_majority_into(std::span<const Span>{four}, std::span{t.out}, Tolerance::ulp(2));
  EXPECT_EQ(scope.allocations(), 0U);
  EXPECT_TRUE(r1.decided() && r2.decided() && r3.decided() && r4.decided());
}

}  // namespace
