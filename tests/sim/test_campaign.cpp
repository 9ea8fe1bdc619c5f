// Requirements (issue 6): what each executor masks/detects/lets through, determinism whatever
// the thread count, shards that partition the campaign, merge == unsharded, resume.
// Trial counts are small (sanitizer builds); the 100,000-trial figures are run by hand
// (docs/sim.md "Figures").
#include <gtest/gtest.h>

#include <lockstep/core/error.hpp>
#include <lockstep/sim/campaign.hpp>
#include <lockstep/sim/catalog.hpp>
#include <lockstep/sim/fault.hpp>

#include "sim_test_util.hpp"

namespace ls = lockstep::sim;
using ls::TrialOutcome;

namespace {
ls::CampaignSpec spec(const char* kernel, const char* executor, const char* fault, std::uint64_t trials,
                      std::uint32_t k = 1) {
  ls::CampaignSpec s;
  s.kernel = kernel;
  s.executor = executor;
  s.fault = fault;
  s.trials = trials;
  s.seed = 20260101;
  s.faults_per_trial = k;
  s.threads = 2;
  return s;
}

std::string counts_text(const ls::OutcomeCounts& c) {
  std::string t;
  for (const auto o : ls::kAllOutcomes) t += std::string{ls::to_string(o)} + "=" + std::to_string(c[o]) + " ";
  return t;
}

std::string error_of(const ls::CampaignSpec& s) {
  try {
    ls::validate(s);
  } catch (const lockstep::Error& e) { return e.what(); }
  return "";
}

std::vector<ls::TrialRow> run_rows(const ls::CampaignSpec& s) {
  std::vector<ls::TrialRow> out;
  for (std::uint64_t i = 0; i < s.trials; ++i) out.push_back(ls::run_single_trial(s, i));
  return out;
}
}  // namespace

TEST(Campaign, TmrMasksEverySingleOutputBitFlip) {
  for (const char* kernel : {"crc32", "solve6"}) {
    const auto s = ls::run_campaign(spec(kernel, "tmr", "bitflip-output", 3000));
    SCOPED_TRACE(std::string{kernel} + ": " + counts_text(s.counts));
    EXPECT_EQ(s.counts.total(), 3000U);
    EXPECT_EQ(s.counts[TrialOutcome::sdc], 0U);
    EXPECT_EQ(s.counts[TrialOutcome::detected], 0U);
    EXPECT_GT(s.counts[TrialOutcome::masked], 1000U);  // solve6: ~half the flips stay within tolerance
  }
}

TEST(Campaign, CrcOutputFlipsAreNeverBenign) {
  // Every bit of a CRC is significant: a flipped output bit always changes the replica output.
  const auto s = ls::run_campaign(spec("crc32", "tmr", "bitflip-output", 1000));
  EXPECT_EQ(s.counts[TrialOutcome::masked], 1000U) << counts_text(s.counts);
}

TEST(Campaign, DmrDetectsEveryEffectiveFault) {
  for (const char* fault :
       {"bitflip-output", "bitflip-input", "bitflip-state", "multibit-output", "byzantine"}) {
    const auto s = ls::run_campaign(spec("crc32", "dmr", fault, 1000));
    SCOPED_TRACE(std::string{fault} + ": " + counts_text(s.counts));
    EXPECT_EQ(s.counts[TrialOutcome::sdc], 0U);
    EXPECT_EQ(s.counts[TrialOutcome::masked], 0U) << "DMR cannot mask";
    EXPECT_EQ(s.counts[TrialOutcome::detected] + s.counts[TrialOutcome::benign], 1000U);
    EXPECT_GT(s.counts[TrialOutcome::detected], 0U);
  }
}

TEST(Campaign, SimplexLetsOutputFlipsThroughAsSdc) {
  const auto s = ls::run_campaign(spec("crc32", "simplex", "bitflip-output", 1000));
  EXPECT_EQ(s.counts[TrialOutcome::sdc], 1000U) << counts_text(s.counts);
  EXPECT_GT(s.rate(TrialOutcome::sdc).ci95.lo, 0.99);
}

