#pragma once
// The campaign engine: N fault-injection trials of one kernel under one executor and one fault
// model, each a golden call and a faulty call, classified, counted, and stored.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <lockstep/sim/outcome.hpp>
#include <lockstep/sim/results_store.hpp>
#include <lockstep/sim/statistics.hpp>

namespace lockstep::sim {

/// Slice I of N of a campaign's trials (1 <= index <= count): trials
/// [trials*(I-1)/N, trials*I/N). Slices are disjoint and cover every trial.
struct Shard {
  std::uint32_t index{1};
  std::uint32_t count{1};
  friend bool operator==(const Shard&, const Shard&) = default;
};

/// Parses "I/N"; throws lockstep::Error naming the problem ("--shard 3/2: I must be in 1..N").
[[nodiscard]] Shard parse_shard(const std::string& text);

/// What to run. Names are those of `lockstep-sim list` (catalog.hpp).
struct CampaignSpec {
  std::string kernel{"crc32"};
  std::string executor{"tmr"};
  std::string fault{"bitflip-output"};
  std::uint64_t trials{1000};
  std::uint64_t seed{1};
  std::uint32_t faults_per_trial{1};
  std::uint32_t threads{0};  ///< 0 = every core; never changes results
  Shard shard{};
  std::string db_path{};  ///< empty: nothing stored (counts only)
};

/// Throws lockstep::Error with one line naming the first bad field (unknown kernel, executor
/// or fault; trials == 0; faults-per-trial outside 1..replicas; nversion on a kernel without
/// versions; bitflip-state on a stateless kernel; bad shard; ...).
void validate(const CampaignSpec& spec);

/// The parameters stored with (and checked against) a campaign's database.
[[nodiscard]] StoreParams store_params(const CampaignSpec& spec);
/// Rebuilds a spec from stored parameters (threads and db_path are left at their defaults).
[[nodiscard]] CampaignSpec spec_from_params(const StoreParams& params);

/// The first and one-past-last trial index of the spec's shard.
[[nodiscard]] std::pair<std::uint64_t, std::uint64_t> shard_range(const CampaignSpec& spec) noexcept;

/// A rate with its 95% Wilson interval.
struct Rate {
  double value{0.0};
  Interval ci95{};
};

/// Counts and rates of a (possibly resumed, sharded or merged) campaign.
struct CampaignSummary {
  CampaignSpec spec{};
  OutcomeCounts counts{};            ///< every trial of the shard now stored (or run, without a DB)
  std::uint64_t expected_trials{0};  ///< trials of the shard
  std::uint64_t run_now{0};          ///< trials run by this invocation
  std::uint64_t resumed{0};          ///< trials found already stored
  std::uint32_t threads{0};          ///< threads used
  double wall_seconds{0.0};          ///< this invocation, store included
  double trials_per_second{0.0};     ///< run_now / wall_seconds

  [[nodiscard]] Rate rate(TrialOutcome o) const noexcept;
  [[nodiscard]] bool complete() const noexcept { return counts.total() == expected_trials; }
};

/// Builds a summary (counts, rates) for given counts.
[[nodiscard]] Rate rate_of(std::uint64_t count, std::uint64_t total) noexcept;

/// Progress callback: trials of the shard stored so far, and the shard's total. Called from the
/// thread that called run_campaign, after every committed batch.
using ProgressFn = std::function<void(std::uint64_t done, std::uint64_t total)>;

/// Runs (or resumes) a campaign. Trials run in parallel (oneTBB, or a std::thread pool when
/// built without TBB) in batches; each batch is one store transaction, so a kill at any moment
/// loses at most the batch in flight and a rerun completes exactly the missing trials.
/// Usage:
///   lockstep::sim::CampaignSpec spec{.kernel = "crc32", .executor = "tmr", .trials = 10000};
///   auto summary = lockstep::sim::run_campaign(spec);
///   std::cout << summary.counts[lockstep::sim::TrialOutcome::sdc];
/// Thread safety: independent campaigns may run concurrently (distinct DB files).
/// On failure: throws lockstep::Error for a bad spec or an incompatible/unusable DB, before
/// anything is written; store write errors throw after the last committed batch.
[[nodiscard]] CampaignSummary run_campaign(const CampaignSpec& spec, const ProgressFn& progress = {});

/// Runs one trial of the campaign (golden + faulty call) and returns its row. Pure function of
/// (spec, trial): the engine, tests and the demo all get the same row.
[[nodiscard]] TrialRow run_single_trial(const CampaignSpec& spec, std::uint64_t trial);

/// Counts and rates from a stored campaign (report / merge).
[[nodiscard]] CampaignSummary summarize_store(const ResultsStore& store);

/// Merges shard databases into a new database `out` (which must not exist). Every input must
/// hold the same campaign (shard aside); a trial present in two inputs must be identical there.
/// The result holds the campaign as unsharded ("1/1"); missing shards may be filled in later by
/// running `campaign` on it. Writes to `out + ".tmp"` and renames, so a crash leaves no half file.
/// On failure: throws lockstep::Error naming the input and the problem; `out` is not created.
void merge_stores(const std::string& out, const std::vector<std::string>& inputs);

}  // namespace lockstep::sim
