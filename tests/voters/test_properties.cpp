// Property tests (RapidCheck, fixed seeds): permutation invariance, fault masking bounds,
// median bounds, report consistency, buffer votes agree with scalar votes.
#include <lockstep/voters.hpp>

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <numeric>
#include <span>
#include <sstream>
#include <vector>

namespace {

using lockstep::Outcome;
using lockstep::Quorum;
using lockstep::ReplicaMask;
using lockstep::Tolerance;
using lockstep::VoteOptions;
namespace voters = lockstep::voters;

/// Runs a property with a fixed seed; on failure the message names the seed and the
/// counterexample (rerun: change nothing, the seed is in the source).
template <class F>
void check_property(const char* name, std::uint64_t seed, F&& property) {
  rc::detail::TestParams params;
  params.seed = seed;
  params.maxSuccess = 300;
  params.maxSize = 100;
  rc::detail::TestMetadata meta;
  meta.id = name;
  meta.description = name;
  const auto result = rc::detail::checkTestable(std::forward<F>(property), meta, params);
  if (!result.template is<rc::detail::SuccessResult>()) {
    std::ostringstream os;
    rc::detail::printResultMessage(result, os);
    ADD_FAILURE() << name << " failed with seed=" << seed << "\n" << os.str();
  }
}

/// N in 2..16 replica outputs drawn from a small alphabet, so that groups form often.
rc::Gen<std::vector<std::int32_t>> gen_outputs() {
  return rc::gen::mapcat(rc::gen::inRange<std::size_t>(2, 17), [](std::size_t n) {
    return rc::gen::container<std::vector<std::int32_t>>(n, rc::gen::inRange<std::int32_t>(0, 4));
  });
}

/// A permutation of 0..n-1.
std::vector<std::uint32_t> gen_permutation(std::size_t n) {
  std::vector<std::uint32_t> p(n);
  std::iota(p.begin(), p.end(), 0U);
  const auto keys = *rc::gen::container<std::vector<std::uint32_t>>(n, rc::gen::arbitrary<std::uint32_t>());
  std::stable_sort(p.begin(), p.end(),
                   [&keys](std::uint32_t a, std::uint32_t b) { return keys[a] < keys[b]; });
  return p;
}

ReplicaMask permute_mask(ReplicaMask m, const std::vector<std::uint32_t>& p) {
  // Replica i of the permuted vote is replica p[i] of the original.
  ReplicaMask out{};
  for (std::uint32_t i = 0; i < p.size(); ++i) {
    if (m.test(p[i])) { out.set(i); }
  }
  return out;
}

template <class Voter>
void permutation_invariant(Voter voter, bool same_value) {
  const auto outs = *gen_outputs();
  const auto p = gen_permutation(outs.size());
  const auto present = ReplicaMask{*rc::gen::arbitrary<std::uint32_t>()} | ReplicaMask::first(2);
  std::vector<std::int32_t> permuted(outs.size());
  for (std::size_t i = 0; i < p.size(); ++i) { permuted[i] = outs[p[i]]; }
  VoteOptions o;
  o.present = present;
  VoteOptions po;
  po.present = permute_mask(present, p);
  const auto a = voter(std::span<const std::int32_t>{outs}, o);
  const auto b = voter(std::span<const std::int32_t>{permuted}, po);
  RC_ASSERT(a.outcome == b.outcome);
  RC_ASSERT(a.agreeing == b.agreeing);
  RC_ASSERT(permute_mask(a.dissent, p) == b.dissent);
  if (same_value) { RC_ASSERT(a.value == b.value); }
}

TEST(VoterProperties, PermutingReplicasNeverChangesTheDecision) {
  check_property("majority", 1001, [] { permutation_invariant(voters::majority, true); });
  check_property("plurality", 1002, [] { permutation_invariant(voters::plurality, true); });
  check_property("median", 1003, [] { permutation_invariant(voters::median, true); });
  check_property("mid_value", 1004, [] { permutation_invariant(voters::mid_value, true); });
  check_property("inexact_majority", 1005, [] {
    permutation_invariant(voters::inexact_majority.with(Tolerance::absolute(1.0)), false);
  });
  check_property("inexact_plurality", 1006, [] {
    permutation_invariant(voters::inexact_plurality.with(Tolerance::absolute(1.0)), false);
  });
}

TEST(VoterProperties, MajorityMasksUpToFloorNMinusOneHalfCorruptedReplicas) {
  check_property("majority masks f faults", 2001, [] {
    const auto n = *rc::gen::inRange<std::uint32_t>(2, 17);
    const auto good = *rc::gen::arbitrary<double>();
    RC_PRE(std::isfinite(good));
    std::vector<double> outs(n, good);
    const std::uint32_t f = *rc::gen::inRange<std::uint32_t>(0, (n - 1) / 2 + 1);
    const auto p = gen_permutation(n);
    ReplicaMask corrupted{};
    for (std::uint32_t k = 0; k < f; ++k) {
      outs[p[k]] = *rc::gen::arbitrary<double>();  // may even equal good, or be NaN
      corrupted.set(p[k]);
    }
    const auto v = voters::majority(std::span<const double>{outs});
    RC_ASSERT(v.decided());
    RC_ASSERT(std::bit_cast<std::uint64_t>(*v.value) == std::bit_cast<std::uint64_t>(good));
    RC_ASSERT((v.dissent - corrupted).none());
    RC_ASSERT(v.agreeing + v.dissent.count() == n);
  });
  check_property("inexact_majority masks f far faults", 2002, [] {
    const auto n = *rc::gen::inRange<std::uint32_t>(3, 17);
    const double truth = *rc::gen::inRange<std::int32_t>(-1000, 1000);
    std::vector<double> outs(n);
    for (auto& x : outs) { x = truth + *rc::gen::inRange<std::int32_t>(-50, 51) * 1e-3; }  // within 0.1
    const std::uint32_t f = *rc::gen::inRange<std::uint32_t>(0, (n - 1) / 2 + 1);
    const auto p = gen_permutation(n);
    for (std::uint32_t k = 0; k < f; ++k) {
      outs[p[k]] = truth + 10.0 + *rc::gen::inRange<std::int32_t>(0, 1000);
    }
    const auto v = voters::inexact_majority(std::span<const double>{outs}, Tolerance::absolute(0.1));
    RC_ASSERT(v.decided());
    RC_ASSERT(std::abs(*v.value - truth) <= 0.05 + 1e-9);
    RC_ASSERT(v.dissent.count() == f);
  });
  check_property("median stays within the good replicas", 2003, [] {
    const auto n = *rc::gen::inRange<std::uint32_t>(2, 17);
    std::vector<double> outs(n);
    for (auto& x : outs) { x = *rc::gen::inRange<std::int32_t>(-100, 100); }
    const std::uint32_t f = *rc::gen::inRange<std::uint32_t>(0, (n - 1) / 2 + 1);
    const auto p = gen_permutation(n);
    double lo = 1e300;
    double hi = -1e300;
    for (std::uint32_t k = f; k < n; ++k) {
      lo = std::min(lo, outs[p[k]]);
      hi = std::max(hi, outs[p[k]]);
    }
    for (std::uint32_t k = 0; k < f; ++k) { outs[p[k]] = *rc::gen::arbitrary<double>(); }
    const auto v = voters::median(std::span<const double>{outs});
    const auto m = voters::mid_value(std::span<const double>{outs});
    RC_ASSERT(v.decided() && m.decided());
    RC_ASSERT(*v.value >= lo && *v.value <= hi);
    RC_ASSERT(*m.value >= lo && *m.value <= hi);
  });
}

TEST(VoterProperties, MedianLiesBetweenMinAndMax) {
  check_property("median in [min,max]", 3001, [] {
    const auto outs = *gen_outputs();
    const auto [lo, hi] = std::minmax_element(outs.begin(), outs.end());
    for (const auto& v : {voters::median(outs), voters::mid_value(outs)}) {
      RC_ASSERT(v.decided());
      RC_ASSERT(*v.value >= *lo && *v.value <= *hi);
    }
  });
  check_property("element-wise median in [min,max] per element", 3002, [] {
    using A = std::array<float, 4>;
    const auto n = *rc::gen::inRange<std::size_t>(2, 17);
    const auto outs = *rc::gen::container<std::vector<A>>(n, rc::gen::arbitrary<A>());
    const auto v = voters::median(std::span<const A>{outs});
    bool all_finite = true;
    for (const auto& a : outs) {
      for (const float x : a) { all_finite = all_finite && std::isfinite(x); }
    }
    RC_PRE(all_finite);
    RC_ASSERT(v.decided());
    for (std::size_t e = 0; e < 4; ++e) {
      float lo = outs[0][e];
      float hi = outs[0][e];
      for (const auto& a : outs) {
        lo = std::min(lo, a[e]);
        hi = std::max(hi, a[e]);
      }
      RC_ASSERT((*v.value)[e] >= lo && (*v.value)[e] <= hi);
    }
  });
}

TEST(VoterProperties, ReportsAreConsistent) {
  check_property("report invariants", 4001, [] {
    const auto outs = *gen_outputs();
    VoteOptions o;
    o.present = ReplicaMask{*rc::gen::arbitrary<std::uint32_t>()};
    o.quorum = *rc::gen::element(Quorum::of_configured, Quorum::of_present);
    const auto n = static_cast<std::uint32_t>(outs.size());
    const ReplicaMask present = o.present & ReplicaMask::first(n);
    const auto v = voters::majority(std::span<const std::int32_t>{outs}, o);
    RC_ASSERT((v.dissent - present).none());
    if (!v.decided()) {
      RC_ASSERT(!v.value.has_value());
      RC_ASSERT(v.dissent == present);
      RC_ASSERT(v.agreeing == 0U);
    } else {
      RC_ASSERT(v.agreeing + v.dissent.count() == present.count());
      const std::uint32_t base = o.quorum == Quorum::of_configured ? n : present.count();
      RC_ASSERT(2U * v.agreeing > base);
      RC_ASSERT((v.outcome == Outcome::unanimous) == (v.agreeing == n));
      // Majority (of two or more) implies plurality with the same value; a missing replica added back never
      // changes a decided value.
      if (v.agreeing >= 2U) {
        const auto p = voters::plurality(std::span<const std::int32_t>{outs}, o);
        RC_ASSERT(p.value == v.value);
      }
      if (o.quorum == Quorum::of_configured) {
        RC_ASSERT(voters::majority(std::span<const std::int32_t>{outs}).value == v.value);
      }
      for (std::uint32_t i = 0; i < n; ++i) {
        if (present.test(i)) { RC_ASSERT((outs[i] == *v.value) == !v.dissent.test(i)); }
      }
    }
  });
}

TEST(VoterProperties, BufferVotesMatchScalarVotesElementByElement) {
  check_property("majority_into == majority per element", 5001, [] {
    const auto n = *rc::gen::inRange<std::size_t>(2, 17);
    const auto len = *rc::gen::inRange<std::size_t>(0, 40);
    std::vector<std::vector<double>> reps(n, std::vector<double>(len));
    for (auto& r : reps) {
      for (auto& x : r) { x = *rc::gen::weightedElement<double>({{6, 1.0}, {1, 2.0}, {1, 3.0}}); }
    }
    VoteOptions o;
    o.present = ReplicaMask{*rc::gen::arbitrary<std::uint32_t>()};
    const bool tolerant = *rc::gen::arbitrary<bool>();
    std::vector<std::span<const double>> in(reps.begin(), reps.end());
    std::vector<double> out(len, -1.0);
    const Tolerance tol = Tolerance::absolute(1.0);
    const auto r =
        tolerant ? voters::inexact_majority_into(std::span<const std::span<const double>>{in}, std::span{out},
                                                 tol, o)
                 : voters::majority_into(std::span<const std::span<const double>>{in}, std::span{out}, o);
    bool all = true;
    ReplicaMask dissent{};
    std::vector<double> column(n);
    for (std::size_t k = 0; k < len; ++k) {
      for (std::size_t i = 0; i < n; ++i) { column[i] = reps[i][k]; }
      const auto v = tolerant ? voters::inexact_majority(column, tol, o) : voters::majority(column, o);
      all = all && v.decided();
      if (!v.decided()) { break; }
      dissent |= v.dissent;
      RC_ASSERT(out[k] == *v.value);
    }
    const ReplicaMask present = o.present & ReplicaMask::first(static_cast<std::uint32_t>(n));
    const bool any_quorum = 2U * present.count() > n;
    RC_ASSERT(r.decided() == (all && (len > 0 || any_quorum)));
    if (r.decided()) { RC_ASSERT(r.dissent == dissent); }
  });
}

}  // namespace
