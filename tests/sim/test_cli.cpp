// Requirements (issue 6, command line): list/campaign --json formats, --help per subcommand,
// --config INI files, exit code 2 with one line for bad input, an existing DB never modified by
// a refused run, and SIGKILL at any moment followed by a rerun ends identical to an
// uninterrupted run. These tests run the built lockstep-sim.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>

#include <lockstep/sim/campaign.hpp>
#include <lockstep/sim/results_store.hpp>
#include <lockstep/sim/seed.hpp>

#include "sim_test_util.hpp"

namespace ls = lockstep::sim;
using ls::test::file_bytes;
using ls::test::run_sim;
using ls::test::TempDir;

namespace {
constexpr const char* kCampaign =
    "campaign --kernel crc32 --executor tmr --fault bitflip-output --seed 9 --quiet";

std::size_t lines(const std::string& s) {
  std::size_t n = 0;
  for (const char c : s) n += c == '\n' ? 1U : 0U;
  return n;
}
}  // namespace

TEST(Cli, ListJsonHasTheIssueFormat) {
  const auto r = run_sim("list --json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  ASSERT_TRUE(j.contains("kernels") && j.contains("executors") && j.contains("faults"));
  bool exact = false;
  bool inexact = false;
  for (const auto& k : j["kernels"]) {
    EXPECT_EQ(k.size(), 4U);
    EXPECT_TRUE(k["name"].is_string());
    EXPECT_TRUE(k["versions"].is_number_unsigned());
    EXPECT_GT(k["output_bits"].get<int>(), 0);
    (k["exact"].get<bool>() ? exact : inexact) = true;
  }
  EXPECT_TRUE(exact && inexact) << "a bit-exact and a floating kernel";
  std::vector<std::string> executors;
  for (const auto& e : j["executors"]) executors.push_back(e["name"]);
  for (const char* e : {"simplex", "dmr", "dmr-retry", "tmr", "nmr5", "temporal3", "nversion"}) {
    EXPECT_NE(std::find(executors.begin(), executors.end(), e), executors.end()) << e;
  }
  EXPECT_GE(j["faults"].size(), 10U);
  const auto plain = run_sim("list");
  EXPECT_EQ(plain.exit_code, 0);
  EXPECT_NE(plain.output.find("bitflip-output"), std::string::npos);
}

TEST(Cli, CampaignJsonSummaryHasTheIssueFormat) {
  TempDir dir;
  const auto r = run_sim(std::string{kCampaign} + " --trials 500 --json " + dir.file("s.json"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("trials/s"), std::string::npos) << "throughput is reported";
  const auto j = nlohmann::json::parse(file_bytes(dir.file("s.json")));
  EXPECT_EQ(j["trials"], 500);
  EXPECT_EQ(j.size(), 3U);
  std::uint64_t sum = 0;
  for (const char* o : {"benign", "masked", "detected", "recovered", "sdc", "timeout"}) {
    ASSERT_TRUE(j["outcomes"].contains(o)) << o;
    sum += j["outcomes"][o].get<std::uint64_t>();
    const auto& rate = j["rates"][o];
    ASSERT_TRUE(rate["ci95"].is_array());
    EXPECT_LE(rate["ci95"][0].get<double>(), rate["value"].get<double>());
    EXPECT_GE(rate["ci95"][1].get<double>(), rate["value"].get<double>());
  }
  EXPECT_EQ(sum, 500U);
  EXPECT_EQ(j["outcomes"]["sdc"], 0);
  EXPECT_EQ(j["outcomes"]["masked"], 500);
}

TEST(Cli, HelpOnEverySubcommand) {
  for (const char* cmd : {"campaign", "merge", "report", "list"}) {
    const auto r = run_sim(std::string{cmd} + " --help");
    EXPECT_EQ(r.exit_code, 0) << cmd;
    EXPECT_NE(r.output.find("--help"), std::string::npos) << cmd;
  }
  EXPECT_EQ(run_sim("--help").exit_code, 0);
}

TEST(Cli, BadInputExitsTwoWithOneLine) {
  TempDir dir;
  const std::string base = "campaign --kernel crc32 --executor tmr --fault bitflip-output --seed 1 --quiet";
  const std::vector<std::pair<std::string, std::string>> cases{
      {"frobnicate", "unknown command"},
      {base + " --trials 0", "--trials"},
      {base + " --trials -5", "--trials"},
      {base + " --trials 12x", "--trials"},
      {base + " --trials 10 --shard 3/2", "--shard"},
      {base + " --trials 10 --bogus 1", "bogus"},
      {base + " --trials 10 --threads many", "--threads"},
      {base + " --trials 10 --faults-per-trial 4", "--faults-per-trial"},
      {"campaign --kernel nope --executor tmr --fault hang --seed 1 --trials 5", "unknown kernel"},
      {"campaign --kernel crc32 --executor tmr --fault hang --trials 5", "--seed is required"},
      {"campaign --kernel crc32 --executor tmr --fault nope --seed 1 --trials 5", "unknown fault"},
      {base + " --trials 10 --json /nonexistent-dir/x.json", "does not exist"},
      {base + " --trials 10 --config " + dir.file("missing.ini"), "cannot be read"},
      {"report --db " + dir.file("missing.db"), "does not exist"},
      {"merge --db " + dir.file("m.db"), "no input"},
      {"list --bogus", "bogus"},
  };
  for (const auto& [args, needle] : cases) {
    const auto r = run_sim(args);
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.output;
    EXPECT_EQ(lines(r.output), 1U) << args << "\n" << r.output;
    EXPECT_NE(r.output.find(needle), std::string::npos) << args << "\n" << r.output;
  }
}

TEST(Cli, RefusedRunsNeverModifyAnExistingDb) {
  TempDir dir;
  const std::string db = dir.file("c.db");
  ASSERT_EQ(run_sim(std::string{kCampaign} + " --trials 300 --db " + db).exit_code, 0);
  const std::string before = file_bytes(db);
  const std::vector<std::string> refused{
      std::string{kCampaign} + " --trials 301 --db " + db,  // other parameters
      "campaign --kernel crc32 --executor dmr --fault bitflip-output --seed 9 --trials 300 --db " + db,
      std::string{kCampaign} + " --trials 300 --shard 1/2 --db " + db,  // other shard
      std::string{kCampaign} + " --trials 300 --shard 9/2 --db " + db,  // bad shard
      "campaign --kernel solve6 --executor nversion --fault bitflip-state --seed 9 --trials 300 --db " + db,
      "merge --db " + db + " " + db,  // output exists
  };
  for (const auto& args : refused) {
    const auto r = run_sim(args);
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.output;
    EXPECT_EQ(lines(r.output), 1U) << r.output;
    EXPECT_EQ(file_bytes(db), before) << args;
  }
  const auto other = run_sim(std::string{kCampaign} + " --trials 301 --db " + db);
  EXPECT_NE(other.output.find("trials is '300' there, '301' here"), std::string::npos) << other.output;

  // Foreign and corrupted files are refused untouched too.
  const std::string foreign = dir.file("notes.db");
  ls::test::write_file(foreign, "not a database at all, just some notes that happen to end in .db\n");
  const std::string fbefore = file_bytes(foreign);
  const auto rf = run_sim(std::string{kCampaign} + " --trials 10 --db " + foreign);
  EXPECT_EQ(rf.exit_code, 2);
  EXPECT_NE(rf.output.find("not an SQLite database"), std::string::npos) << rf.output;
  EXPECT_EQ(file_bytes(foreign), fbefore);
  const auto rr = run_sim("report --db " + foreign);
  EXPECT_EQ(rr.exit_code, 2);
}

TEST(Cli, ConfigFileSuppliesOptionsAndTheCommandLineWins) {
  TempDir dir;
  const std::string ini = dir.file("c.ini");
  ls::test::write_file(
      ini, "kernel = crc32\nexecutor = simplex\nfault = bitflip-output\ntrials = 50\nseed = 3\nquiet = 1\n");
  const auto r = run_sim("campaign --config " + ini + " --executor tmr --json " + dir.file("s.json"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(file_bytes(dir.file("s.json")));
  EXPECT_EQ(j["trials"], 50);
  EXPECT_EQ(j["outcomes"]["masked"], 50) << "tmr from the command line, not simplex from the file";
  ls::test::write_file(ini, "kernel = crc32\nunknown_key = 1\n");
  const auto bad = run_sim("campaign --config " + ini);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(lines(bad.output), 1U) << bad.output;
}

TEST(Cli, ShardMergeAndReportEqualTheUnshardedRun) {
  TempDir dir;
  const std::string common =
      "campaign --kernel solve6 --executor dmr --fault multibit-output --seed 4 --trials 400 --quiet";
  ASSERT_EQ(run_sim(common + " --db " + dir.file("whole.db")).exit_code, 0);
  ASSERT_EQ(run_sim(common + " --shard 1/2 --db " + dir.file("s1.db")).exit_code, 0);
  ASSERT_EQ(run_sim(common + " --shard 2/2 --db " + dir.file("s2.db")).exit_code, 0);
  const auto m =
      run_sim("merge --quiet --db " + dir.file("m.db") + " " + dir.file("s2.db") + " " + dir.file("s1.db"));
  ASSERT_EQ(m.exit_code, 0) << m.output;
  EXPECT_EQ(ls::ResultsStore::open_read_only(dir.file("m.db")).read_trials(),
            ls::ResultsStore::open_read_only(dir.file("whole.db")).read_trials());
  ASSERT_EQ(run_sim("report --db " + dir.file("m.db") + " --json " + dir.file("m.json")).exit_code, 0);
  ASSERT_EQ(run_sim("report --db " + dir.file("whole.db") + " --json " + dir.file("w.json")).exit_code, 0);
  EXPECT_EQ(file_bytes(dir.file("m.json")), file_bytes(dir.file("w.json")));
}

namespace {
// A plant sample without its measured host timing (JSON keys "wall_*"), which differs between
// two executions of the same run; everything else is a pure function of (parameters, run).
nlohmann::json result_of(const ls::Sample& x) {
  nlohmann::json data = nlohmann::json::parse(x.data);
  for (auto it = data.begin(); it != data.end();)
    it = it.key().rfind("wall_", 0) == 0 ? data.erase(it) : std::next(it);
  return {{"key", x.key}, {"seed", x.seed}, {"outcome", x.outcome}, {"value", x.value}, {"data", data}};
}
std::vector<nlohmann::json> results_of(const std::string& db) {
  std::vector<nlohmann::json> out;
  for (const ls::Sample& x : ls::ResultsStore::open_read_only(db).read_samples("plant"))
    out.push_back(result_of(x));
  return out;
}
}  // namespace

TEST(Cli, MergeCombinesPlantShardsIntoTheUnshardedRun) {
  TempDir dir;
  const std::string plant =
      "plant --plant pendulum --executor tmr --fault bitflip-output --fault-rate 0.01 --duration 1 --runs 6 "
      "--seed 5 --threads 2 --quiet";
  ASSERT_EQ(run_sim(plant + " --db " + dir.file("whole.db")).exit_code, 0);
  for (const char* shard : {"1/3", "2/3", "3/3"}) {
    const auto r =
        run_sim(plant + " --shard " + shard + " --db " + dir.file(std::string{"s"} + shard[0] + ".db"));
    ASSERT_EQ(r.exit_code, 0) << shard << "\n" << r.output;
  }
  const std::string shards = dir.file("s3.db") + " " + dir.file("s1.db") + " " + dir.file("s2.db");
  const auto m = run_sim("merge --db " + dir.file("m.db") + " --json " + dir.file("m.json") + " " + shards);
  ASSERT_EQ(m.exit_code, 0) << m.output;
  EXPECT_NE(m.output.find("samples: 6 of 6 runs"), std::string::npos) << m.output;
  const auto whole = results_of(dir.file("whole.db"));
  ASSERT_EQ(whole.size(), 6U);
  EXPECT_EQ(results_of(dir.file("m.db")), whole);
  const auto j = nlohmann::json::parse(file_bytes(dir.file("m.json")));
  EXPECT_EQ(j.at("samples").get<int>(), 6);
  EXPECT_EQ(j.at("runs").get<int>(), 6);
  // The merged store resumes as the unsharded run: rerunning it adds nothing.
  const auto again = run_sim(plant + " --db " + dir.file("m.db"));
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(results_of(dir.file("m.db")), whole);

  // Refusals: exit 2, one line, no output written, an existing output never touched.
  ASSERT_EQ(
      run_sim("plant --plant pendulum --executor tmr --fault bitflip-output --fault-rate 0.02 --duration 1 "
              "--runs 6 --seed 5 --quiet --shard 2/3 --db " +
              dir.file("other.db"))
          .exit_code,
      0);
  const std::string before = file_bytes(dir.file("m.db"));
  const std::vector<std::pair<std::string, std::string>> refused{
      {"merge --db " + dir.file("x.db") + " " + dir.file("s1.db") + " " + dir.file("other.db"),
       "different run"},
      {"merge --db " + dir.file("x.db") + " " + dir.file("s1.db") + " " + dir.file("s1.db"), "again"},
      {"merge --db " + dir.file("m.db") + " " + shards, "already exists"},
  };
  for (const auto& [args, needle] : refused) {
    const auto r = run_sim(args);
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.output;
    EXPECT_EQ(lines(r.output), 1U) << args << "\n" << r.output;
    EXPECT_NE(r.output.find(needle), std::string::npos) << args << "\n" << r.output;
  }
  EXPECT_FALSE(std::filesystem::exists(dir.file("x.db")));
  EXPECT_EQ(file_bytes(dir.file("m.db")), before);
}

TEST(Cli, SigkillAtAnyMomentThenRerunEqualsAnUninterruptedRun) {
  TempDir dir;
  constexpr std::uint64_t kTrials = 120000;
  const std::string args =
      "campaign --kernel crc32 --executor tmr --fault bitflip-output --seed 77 --trials " +
      std::to_string(kTrials) + " --threads 2 --quiet --db ";
  ASSERT_EQ(run_sim(args + dir.file("ref.db")).exit_code, 0);
  const auto reference = ls::ResultsStore::open_read_only(dir.file("ref.db")).read_trials();
  ASSERT_EQ(reference.size(), kTrials);

  const std::string db = dir.file("killed.db");
  // Kill points drawn from a fixed seed; printed on failure.
  constexpr std::uint64_t kSeed = 20261127;
  ls::TrialRng rng{kSeed};
  int kills = 0;
  for (int round = 0; round < 6; ++round) {
    const auto wait = std::chrono::milliseconds{5 + rng.below(120)};
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      const std::string sh = std::string{"exec '"} + LOCKSTEP_SIM_EXE + "' " + args + db + " >/dev/null 2>&1";
      ::execl("/bin/sh", "sh", "-c", sh.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    std::this_thread::sleep_for(wait);
    if (::kill(pid, SIGKILL) == 0) ++kills;
    int status = 0;
    ::waitpid(pid, &status, 0);
  }
  EXPECT_GT(kills, 0) << "kill seed " << kSeed;
  const auto finish = run_sim(args + db);
  ASSERT_EQ(finish.exit_code, 0) << finish.output;
  const auto rows = ls::ResultsStore::open_read_only(db).read_trials();
  EXPECT_EQ(rows.size(), kTrials) << "kill seed " << kSeed;
  EXPECT_TRUE(rows == reference) << "kill seed " << kSeed;
}
