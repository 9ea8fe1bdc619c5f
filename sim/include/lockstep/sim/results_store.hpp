#pragma once
// The SQLite results store of campaigns (and of other Monte-Carlo runs, e.g. closed-loop plant
// runs): campaign parameters, one row per trial, one row per invocation. Schema: docs/results.md.

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <lockstep/core/replica_mask.hpp>
#include <lockstep/sim/fault.hpp>
#include <lockstep/sim/outcome.hpp>

namespace lockstep::sim {

/// Parameters that identify what a store holds (kind, kernel, executor, fault, trials, seed,
/// faults_per_trial, shard, ...). A store accepts new rows only from a run with equal parameters.
using StoreParams = std::map<std::string, std::string>;

/// One trial of a campaign, as stored. Every field is a pure function of (parameters, trial):
/// rows of an interrupted-and-resumed run equal those of an uninterrupted one.
struct TrialRow {
  std::uint64_t trial{0};  ///< global trial index in [0, trials)
  std::uint64_t seed{0};   ///< trial_seed(campaign seed, trial)
  FaultModel fault{FaultModel::bitflip_output};
  ReplicaMask replicas{};  ///< replicas hit
  std::int32_t bit{-1};    ///< first corrupted bit of the lowest hit replica, -1 when none
  TrialOutcome outcome{TrialOutcome::benign};
  std::int64_t sim_ns{0};  ///< simulated duration of the faulty call (deterministic)
  friend bool operator==(const TrialRow&, const TrialRow&) = default;
};

/// One generic Monte-Carlo sample for other kinds of runs (closed-loop plant runs, ...):
/// keyed by (kind, key), so a resumed run skips keys already stored.
struct Sample {
  std::string kind;      ///< e.g. "plant"
  std::uint64_t key{0};  ///< run index
  std::uint64_t seed{0};
  std::string outcome;  ///< e.g. "held", "violated"
  double value{0.0};    ///< e.g. integrated squared error
  std::string data;     ///< free text / JSON
  friend bool operator==(const Sample&, const Sample&) = default;
};

/// One invocation of a run that wrote into the store.
struct RunRecord {
  std::string started_utc;
  std::uint32_t threads{0};
  std::string shard;
  std::uint64_t trials_run{0};
  double wall_seconds{0.0};
  double trials_per_second{0.0};
};

/// An open results database.
/// Usage:
///   auto store = ResultsStore::open_for_writing("c.db", params);   // validates, then creates/resumes
///   store.append_trials(rows);                                       // one transaction
///   OutcomeCounts c = store.count_outcomes();
/// Thread safety: one thread at a time per object (the campaign engine writes from its driver
/// thread only). Several processes may read one file; one process writes it.
/// On failure: open_* throw lockstep::Error with one line naming the file and the problem
/// (missing, unreadable, not SQLite, not a lockstep-sim store, corrupted, other parameters);
/// a refused open never modifies an existing file. Write errors after opening also throw; the
/// transaction in progress is rolled back, earlier ones stay (that is what makes resume work).
class ResultsStore {
 public:
  static constexpr std::string_view kFormat = "lockstep-sim-results";
  static constexpr int kSchemaVersion = 1;

  /// Opens an existing store for reading after validating it.
  [[nodiscard]] static ResultsStore open_read_only(const std::string& path);
  /// Validates an existing file against `params` without writing anything, then opens it for
  /// writing (WAL journal); creates a new store with `params` when the file does not exist.
  [[nodiscard]] static ResultsStore open_for_writing(const std::string& path, const StoreParams& params);
  /// Creates a new store; refuses when the file exists.
  [[nodiscard]] static ResultsStore create(const std::string& path, const StoreParams& params);
  /// The checks of open_for_writing only: throws on any problem, touches nothing.
  static void check_compatible(const std::string& path, const StoreParams& params);

  ResultsStore(ResultsStore&&) noexcept;
  ResultsStore& operator=(ResultsStore&&) noexcept;
  ResultsStore(const ResultsStore&) = delete;
  ResultsStore& operator=(const ResultsStore&) = delete;
  ~ResultsStore();

  [[nodiscard]] const StoreParams& params() const noexcept;
  [[nodiscard]] const std::string& path() const noexcept;

  /// Trials: append in one transaction (all or nothing); read back ordered by trial index.
  void append_trials(std::span<const TrialRow> rows);
  [[nodiscard]] std::vector<TrialRow> read_trials() const;
  /// Indices of stored trials in [begin, end), ascending.
  [[nodiscard]] std::vector<std::uint64_t> stored_trials(std::uint64_t begin, std::uint64_t end) const;
  [[nodiscard]] std::uint64_t trial_count() const;
  [[nodiscard]] OutcomeCounts count_outcomes() const;

  /// Generic samples (plant runs, ...): append in one transaction; keys already stored refuse.
  void append_samples(std::span<const Sample> samples);
  [[nodiscard]] std::vector<Sample> read_samples(const std::string& kind) const;
  [[nodiscard]] std::vector<std::uint64_t> stored_sample_keys(const std::string& kind) const;

  void record_run(const RunRecord& run);
  [[nodiscard]] std::vector<RunRecord> read_runs() const;

 private:
  struct Impl;
  explicit ResultsStore(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> m_impl;
};

/// Renders parameters as "k=v, k=v" for messages.
[[nodiscard]] std::string describe(const StoreParams& params);

}  // namespace lockstep::sim
