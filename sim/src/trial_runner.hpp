#pragma once
// Internal: runs the trials of one campaign. One runner per worker thread (runners own
// executors, which are not shared between threads).

#include <cstdint>
#include <memory>

#include <lockstep/sim/campaign.hpp>

namespace lockstep::sim::detail {

class TrialRunner {
 public:
  TrialRunner() = default;
  TrialRunner(const TrialRunner&) = delete;
  TrialRunner& operator=(const TrialRunner&) = delete;
  virtual ~TrialRunner() = default;
  /// Golden call + faulty call of trial `trial`, classified. Pure in (spec, trial).
  [[nodiscard]] virtual TrialRow run(std::uint64_t trial) = 0;
};

/// A runner for a validated spec.
[[nodiscard]] std::unique_ptr<TrialRunner> make_trial_runner(const CampaignSpec& spec);

}  // namespace lockstep::sim::detail
