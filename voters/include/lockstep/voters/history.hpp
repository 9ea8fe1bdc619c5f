#pragma once
// History-based voter: each replica's weight follows its record of past agreement.

#include <array>
#include <cmath>
#include <cstdint>
#include <span>
#include <string>

#include <lockstep/core/error.hpp>
#include <lockstep/voters/detail/grouping.hpp>
#include <lockstep/voters/tolerance.hpp>
#include <lockstep/voters/vote.hpp>

namespace lockstep::voters {

/// Settings of a HistoryVoter.
struct HistoryConfig {
  /// When two outputs agree (numeric types). Absolute 0 = equal values (bit-identical always agree).
  Tolerance tolerance = Tolerance::absolute(0.0);
  /// Record update per decided vote: r <- (1 - rate) r + rate * (agreed ? 1 : 0). In (0, 1].
  double learning_rate = 0.1;
  /// Records never fall below this, so a repaired replica can earn its weight back. In [0, 1).
  double floor = 0.01;
  /// A group needs at least this many members to decide, however trusted (1..16).
  std::uint32_t min_agreeing = 2;
};

/// History-weighted majority. Outputs are grouped like `inexact_majority` (exactly for types
/// without a tolerance); each group scores the sum of its members' records, and the best-scoring
/// group decides when its score is more than half the records of all N replicas
/// (`Quorum::of_configured`, default) or of the present ones (`of_present`), and it has at least
/// `min_agreeing` members. After each *decided* vote, every present replica's record moves
/// towards 1 if it agreed and towards 0 if it dissented (exponential average, `learning_rate`);
/// missing replicas and undecided votes leave records alone. Records start at 1.
/// When to use: replicas with a persistent fault (a stuck sensor path, a broken core) lose
/// influence, so a later coincident fault in a healthy replica is still outvoted, and two
/// replicas that keep failing cannot outvote a consistently good pair. Masks what majority
/// masks while records are equal; with skewed records, a trusted group can decide against a
/// larger distrusted one (never below `min_agreeing` members).
///
/// Usage:
///   lockstep::voters::HistoryVoter<double> voter{3, {.tolerance = lockstep::Tolerance::absolute(1e-6)}};
///   auto v = voter(std::span{outs});         // updates the records
///   double trust = voter.record(2);
///
/// Thread safety: not thread-safe (each vote updates the records); one voter per executor.
/// On failure: the constructor throws lockstep::Error for N outside 2..16 or settings out of
/// range; a vote with a span whose size differs from N decides nothing (`no_majority`, every
/// present replica dissents, records unchanged). Votes are noexcept and allocate nothing for
/// fixed-size types.
template <class T>
requires detail::Comparable<T>
class HistoryVoter {
 public:
  explicit HistoryVoter(std::uint32_t replicas, HistoryConfig config = {}) : m_n(replicas), m_config(config) {
    if (replicas < 2 || replicas > kMaxReplicas) {
      raise("HistoryVoter: replica count " + std::to_string(replicas) + " outside 2..16");
    }
    if (!(config.learning_rate > 0.0 && config.learning_rate <= 1.0)) {
      raise("HistoryVoter: learning_rate must be in (0, 1]");
    }
    if (!(config.floor >= 0.0 && config.floor < 1.0)) { raise("HistoryVoter: floor must be in [0, 1)"); }
    if (config.min_agreeing < 1 || config.min_agreeing > kMaxReplicas) {
      raise("HistoryVoter: min_agreeing must be in 1..16");
    }
    reset();
  }

  /// Votes and updates the records. `outs.size()` must equal the configured N.
  template <detail::ReplicaRange R>
  requires std::same_as<detail::ValueOf<R>, T>
  [[nodiscard]] Vote<T> operator()(R&& outs, VoteOptions opts = {}) noexcept {
    const std::span<const T> s = detail::as_span(outs);
    detail::Frame f = detail::make_frame(s.size(), opts);
    Vote<T> v{};
    v.dissent = f.present;
    if (!f.valid || f.n != m_n) { return v; }
    detail::drop_non_finite(f, s, opts);

    std::array<ReplicaMask, kMaxReplicas> adj{};
    for (std::uint32_t i = 0; i < f.n; ++i) {
      if (!f.eligible.test(i)) { continue; }
      adj[i].set(i);
      for (std::uint32_t j = i + 1; j < f.n; ++j) {
        if (f.eligible.test(j) && agree(s[i], s[j])) {
          adj[i].set(j);
          adj[j].set(i);
        }
      }
    }
    ReplicaMask best{};
    std::uint32_t centre = kMaxReplicas;
    double best_score = -1.0;
    bool ambiguous = false;
    for (std::uint32_t i = 0; i < f.n; ++i) {
      if (!f.eligible.test(i) || adj[i].count() < m_config.min_agreeing) { continue; }
      const double score = score_of(adj[i]);
      if (score > best_score) {
        best = adj[i];
        centre = i;
        best_score = score;
        ambiguous = false;
      } else if (score == best_score && adj[i] != best) {
        ambiguous = true;
      }
    }
    const ReplicaMask base = opts.quorum == Quorum::of_present ? f.present : f.configured;
    const double needed = 0.5 * score_of(base);
    if (centre == kMaxReplicas || ambiguous || !(best_score > needed)) { return v; }

    v.value.emplace(s[centre]);
    v.outcome = best == f.configured ? Outcome::unanimous : Outcome::masked;
    v.dissent = f.present - best;
    v.agreeing = static_cast<std::uint8_t>(best.count());
    const double rate = m_config.learning_rate;
    for (std::uint32_t i = 0; i < f.n; ++i) {
      if (!f.present.test(i)) { continue; }
      const double target = best.test(i) ? 1.0 : 0.0;
      const double r = (1.0 - rate) * m_records[i] + rate * target;
      m_records[i] = r < m_config.floor ? m_config.floor : r;
    }
    ++m_decided;
    return v;
  }

  /// Replica i's record in [floor, 1] (1 = always agreed); 0 for i >= N.
  [[nodiscard]] double record(std::uint32_t i) const noexcept { return i < m_n ? m_records[i] : 0.0; }
  /// All N records.
  [[nodiscard]] std::span<const double> records() const noexcept { return {m_records.data(), m_n}; }
  /// Decided votes so far.
  [[nodiscard]] std::uint64_t decided_votes() const noexcept { return m_decided; }
  [[nodiscard]] std::uint32_t replicas() const noexcept { return m_n; }
  /// Forgets the history: every record back to 1.
  void reset() noexcept {
    m_records.fill(0.0);
    for (std::uint32_t i = 0; i < m_n; ++i) { m_records[i] = 1.0; }
    m_decided = 0;
  }

 private:
  [[nodiscard]] bool agree(const T& a, const T& b) const noexcept {
    if constexpr (detail::NumericReplica<T>) {
      return detail::within(a, b, m_config.tolerance);
    } else {
      return detail::equal(a, b);
    }
  }
  [[nodiscard]] double score_of(ReplicaMask m) const noexcept {
    double s = 0.0;
    for (std::uint32_t i = 0; i < m_n; ++i) {
      if (m.test(i)) { s += m_records[i]; }
    }
    return s;
  }

  std::uint32_t m_n;
  HistoryConfig m_config;
  std::array<double, kMaxReplicas> m_records{};
  std::uint64_t m_decided{0};
};

}  // namespace lockstep::voters