TEST(Campaign, DuplexRetryRecoversOneFaultyReplica) {
  const auto s = ls::run_campaign(spec("crc32", "dmr-retry", "bitflip-output", 1000));
  EXPECT_EQ(s.counts[TrialOutcome::recovered], 1000U) << counts_text(s.counts);
}

TEST(Campaign, TwoFaultyReplicasDefeatTmrButNotNmr5) {
  const auto tmr = ls::run_campaign(spec("crc32", "tmr", "bitflip-output", 1000, 2));
  EXPECT_EQ(tmr.counts[TrialOutcome::sdc] + tmr.counts[TrialOutcome::detected], 1000U)
      << counts_text(tmr.counts);
  const auto nmr = ls::run_campaign(spec("crc32", "nmr5", "bitflip-output", 1000, 2));
  EXPECT_EQ(nmr.counts[TrialOutcome::masked], 1000U) << counts_text(nmr.counts);
}

TEST(Campaign, CommonModeFaultsDefeatMajorityVoting) {
  const auto s = ls::run_campaign(spec("crc32", "tmr", "common-mode", 500));
  EXPECT_EQ(s.counts[TrialOutcome::sdc], 500U)
      << "two replicas agree on the same wrong value: " << counts_text(s.counts);
}

TEST(Campaign, TimingAndCrashFaults) {
  const auto hang_simplex = ls::run_campaign(spec("crc32", "simplex", "hang", 200));
  EXPECT_EQ(hang_simplex.counts[TrialOutcome::timeout], 200U) << counts_text(hang_simplex.counts);
  const auto delay_tmr = ls::run_campaign(spec("crc32", "tmr", "delay", 200));
  EXPECT_EQ(delay_tmr.counts[TrialOutcome::masked], 200U) << counts_text(delay_tmr.counts);
  const auto throw_dmr = ls::run_campaign(spec("crc32", "dmr", "exception", 200));
  EXPECT_EQ(throw_dmr.counts[TrialOutcome::detected], 200U) << counts_text(throw_dmr.counts);
  const auto throw_temporal = ls::run_campaign(spec("crc32", "temporal3", "exception", 200));
  EXPECT_EQ(throw_temporal.counts[TrialOutcome::masked], 200U) << counts_text(throw_temporal.counts);
}

TEST(Campaign, StuckAtIsBenignWhenTheBitAlreadyHadTheValue) {
  const auto s = ls::run_campaign(spec("crc32", "simplex", "stuck-at", 2000));
  EXPECT_EQ(s.counts[TrialOutcome::benign] + s.counts[TrialOutcome::sdc], 2000U);
  EXPECT_NEAR(static_cast<double>(s.counts[TrialOutcome::benign]), 1000.0, 150.0) << counts_text(s.counts);
}

TEST(Campaign, NVersionOnBothKernels) {
  for (const char* kernel : {"crc32", "solve6"}) {
    const auto s = ls::run_campaign(spec(kernel, "nversion", "bitflip-output", 500));
    EXPECT_EQ(s.counts[TrialOutcome::sdc], 0U) << kernel << ": " << counts_text(s.counts);
    EXPECT_EQ(s.counts[TrialOutcome::detected], 0U) << "golden versions agree within tolerance";
  }
}

TEST(Campaign, EveryFaultModelRunsOnEveryExecutor) {
  for (const auto& e : ls::executors()) {
    for (const auto& f : ls::kFaultModels) {
      ls::CampaignSpec s = spec("crc32", std::string{e.name}.c_str(), std::string{f.name}.c_str(), 40);
      if (f.model == ls::FaultModel::common_mode && e.replicas < 2) continue;
      const auto r = ls::run_campaign(s);
      EXPECT_EQ(r.counts.total(), 40U) << e.name << " " << f.name;
      if (e.replicas >= 3 && f.model != ls::FaultModel::common_mode) {
        EXPECT_EQ(r.counts[TrialOutcome::sdc], 0U)
            << e.name << " " << f.name << ": " << counts_text(r.counts);
      }
    }
  }
}

TEST(Campaign, SameSeedSameRowsWhateverTheThreadCount) {
  auto s = spec("solve6", "tmr", "multibit-output", 600);
  ls::test::TempDir dir;
  std::vector<std::vector<ls::TrialRow>> results;
  for (std::uint32_t threads : {1U, 2U, 3U}) {
    s.threads = threads;
    s.db_path = dir.file("t" + std::to_string(threads) + ".db");
    (void)ls::run_campaign(s);
    results.push_back(ls::ResultsStore::open_read_only(s.db_path).read_trials());
  }
  EXPECT_EQ(results[0], results[1]);
  EXPECT_EQ(results[0], results[2]);
  EXPECT_EQ(results[0], run_rows(spec("solve6", "tmr", "multibit-output", 600)));
}

TEST(Campaign, ShardsPartitionTheTrialsAndMergeEqualsUnsharded) {
  ls::test::TempDir dir;
  auto whole = spec("crc32", "tmr", "byzantine", 1001);
  whole.db_path = dir.file("whole.db");
  (void)ls::run_campaign(whole);
  std::vector<std::string> parts;
  std::uint64_t covered = 0;
  for (std::uint32_t i = 1; i <= 3; ++i) {
    auto part = whole;
    part.shard = ls::Shard{i, 3};
    part.db_path = dir.file("part" + std::to_string(i) + ".db");
    const auto r = ls::run_campaign(part);
    const auto [b, e] = ls::shard_range(part);
    EXPECT_EQ(b, covered);
    covered = e;
    EXPECT_EQ(r.counts.total(), e - b);
    parts.push_back(part.db_path);
  }
  EXPECT_EQ(covered, 1001U);
  ls::merge_stores(dir.file("merged.db"), parts);
  const auto merged = ls::ResultsStore::open_read_only(dir.file("merged.db"));
  EXPECT_EQ(merged.read_trials(), ls::ResultsStore::open_read_only(whole.db_path).read_trials());
  EXPECT_EQ(ls::summarize_store(merged).counts,
            ls::summarize_store(ls::ResultsStore::open_read_only(whole.db_path)).counts);
  EXPECT_EQ(merged.params(), ls::store_params(spec("crc32", "tmr", "byzantine", 1001)));
}

TEST(Campaign, MergeRefusesMixedCampaignsAndDuplicateShards) {
  ls::test::TempDir dir;
  auto a = spec("crc32", "tmr", "bitflip-output", 100);
  a.shard = ls::Shard{1, 2};
  a.db_path = dir.file("a.db");
  (void)ls::run_campaign(a);
  auto b = a;
  b.seed = 5;
  b.shard = ls::Shard{2, 2};
  b.db_path = dir.file("b.db");
  (void)ls::run_campaign(b);
  EXPECT_THROW(ls::merge_stores(dir.file("m.db"), {a.db_path, b.db_path}), lockstep::Error);
  EXPECT_THROW(ls::merge_stores(dir.file("m.db"), {a.db_path, a.db_path}), lockstep::Error);
  EXPECT_FALSE(std::filesystem::exists(dir.file("m.db")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("m.db.tmp")));
}

TEST(Campaign, ResumeRunsOnlyTheMissingTrials) {
  ls::test::TempDir dir;
  auto s = spec("crc32", "tmr", "bitflip-input", 700);
  s.db_path = dir.file("r.db");
  // Simulate an interrupted run: the first 300 trials (one committed batch) are stored.
  {
    auto store = ls::ResultsStore::open_for_writing(s.db_path, ls::store_params(s));
    auto rows = run_rows(s);
    store.append_trials(std::span<const ls::TrialRow>{rows}.first(300));
  }
  const auto r = ls::run_campaign(s);
  EXPECT_EQ(r.resumed, 300U);
  EXPECT_EQ(r.run_now, 400U);
  EXPECT_EQ(r.counts.total(), 700U);
  EXPECT_EQ(ls::ResultsStore::open_read_only(s.db_path).read_trials(), run_rows(s));
  const auto again = ls::run_campaign(s);
  EXPECT_EQ(again.run_now, 0U) << "a complete campaign reruns nothing";
}

TEST(Campaign, ValidationNamesTheProblem) {
  EXPECT_NE(error_of(spec("crc64", "tmr", "hang", 1)).find("unknown kernel 'crc64'"), std::string::npos);
  EXPECT_NE(error_of(spec("crc32", "qmr", "hang", 1)).find("unknown executor 'qmr'"), std::string::npos);
  EXPECT_NE(error_of(spec("crc32", "tmr", "gamma-ray", 1)).find("unknown fault model"), std::string::npos);
  EXPECT_NE(error_of(spec("crc32", "tmr", "hang", 0)).find("--trials must be at least 1"), std::string::npos);
  EXPECT_NE(error_of(spec("crc32", "tmr", "hang", 10, 4)).find("--faults-per-trial must be in 1..3"),
            std::string::npos);
  EXPECT_NE(error_of(spec("solve6", "tmr", "bitflip-state", 10)).find("no state"), std::string::npos);
  EXPECT_NE(error_of(spec("crc32", "simplex", "common-mode", 10)).find("at least 2 replicas"),
            std::string::npos);
  auto sh = spec("crc32", "tmr", "hang", 2);
  sh.shard = ls::Shard{1, 3};
  EXPECT_NE(error_of(sh).find("more shards than trials"), std::string::npos);
  EXPECT_THROW((void)ls::parse_shard("3/2"), lockstep::Error);
  EXPECT_THROW((void)ls::parse_shard("0/2"), lockstep::Error);
  EXPECT_THROW((void)ls::parse_shard("1/0"), lockstep::Error);
  EXPECT_THROW((void)ls::parse_shard("1-2"), lockstep::Error);
  EXPECT_THROW((void)ls::parse_shard("-1/2"), lockstep::Error);
  EXPECT_EQ(ls::parse_shard("2/8"), (ls::Shard{2, 8}));
}

TEST(Campaign, ShardRangesCoverHugeCampaignsWithoutOverflow) {
  ls::CampaignSpec s;
  s.trials = ~std::uint64_t{0};
  s.shard = ls::Shard{7, 7};
  EXPECT_EQ(ls::shard_range(s).second, s.trials);
  s.shard = ls::Shard{1, 7};
  EXPECT_EQ(ls::shard_range(s).first, 0U);
}

// ---- merge of closed-loop plant Monte Carlo shards (generic samples, kind "plant") ----------
namespace {
ls::StoreParams plant_params(const char* shard, const char* seed = "3") {
  return ls::StoreParams{
      {"kind", "plant"}, {"plant", "pendulum"}, {"executor", "tmr"}, {"fault", "bitflip-output"},
      {"runs", "10"},    {"seed", seed},        {"shard", shard}};
}

ls::Sample plant_sample(std::uint64_t key) {
  return ls::Sample{"plant",
                    key,
                    key * 7919U,
                    key % 3U == 0U ? "violated" : "held",
                    0.25 * static_cast<double>(key),
                    R"({"calls":100,"sdc":0,"wall_ns_per_call":)" + std::to_string(40 + key) + "}"};
}

std::string write_plant_shard(const ls::test::TempDir& dir, const std::string& name, const char* shard,
                              std::uint64_t from, std::uint64_t to, const char* seed = "3") {
  auto store = ls::ResultsStore::create(dir.file(name), plant_params(shard, seed));
  std::vector<ls::Sample> samples;
  for (std::uint64_t k = from; k < to; ++k) samples.push_back(plant_sample(k));
  store.append_samples(samples);
  store.record_run(ls::RunRecord{"", 2, shard, to - from, 0.5, 2.0 * static_cast<double>(to - from)});
  return dir.file(name);
}

std::string merge_error(const std::string& out, const std::vector<std::string>& in) {
  try {
    ls::merge_stores(out, in);
  } catch (const lockstep::Error& e) { return e.what(); }
  return "";
}
}  // namespace

TEST(Campaign, MergeCombinesPlantShardSamples) {
  ls::test::TempDir dir;
  const std::string a = write_plant_shard(dir, "a.db", "1/3", 0, 3);
  const std::string b = write_plant_shard(dir, "b.db", "2/3", 3, 6);
  const std::string c = write_plant_shard(dir, "c.db", "3/3", 6, 10);
  ls::merge_stores(dir.file("m.db"), {c, a, b});  // any order
  const auto m = ls::ResultsStore::open_read_only(dir.file("m.db"));
  std::vector<ls::Sample> want;
  for (std::uint64_t k = 0; k < 10; ++k) want.push_back(plant_sample(k));
  EXPECT_EQ(m.read_samples("plant"), want);
  EXPECT_EQ(m.params(), plant_params("1/1"));
  EXPECT_EQ(m.read_runs().size(), 3U);
  EXPECT_EQ(m.trial_count(), 0U);
  // A merged store resumes like the unsharded run: opening it with the 1/1 parameters works.
  EXPECT_NO_THROW((void)ls::ResultsStore::open_for_writing(dir.file("m.db"), plant_params("1/1")));
}

TEST(Campaign, MergeOfPlantShardsMayOverlapWhenTheResultsAgree) {
  ls::test::TempDir dir;
  const std::string a = write_plant_shard(dir, "a.db", "1/2", 0, 5);
  // The same runs again (an earlier unsharded attempt, say): equal results, other host timing.
  auto whole = ls::ResultsStore::create(dir.file("w.db"), plant_params("1/1"));
  std::vector<ls::Sample> again;
  for (std::uint64_t k = 0; k < 4; ++k) {
    ls::Sample x = plant_sample(k);
    x.data = R"({"calls":100,"sdc":0,"wall_ns_per_call":1})";
    again.push_back(x);
  }
  whole.append_samples(again);
  ls::merge_stores(dir.file("m.db"), {a, dir.file("w.db")});
  EXPECT_EQ(ls::ResultsStore::open_read_only(dir.file("m.db")).read_samples("plant").size(), 5U);
}

TEST(Campaign, MergeRefusesMismatchedDuplicateOrConflictingPlantShards) {
  ls::test::TempDir dir;
  const std::string a = write_plant_shard(dir, "a.db", "1/2", 0, 5);
  const std::string b_other_seed = write_plant_shard(dir, "b.db", "2/2", 5, 10, "4");
  const std::string a_again = write_plant_shard(dir, "a2.db", "1/2", 0, 5);
  const std::string out = dir.file("m.db");
  EXPECT_NE(merge_error(out, {a, b_other_seed}).find("different run"), std::string::npos);
  EXPECT_NE(merge_error(out, {a, a_again}).find("shard 1/2 again"), std::string::npos);
  // A conflicting result for one run: another outcome for sample 2 in a 1/1 store.
  {
    auto w = ls::ResultsStore::create(dir.file("w.db"), plant_params("1/1"));
    ls::Sample x = plant_sample(2);
    x.outcome = "violated";
    x.value = 99.0;
    w.append_samples(std::span<const ls::Sample>{&x, 1});
  }
  EXPECT_NE(merge_error(out, {a, dir.file("w.db")}).find("plant sample 2 differs"), std::string::npos);
  // A sample beyond the run count.
  {
    auto w = ls::ResultsStore::create(dir.file("x.db"), plant_params("2/2"));
    const ls::Sample x = plant_sample(10);
    w.append_samples(std::span<const ls::Sample>{&x, 1});
  }
  EXPECT_NE(merge_error(out, {a, dir.file("x.db")}).find("beyond"), std::string::npos);
  // A kernel campaign and a plant run do not mix.
  auto k = spec("crc32", "tmr", "bitflip-output", 20);
  k.db_path = dir.file("k.db");
  (void)ls::run_campaign(k);
  EXPECT_NE(merge_error(out, {a, k.db_path}).find("different run"), std::string::npos);
  EXPECT_NE(merge_error(out, {k.db_path, a}).find("different run"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(out));
  EXPECT_FALSE(std::filesystem::exists(out + ".tmp"));
  // An existing output is never touched.
  const std::string before = ls::test::file_bytes(a);
  EXPECT_NE(merge_error(a, {a_again}).find("already exists"), std::string::npos);
  EXPECT_EQ(ls::test::file_bytes(a), before);
}
